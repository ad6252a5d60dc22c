{{
    config(
        meta=engine_specific('incremental_by_learner'),
        tags=['incremental_events'],
        pre_hook="{{ delete_dirty_rows('pair', reads_catalog=false) }}",
        **incremental_settings(spark_partition_by=['learner_bucket'])
    )
}}

{%- set scope = incremental_scope(reads_catalog=false, announce=true) %}

with

quiz_submissions as (

    select * from {{ ref('int_quiz_submissions') }} as scoped
    where {{ is_dirty('scoped', 'pair', scope) }}

),

-- the earliest passing attempt passes the quiz (ties on occurred_at: the smallest event id)
ranked as (

    select
        *,
        row_number() over (
            partition by organization_id, student_id, class_id
            order by occurred_at, event_id
        ) as pass_rank
    from quiz_submissions
    where passed = 1

),

final as (

    select
        organization_id,
        student_id,
        class_id,
        event_id,
        quiz_id,
        score,
        max_score,
        occurred_at as passed_at
    from ranked
    where pass_rank = 1

)

select
    *,
    {{ learner_bucket('organization_id', 'student_id') }} as learner_bucket
from final
