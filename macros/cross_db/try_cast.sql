{#- Cast that yields null instead of failing when the value does not convert ('n/a' as double).
    dbt.safe_cast is a plain cast on some adapters (dbt-duckdb), hence this macro. -#}
{% macro try_cast(expression, data_type) -%}
    {{ return(adapter.dispatch('try_cast', 'lms_warehouse')(expression, data_type)) }}
{%- endmacro %}

{% macro default__try_cast(expression, data_type) -%}
    {{ dbt.safe_cast(expression, data_type) }}
{%- endmacro %}

{% macro duckdb__try_cast(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}

{% macro spark__try_cast(expression, data_type) -%}
    {#- Spark >= 3.2: try_cast returns null even when ANSI mode is on. -#}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}
