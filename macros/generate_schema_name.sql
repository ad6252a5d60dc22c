{#- Use the folder's schema name as it is (staging, intermediate, main), not target_schema prefixed:
    the published relation names must be stable whatever the target is. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
