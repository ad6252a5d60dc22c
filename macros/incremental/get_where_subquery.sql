{#- Overrides dbt's get_where_subquery (the relation a generic data test reads): a test's own `where`
    config as in dbt, and, for an incremental model just built in this `dbt build`, only the rows that build
    recomputed (macro recomputed_rows_condition, incremental_events.sql). -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set recomputed = recomputed_rows_condition(relation, 'recomputed') -%}
    {%- if not where and not recomputed -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set filtered -%}
        (
            select * from {{ relation }} as recomputed
            where {{ recomputed if recomputed else '1 = 1' }}
                and ({{ where if where else '1 = 1' }})
        ) dbt_subquery
    {%- endset -%}
    {{ return(filtered) }}
{%- endmacro %}
