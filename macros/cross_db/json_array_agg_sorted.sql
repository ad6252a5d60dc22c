{#- Aggregate: the distinct non-null values of a string column as a sorted JSON array text,
    e.g. '["evt-1","evt-2"]'. Used with a group by. -#}
{% macro json_array_agg_sorted(column) -%}
    {{ return(adapter.dispatch('json_array_agg_sorted', 'lms_warehouse')(column)) }}
{%- endmacro %}

{% macro default__json_array_agg_sorted(column) -%}
    cast(to_json(list(distinct {{ column }} order by {{ column }}) filter (where {{ column }} is not null)) as {{ dbt.type_string() }})
{%- endmacro %}

{% macro spark__json_array_agg_sorted(column) -%}
    to_json(array_sort(collect_set({{ column }})))
{%- endmacro %}
