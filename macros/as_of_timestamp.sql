{#- The build's "now" as a UTC `timestamp`: var('as_of') ('YYYY-MM-DD HH:MM:SS', UTC), else the environment
    variable LMS_AS_OF (set by the CLI and Dagster for every build, so one build sees one instant), else the
    current time. -#}
{% macro as_of_timestamp() -%}
    {%- set raw = run_setting('as_of', 'LMS_AS_OF') -%}
    {%- if raw is none -%}
        {{ current_timestamp_utc() }}
    {%- else -%}
        {#- YAML may hand over a datetime object: its string form is 'YYYY-MM-DD HH:MM:SS'. -#}
        {%- set text = raw | string | trim | replace('T', ' ') -%}
        {%- if text.endswith('Z') -%}{%- set text = text[:-1] -%}{%- endif -%}
        {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?)?$', text) -%}
            {{ exceptions.raise_compiler_error(
                "as_of = '" ~ raw ~ "' (var as_of, else LMS_AS_OF) is not a UTC time: use 'YYYY-MM-DD HH:MM:SS' or leave it unset") }}
        {%- endif -%}
        cast('{{ text }}' as timestamp)
    {%- endif -%}
{%- endmacro %}
