{#- Build a small JSON object as text from a dict {key: sql expression}; keys keep their order.
    e.g. json_object_text({'video_id': 'video_id', 'position_sec': 'position_sec'}) -#}
{% macro json_object_text(fields) -%}
    {{ return(adapter.dispatch('json_object_text', 'lms_warehouse')(fields)) }}
{%- endmacro %}

{% macro default__json_object_text(fields) -%}
    cast(json_object(
        {%- for key, expression in fields.items() %}
        '{{ key }}', {{ expression }}{{ "," if not loop.last }}
        {%- endfor %}
    ) as {{ dbt.type_string() }})
{%- endmacro %}

{#- Spark leaves null fields out unless told; DuckDB writes them as null. -#}
{% macro spark__json_object_text(fields) -%}
    to_json(named_struct(
        {%- for key, expression in fields.items() %}
        '{{ key }}', {{ expression }}{{ "," if not loop.last }}
        {%- endfor %}
    ), map('ignoreNullFields', 'false'))
{%- endmacro %}
