{#- A scalar of a JSON object text as a string (null when the key is missing or JSON null).
    `path` is a JSONPath such as '$.video_id'. -#}
{% macro json_extract_string(json_text, path) -%}
    {{ return(adapter.dispatch('json_extract_string', 'lms_warehouse')(json_text, path)) }}
{%- endmacro %}

{% macro default__json_extract_string(json_text, path) -%}
    json_extract_string({{ json_text }}, '{{ path }}')
{%- endmacro %}

{% macro spark__json_extract_string(json_text, path) -%}
    get_json_object({{ json_text }}, '{{ path }}')
{%- endmacro %}
