{#- Set-returning select-list expression: one row per calendar day from `start_date` to `end_date`
    (both included, both SQL date expressions), as a date. No row when start_date > end_date. -#}
{% macro day_series(start_date, end_date) -%}
    {{ return(adapter.dispatch('day_series', 'lms_warehouse')(start_date, end_date)) }}
{%- endmacro %}

{% macro default__day_series(start_date, end_date) -%}
    cast(unnest(generate_series(cast({{ start_date }} as timestamp), cast({{ end_date }} as timestamp), interval 1 day)) as date)
{%- endmacro %}

{#- sequence() refuses an end before its start; explode(null) gives no row, as generate_series does. -#}
{% macro spark__day_series(start_date, end_date) -%}
    explode(case when cast({{ start_date }} as date) <= cast({{ end_date }} as date)
        then sequence(cast({{ start_date }} as date), cast({{ end_date }} as date), interval 1 day) end)
{%- endmacro %}
