{#- The current instant as a UTC `timestamp` without time zone. -#}
{% macro current_timestamp_utc() -%}
    {{ return(adapter.dispatch('current_timestamp_utc', 'lms_warehouse')()) }}
{%- endmacro %}

{% macro default__current_timestamp_utc() -%}
    cast({{ dbt.current_timestamp() }} as timestamp)
{%- endmacro %}

{% macro duckdb__current_timestamp_utc() -%}
    timezone('UTC', {{ dbt.current_timestamp() }})
{%- endmacro %}
