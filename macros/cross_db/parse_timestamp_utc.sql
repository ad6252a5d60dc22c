{#- An ISO-8601 text (with or without offset; without one it is read as UTC) as a UTC `timestamp`
    without time zone; null when the text is not a timestamp. -#}
{% macro parse_timestamp_utc(text_expression) -%}
    {{ return(adapter.dispatch('parse_timestamp_utc', 'lms_warehouse')(text_expression)) }}
{%- endmacro %}

{% macro default__parse_timestamp_utc(text_expression) -%}
    timezone('UTC', try_cast({{ text_expression }} as timestamptz))
{%- endmacro %}

{% macro spark__parse_timestamp_utc(text_expression) -%}
    {#- Spark reads an offset-less text in the session time zone, which the Spark profile sets to UTC. -#}
    to_utc_timestamp(to_timestamp({{ text_expression }}), 'UTC')
{%- endmacro %}
