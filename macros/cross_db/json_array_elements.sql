{#- Set-returning select-list expression: one row per element of the JSON array at `path` of a JSON
    text, each element as JSON text. A missing, null or empty array gives no row. -#}
{% macro json_array_elements(json_text, path) -%}
    {{ return(adapter.dispatch('json_array_elements', 'lms_warehouse')(json_text, path)) }}
{%- endmacro %}

{% macro default__json_array_elements(json_text, path) -%}
    unnest(cast(json_extract({{ json_text }}, '{{ path }}') as json[]))
{%- endmacro %}

{% macro spark__json_array_elements(json_text, path) -%}
    explode(from_json(get_json_object({{ json_text }}, '{{ path }}'), 'array<string>'))
{%- endmacro %}
