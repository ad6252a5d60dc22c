{#- An expression that fails the query with the given message (a SQL text expression) when evaluated;
    put it in a `case` branch so it is evaluated only for the rows that are wrong. -#}
{% macro raise_error(message_expression) -%}
    {{ return(adapter.dispatch('raise_error', 'lms_warehouse')(message_expression)) }}
{%- endmacro %}

{% macro default__raise_error(message_expression) -%}
    error({{ message_expression }})
{%- endmacro %}

{% macro spark__raise_error(message_expression) -%}
    raise_error({{ message_expression }})
{%- endmacro %}
