{#-
    How a visit entered, from its referrer: 'direct' without a referrer, 'internal' when the
    referrer's host is one of the var `site_domains` (or a subdomain of one), else 'external'.
-#}
{% macro entry_source(referrer_expression) -%}
    {%- set domains = var('site_domains') -%}
    {%- if domains is string or domains is mapping or domains is not iterable -%}
        {{ exceptions.raise_compiler_error(
            "The var site_domains must be a list of host names, e.g. ['example.com'], got: " ~ domains
        ) }}
    {%- endif -%}
    {%- set host = sessions.url_host(referrer_expression) -%}
    case
        when {{ referrer_expression }} is null then 'direct'
        {%- if domains | length > 0 %}
        when
            {%- for domain in domains %}
            {{ host }} = '{{ domain | lower }}' or right({{ host }}, {{ (domain | length) + 1 }}) = '.{{ domain | lower }}'
            {%- if not loop.last %} or{% endif %}
            {%- endfor %}
            then 'internal'
        {%- endif %}
        else 'external'
    end
{%- endmacro %}
