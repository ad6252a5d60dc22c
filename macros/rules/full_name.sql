{#- A person's display name: the object's name, else "first_name last_name" (null when both are missing). -#}
{% macro full_name(name, first_name, last_name) -%}
    coalesce(
        nullif(trim({{ name }}), ''),
        nullif(trim({{ dbt.concat(["coalesce(" ~ first_name ~ ", '')", "' '", "coalesce(" ~ last_name ~ ", '')"]) }}), '')
    )
{%- endmacro %}
