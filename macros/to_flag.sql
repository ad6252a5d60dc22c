{#- A boolean-like value (true/false, 1/0, yes/no, as JSON text or SQL) as an integer flag 1/0;
    null when it is missing or not recognised. -#}
{% macro to_flag(expression) -%}
    case
        when lower(trim(cast({{ expression }} as {{ dbt.type_string() }}))) in ('true', 't', '1', 'yes', 'y') then 1
        when lower(trim(cast({{ expression }} as {{ dbt.type_string() }}))) in ('false', 'f', '0', 'no', 'n') then 0
    end
{%- endmacro %}
