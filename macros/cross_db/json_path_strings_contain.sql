{#- SQL boolean: the strings a wildcard JSONPath selects in a JSON text (e.g. '$[*].url' of a media array)
    include `value`. False when the text is null or selects nothing. -#}
{% macro json_path_strings_contain(json_text, path, value) -%}
    {{ return(adapter.dispatch('json_path_strings_contain', 'lms_warehouse')(json_text, path, value)) }}
{%- endmacro %}

{% macro default__json_path_strings_contain(json_text, path, value) -%}
    coalesce(list_contains(json_extract_string({{ json_text }}, '{{ path }}'), {{ value }}), false)
{%- endmacro %}

{#- get_json_object returns a wildcard path's single match as that JSON value, not as a one-item array
    ('"https://..."', not '["https://..."]'): a selection that is no array is wrapped into one. -#}
{% macro spark__json_path_strings_contain(json_text, path, value) -%}
    {%- set selected = "get_json_object(" ~ json_text ~ ", '" ~ path ~ "')" -%}
    coalesce(array_contains(
        case
            when left(ltrim({{ selected }}), 1) = '[' then from_json({{ selected }}, 'array<string>')
            else from_json(concat('[', {{ selected }}, ']'), 'array<string>')
        end, {{ value }}), false)
{%- endmacro %}
