{#- SQL boolean: the strings a wildcard JSONPath selects in a JSON text (e.g. '$[*].url' of a media array)
    include `value`. False when the text is null or selects nothing. -#}
{% macro json_path_strings_contain(json_text, path, value) -%}
    {{ return(adapter.dispatch('json_path_strings_contain', 'lms_warehouse')(json_text, path, value)) }}
{%- endmacro %}

{% macro default__json_path_strings_contain(json_text, path, value) -%}
    coalesce(list_contains(json_extract_string({{ json_text }}, '{{ path }}'), {{ value }}), false)
{%- endmacro %}

{% macro spark__json_path_strings_contain(json_text, path, value) -%}
    coalesce(array_contains(from_json(get_json_object({{ json_text }}, '{{ path }}'), 'array<string>'), {{ value }}), false)
{%- endmacro %}
