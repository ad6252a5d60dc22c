{#- A sub-object or array of a JSON object text, kept as JSON text (null when missing or JSON null).
    Used for the *_json columns (emails, address, media...). -#}
{% macro json_extract_json(json_text, path) -%}
    {{ return(adapter.dispatch('json_extract_json', 'lms_warehouse')(json_text, path)) }}
{%- endmacro %}

{% macro default__json_extract_json(json_text, path) -%}
    nullif(cast(json_extract({{ json_text }}, '{{ path }}') as {{ dbt.type_string() }}), 'null')
{%- endmacro %}

{% macro spark__json_extract_json(json_text, path) -%}
    get_json_object({{ json_text }}, '{{ path }}')
{%- endmacro %}
