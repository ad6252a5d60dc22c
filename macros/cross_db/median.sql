{#- Aggregate: the median of a numeric expression (the mean of the two middle values for an even count);
    nulls are ignored. Used with a group by. -#}
{% macro median(expression) -%}
    {{ return(adapter.dispatch('median', 'lms_warehouse')(expression)) }}
{%- endmacro %}

{% macro default__median(expression) -%}
    median({{ expression }})
{%- endmacro %}

{% macro spark__median(expression) -%}
    percentile({{ expression }}, 0.5)
{%- endmacro %}
