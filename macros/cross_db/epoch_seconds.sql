{#- Seconds since 1970-01-01 00:00:00 of a UTC `timestamp`, as a double (fractions kept), so that
    elapsed time is a plain subtraction (datediff counts boundaries, not elapsed time). -#}
{% macro epoch_seconds(timestamp_expression) -%}
    {{ return(adapter.dispatch('epoch_seconds', 'lms_warehouse')(timestamp_expression)) }}
{%- endmacro %}

{% macro default__epoch_seconds(timestamp_expression) -%}
    epoch({{ timestamp_expression }})
{%- endmacro %}

{% macro spark__epoch_seconds(timestamp_expression) -%}
    (cast(unix_micros({{ timestamp_expression }}) as double) / 1000000)
{%- endmacro %}
