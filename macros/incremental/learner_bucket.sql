{#- A learner's bucket, 0 to 31: the partition of the per-learner and per-(learner, class) incremental models on
    Spark (macro incremental_settings). A build there rewrites the buckets of the learners its new events touch,
    every learner of those buckets, recomputed from their whole history: exact, because a learner's rows never
    depend on another learner's. The hash differs per engine (DuckDB has no xxhash64); the column is not
    published and no rule reads its value. Changing the number of buckets needs a full refresh. -#}
{% macro learner_bucket(organization_id, student_id) -%}
    {{ return(adapter.dispatch('learner_bucket')(organization_id, student_id)) }}
{%- endmacro %}

{% macro default__learner_bucket(organization_id, student_id) -%}
    cast(hash({{ organization_id }}, {{ student_id }}) % 32 as integer)
{%- endmacro %}

{% macro spark__learner_bucket(organization_id, student_id) -%}
    cast(pmod(xxhash64({{ organization_id }}, {{ student_id }}), 32) as int)
{%- endmacro %}
