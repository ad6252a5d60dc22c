{#- How an incremental model is written, per engine: the one place a strategy is chosen.
    - DuckDB: dbt's `append`, after the pre-hook delete_dirty_rows removed the rows of the keys being recomputed.
    - Spark on Parquet (no DELETE; MERGE needs Delta or Iceberg): dbt-spark's `insert_overwrite` with
      `partition_by` = `spark_partition_by`: dynamic partition overwrite replaces exactly the partitions present
      in the model's new rows, so the model must return *every* row of each partition it touches (macro
      in_touched_days). A model without a partition unit yet is a table, rebuilt whole.
    `insert_overwrite` without `partition_by` would replace the whole table with the new rows: refused here, and
    tests/test_spark.py checks that every incremental model on Spark has a partition. -#}
{% macro incremental_settings(spark_partition_by=none) -%}
    {%- if target.type != 'spark' -%}
        {{ return({'materialized': 'incremental', 'incremental_strategy': 'append'}) }}
    {%- elif spark_partition_by is none -%}
        {{ return({'materialized': 'table'}) }}
    {%- elif spark_partition_by is string or spark_partition_by | length == 0 -%}
        {{ exceptions.raise_compiler_error("incremental_settings: spark_partition_by must be a non-empty list of "
            ~ "columns (insert_overwrite without partitions replaces the whole table)") }}
    {%- else -%}
        {{ return({'materialized': 'incremental', 'incremental_strategy': 'insert_overwrite',
                   'partition_by': spark_partition_by, 'file_format': 'parquet'}) }}
    {%- endif -%}
{%- endmacro %}


{#- Whether this build writes the model by replacing whole partitions (Spark's insert_overwrite). -#}
{% macro overwrites_partitions() -%}
    {{ return(is_incremental_run() and config.get('incremental_strategy') == 'insert_overwrite') }}
{%- endmacro %}


{#- SQL condition: the UTC date of `column` is a day the new batches' events occurred on (their partitions). -#}
{% macro in_touched_days(column) -%}
    cast({{ column }} as date) in (select distinct cast(occurred_at as date) from build_state.run_events)
{%- endmacro %}


{#- SQL condition on `alias`, a model of one row per event read by an event-grain model: the rows this build
    recomputes. The events of the new batches (by event id) where their keys are deleted first (DuckDB), every
    event of the days they occurred on where whole days are overwritten (Spark; `alias` has `event_date`). -#}
{% macro event_rows_to_build(alias, scope) -%}
    {%- if overwrites_partitions() -%}
        {{ in_touched_days(alias ~ '.event_date') }}
    {%- else -%}
        {{ is_dirty(alias, 'event', scope, 'event_id') }}
    {%- endif -%}
{%- endmacro %}
