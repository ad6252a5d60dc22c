{#- The build's "now" as a UTC `timestamp`: var('as_of') ('YYYY-MM-DD HH:MM:SS', UTC), or the current
    time when it is null or empty. One build sees one instant because the CLI always passes as_of. -#}
{% macro as_of_timestamp() -%}
    {%- set raw = var('as_of', none) -%}
    {%- if raw is none or (raw | string | trim) in ('', 'null', 'None') -%}
        {{ current_timestamp_utc() }}
    {%- else -%}
        {#- YAML may hand over a datetime object: its string form is 'YYYY-MM-DD HH:MM:SS'. -#}
        {%- set text = raw | string | trim | replace('T', ' ') -%}
        {%- if text.endswith('Z') -%}{%- set text = text[:-1] -%}{%- endif -%}
        {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?)?$', text) -%}
            {{ exceptions.raise_compiler_error(
                "var('as_of') = '" ~ raw ~ "' is not a UTC time: pass --vars '{as_of: \"YYYY-MM-DD HH:MM:SS\"}' or null") }}
        {%- endif -%}
        cast('{{ text }}' as timestamp)
    {%- endif -%}
{%- endmacro %}
