{#- A select-list generator: one row per calendar date from start_date to end_date (both included, DATE
    expressions), as a `date`. Use it alone in a select list next to plain columns. -#}
{% macro explode_date_range(start_date, end_date) -%}
    {{ return(adapter.dispatch('explode_date_range', 'lms_warehouse')(start_date, end_date)) }}
{%- endmacro %}

{% macro default__explode_date_range(start_date, end_date) -%}
    cast(unnest(generate_series(
        cast({{ start_date }} as timestamp), cast({{ end_date }} as timestamp), interval 1 day
    )) as date)
{%- endmacro %}

{% macro spark__explode_date_range(start_date, end_date) -%}
    explode(sequence(cast({{ start_date }} as date), cast({{ end_date }} as date), interval 1 day))
{%- endmacro %}
