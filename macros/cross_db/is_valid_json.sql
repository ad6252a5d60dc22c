{#- SQL boolean: the text parses as JSON (false for null). -#}
{% macro is_valid_json(text_expression) -%}
    {{ return(adapter.dispatch('is_valid_json', 'lms_warehouse')(text_expression)) }}
{%- endmacro %}

{% macro default__is_valid_json(text_expression) -%}
    coalesce(json_valid({{ text_expression }}), false)
{%- endmacro %}

{% macro spark__is_valid_json(text_expression) -%}
    (get_json_object({{ text_expression }}, '$') is not null)
{%- endmacro %}
