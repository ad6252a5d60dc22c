{#- Seconds from one timestamp to a later one, as a double (fractions of a second kept). -#}
{% macro seconds_between(start_expression, end_expression) -%}
    {{ return(adapter.dispatch('seconds_between', 'lms_warehouse')(start_expression, end_expression)) }}
{%- endmacro %}

{% macro default__seconds_between(start_expression, end_expression) -%}
    (epoch({{ end_expression }}) - epoch({{ start_expression }}))
{%- endmacro %}

{% macro spark__seconds_between(start_expression, end_expression) -%}
    (cast({{ end_expression }} as double) - cast({{ start_expression }} as double))
{%- endmacro %}
