{#- A UTC `timestamp` (without time zone) as the wall-clock time in an IANA zone ('Europe/Paris'),
    again a `timestamp` without time zone. The zone must be valid (see is_valid_time_zone). -#}
{% macro utc_to_local(timestamp_expression, zone_expression) -%}
    {{ return(adapter.dispatch('utc_to_local', 'lms_warehouse')(timestamp_expression, zone_expression)) }}
{%- endmacro %}

{% macro default__utc_to_local(timestamp_expression, zone_expression) -%}
    timezone({{ zone_expression }}, timezone('UTC', {{ timestamp_expression }}))
{%- endmacro %}

{% macro spark__utc_to_local(timestamp_expression, zone_expression) -%}
    from_utc_timestamp({{ timestamp_expression }}, {{ zone_expression }})
{%- endmacro %}


{#- SQL boolean: the text is an IANA time zone name the engine knows. -#}
{% macro is_valid_time_zone(zone_expression) -%}
    {{ return(adapter.dispatch('is_valid_time_zone', 'lms_warehouse')(zone_expression)) }}
{%- endmacro %}

{% macro default__is_valid_time_zone(zone_expression) -%}
    ({{ zone_expression }} in (select name from pg_timezone_names()))
{%- endmacro %}

{% macro spark__is_valid_time_zone(zone_expression) -%}
    {#- Spark has no zone list: a region-style name is accepted and an unknown one converts to null. -#}
    ({{ zone_expression }} rlike '^[A-Za-z_]+(/[A-Za-z0-9_+-]+)+$' or {{ zone_expression }} = 'UTC')
{%- endmacro %}
