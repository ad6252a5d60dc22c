{#- Aggregate: the values of a column as a LIST column, in the order of another (ties by the value). A list
    is a LIST, never a joined string: a client reads its items without splitting text. -#}
{% macro ordered_list_agg(column, order_by) -%}
    {{ return(adapter.dispatch('ordered_list_agg', 'lms_warehouse')(column, order_by)) }}
{%- endmacro %}

{% macro default__ordered_list_agg(column, order_by) -%}
    list({{ column }} order by {{ order_by }}, {{ column }})
{%- endmacro %}

{#- collect_list keeps no order: sort (order, value) pairs, then keep the values. Nulls are dropped as
    collect_list drops them (DuckDB's list keeps them; no caller aggregates a null). -#}
{% macro spark__ordered_list_agg(column, order_by) -%}
    transform(array_sort(collect_list(struct({{ order_by }} as sort_key, {{ column }} as item))), entry -> entry.item)
{%- endmacro %}
