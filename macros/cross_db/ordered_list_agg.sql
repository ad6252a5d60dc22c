{#- Aggregate: the values of a column as a LIST column, in the order of another (ties by the value). A list
    is a LIST, never a joined string: a client reads its items without splitting text. The Spark variant
    belongs with the Spark issue's equality test (an engine variant no test runs does not exist yet). -#}
{% macro ordered_list_agg(column, order_by) -%}
    {{ return(adapter.dispatch('ordered_list_agg', 'lms_warehouse')(column, order_by)) }}
{%- endmacro %}

{% macro default__ordered_list_agg(column, order_by) -%}
    list({{ column }} order by {{ order_by }}, {{ column }})
{%- endmacro %}
