{#- Aggregate: the exact median of a numeric column (the mean of the two middle values for an even count). -#}
{% macro median(column) -%}
    {{ return(adapter.dispatch('median', 'lms_warehouse')(column)) }}
{%- endmacro %}

{% macro default__median(column) -%}
    median({{ column }})
{%- endmacro %}

{% macro spark__median(column) -%}
    percentile({{ column }}, 0.5)
{%- endmacro %}
