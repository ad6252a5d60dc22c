{#- Spark only (`lms-warehouse build --target spark` runs it before the build, dbt_runner/spark_target.py):
    each landing table becomes a view over its folder in the landing lake, read by path (a new partition is seen
    at once), with the landing table's own columns and types; a table the lake holds nothing of yet is an empty
    view of the same columns. `tables`: {table: {"path": folder or none, "columns": [[name, spark type], ...]}}.
    Partition values are read as text (spark.sql.sources.partitionColumnTypeInference.enabled is off for the
    session): a tenant id that looks like a number stays the text it was. -#}
{% macro create_landing_views(tables) %}
    {%- do run_query("create database if not exists landing") -%}
    {%- for table, spec in tables.items() -%}
        {%- set columns = [] -%}
        {%- for name, data_type in spec['columns'] -%}
            {%- do columns.append(
                ("cast(" ~ name ~ " as " ~ data_type ~ ")" if spec['path'] else "cast(null as " ~ data_type ~ ")")
                ~ " as " ~ name) -%}
        {%- endfor -%}
        {%- set body = "select " ~ columns | join(", ")
            ~ (" from parquet.`" ~ spec['path'] ~ "`" if spec['path'] else " where false") -%}
        {%- do run_query("create or replace view landing." ~ table ~ " as " ~ body) -%}
    {%- endfor -%}
    {%- do log("landing: " ~ tables | length ~ " views over the lake", info=true) -%}
{% endmacro %}
