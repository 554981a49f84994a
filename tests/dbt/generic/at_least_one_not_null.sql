{#- Fails for every row in which all of `columns` are null. -#}
{% test at_least_one_not_null(model, columns) %}

select * from {{ model }}
where coalesce({{ columns | join(', ') }}) is null

{% endtest %}
