{#- Seconds from one timestamp to a later one, as a double (fractions of a second kept). -#}
{% macro seconds_between(start_expression, end_expression) -%}
    ({{ epoch_seconds(end_expression) }} - {{ epoch_seconds(start_expression) }})
{%- endmacro %}
