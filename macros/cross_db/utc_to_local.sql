{#- A UTC `timestamp` (without time zone) as the wall-clock time in an IANA zone ('Europe/Paris'),
    again a `timestamp` without time zone. The zone must be one both engines know (seed time_zones). -#}
{% macro utc_to_local(timestamp_expression, zone_expression) -%}
    {{ return(adapter.dispatch('utc_to_local', 'lms_warehouse')(timestamp_expression, zone_expression)) }}
{%- endmacro %}

{% macro default__utc_to_local(timestamp_expression, zone_expression) -%}
    timezone({{ zone_expression }}, timezone('UTC', {{ timestamp_expression }}))
{%- endmacro %}

{% macro spark__utc_to_local(timestamp_expression, zone_expression) -%}
    from_utc_timestamp({{ timestamp_expression }}, {{ zone_expression }})
{%- endmacro %}
