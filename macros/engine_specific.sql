{#- The docs site's mark of a model that is built differently on DuckDB and on Spark: `meta.engine_specific`
    says how and why (docs/spark.md). Used in the model's config: `meta=engine_specific('incremental')`.
    Differences of spelling only (date math, JSON, time zones) live in the dispatched macros of
    macros/cross_db/, each described in macros/_macros.yml. -#}
{% macro engine_specific() -%}
    {%- set why = {
        'incremental': "Incremental on DuckDB (the keys the new batches touch are replaced); a Parquet table "
            ~ "rebuilt whole on Spark (macro incremental_materialization): a published relation stays one plain "
            ~ "Parquet folder without partition folders, and a model keyed by the calendar days of every learner "
            ~ "since the previous as-of would rewrite every learner bucket anyway (the same rows either way).",
        'incremental_by_day': "Incremental on both engines: on DuckDB the keys the new batches touch are "
            ~ "replaced; on Spark the UTC days the new events occurred on (partition event_date, dbt-spark's "
            ~ "insert_overwrite), every event of those days (macro incremental_settings).",
        'incremental_by_learner': "Incremental on both engines: on DuckDB the learners or (learner, class) "
            ~ "pairs the new batches touch are replaced; on Spark the learner buckets they fall in (partition "
            ~ "learner_bucket, dbt-spark's insert_overwrite), every learner of those buckets (macro "
            ~ "incremental_settings).",
        'hearts_fold': "The hearts states are a recursive CTE on DuckDB and a left fold of each learner's "
            ~ "failures (aggregate) on Spark, which has no recursive CTE; the step rule is written once "
            ~ "(macro hearts_step).",
    } -%}
    {%- set notes = [] -%}
    {%- for kind in varargs -%}{%- do notes.append(why[kind]) -%}{%- endfor -%}
    {{ return({'engine_specific': notes | join(' ')}) }}
{%- endmacro %}
