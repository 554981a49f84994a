{#-
    The lower-cased host of a URL: the text after '://' (or from the start when there is no
    scheme) up to the first '/', ':', '?' or '#'.
-#}
{% macro url_host(url_expression) -%}
    lower(regexp_extract({{ url_expression }}, '^(?:[A-Za-z][A-Za-z0-9+.-]*://)?([^/:?#]*)', 1))
{%- endmacro %}
