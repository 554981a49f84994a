{#-
    JSON values, engine by engine: DuckDB has a json type and json_* functions; Spark parses a
    record once into a VARIANT (its JSON type names mapped onto DuckDB's, so every check reads
    the same codes) and reads nested objects as JSON text with get_json_object, which keeps
    their keys in the order of the input (a VARIANT sorts them).
-#}

{#-
    The JSON type of a value, in DuckDB's names: 'OBJECT', 'ARRAY', 'VARCHAR', 'BIGINT' (a whole
    number within int64), 'UBIGINT' (a larger one within uint64), 'DOUBLE' (any other number),
    'BOOLEAN', 'NULL' (JSON null); SQL null when the value is missing.
-#}
{% macro json_value_type(json_expression) -%}
    {{ return(adapter.dispatch('json_value_type', 'sessions')(json_expression)) }}
{%- endmacro %}

{% macro default__json_value_type(json_expression) -%}
    json_type({{ json_expression }})
{%- endmacro %}

{% macro spark__json_value_type(json_expression) -%}
    case
        when schema_of_variant({{ json_expression }}) like 'OBJECT%' then 'OBJECT'
        when schema_of_variant({{ json_expression }}) like 'ARRAY%' then 'ARRAY'
        when schema_of_variant({{ json_expression }}) = 'STRING' then 'VARCHAR'
        when schema_of_variant({{ json_expression }}) in ('TINYINT', 'SMALLINT', 'INT', 'BIGINT') then 'BIGINT'
        when schema_of_variant({{ json_expression }}) rlike '^DECIMAL\\([0-9]+,0\\)$'
            then case
                when try_variant_get({{ json_expression }}, '$', 'decimal(38, 0)') between -9223372036854775808 and 9223372036854775807
                    then 'BIGINT'
                when try_variant_get({{ json_expression }}, '$', 'decimal(38, 0)') between 0 and 18446744073709551615
                    then 'UBIGINT'
                else 'DOUBLE'
            end
        when schema_of_variant({{ json_expression }}) like 'DECIMAL%' then 'DOUBLE'
        when schema_of_variant({{ json_expression }}) in ('FLOAT', 'DOUBLE') then 'DOUBLE'
        when schema_of_variant({{ json_expression }}) = 'BOOLEAN' then 'BOOLEAN'
        when schema_of_variant({{ json_expression }}) = 'VOID' then 'NULL'
        when {{ json_expression }} is not null then schema_of_variant({{ json_expression }})
    end
{%- endmacro %}
