{#- The keyword that makes a CTE be computed once, on its own, before the query that reads it (DuckDB and
    Postgres `as materialized`); engines without it (Spark) plan the CTE inline. -#}
{% macro materialized_cte() -%}
    {{ return(adapter.dispatch('materialized_cte', 'lms_warehouse')()) }}
{%- endmacro %}

{% macro default__materialized_cte() -%}
{%- endmacro %}

{% macro duckdb__materialized_cte() -%}
    materialized
{%- endmacro %}
