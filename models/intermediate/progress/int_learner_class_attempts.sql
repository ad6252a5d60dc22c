{#- The stuck-point rule per learner and class (macros/rules/stuck_point.sql), kept incrementally (key pair):
    int_class_stuck_points and int_class_stuck_days aggregate these rows per class instead of every quiz
    submission and ping. -#}
{{
    config(
        meta=engine_specific('incremental_by_learner'),
        tags=['incremental_events'],
        pre_hook="{{ delete_dirty_rows('pair', reads_catalog=false) }}",
        **incremental_settings(spark_partition_by=['learner_bucket'])
    )
}}

{%- set scope = incremental_scope(reads_catalog=false) %}

with

quiz_submissions as (

    select * from {{ ref('int_quiz_submissions') }} as scoped
    where {{ is_dirty('scoped', 'pair', scope) }}

),

video_pings as (

    select * from {{ ref('int_video_pings') }} as scoped
    where {{ is_dirty('scoped', 'pair', scope) }}

),

-- the attempts of each learner on each class in time order (ties: the smallest event id first)
numbered_attempts as (

    select
        organization_id,
        student_id,
        class_id,
        passed,
        score_ratio,
        occurred_at,
        row_number() over (
            partition by organization_id, student_id, class_id
            order by occurred_at, event_id
        ) as attempt_number
    from quiz_submissions

),

-- attempts until the first pass (that one included; all of them when never passed)
learner_attempts as (

    select
        organization_id,
        student_id,
        class_id,
        count(*) as attempts,
        count(*) - count(case when passed = 1 then 1 end) as failed_attempts,
        cast(min(case when passed = 1 then attempt_number end) as bigint) as attempts_to_pass,
        coalesce(min(case when passed = 1 then attempt_number end), count(*)) as attempts_until_pass,
        max(100.0 * score_ratio) as best_score_pct,
        min(case when attempt_number = {{ stuck_attempt_number() }} then occurred_at end) as past_threshold_at
    from numbered_attempts
    group by organization_id, student_id, class_id

),

first_activity as (

    select
        organization_id,
        student_id,
        class_id,
        min(occurred_at) as first_activity_at
    from (
        select
            organization_id,
            student_id,
            class_id,
            occurred_at
        from video_pings
        union all
        select
            organization_id,
            student_id,
            class_id,
            occurred_at
        from quiz_submissions
    ) as progress_events
    group by organization_id, student_id, class_id

),

final as (

    select
        first_activity.organization_id,
        first_activity.student_id,
        first_activity.class_id,
        first_activity.first_activity_at,
        learner_attempts.attempts,
        learner_attempts.failed_attempts,
        learner_attempts.attempts_to_pass,
        learner_attempts.attempts_until_pass,
        learner_attempts.best_score_pct,
        case
            when {{ is_stuck('learner_attempts.attempts_until_pass') }} then learner_attempts.past_threshold_at
        end as stuck_at
    from first_activity
    left join learner_attempts
        on first_activity.organization_id = learner_attempts.organization_id
        and first_activity.student_id = learner_attempts.student_id
        and first_activity.class_id = learner_attempts.class_id

)

select
    organization_id,
    student_id,
    class_id,
    first_activity_at,
    attempts,
    failed_attempts,
    attempts_to_pass,
    attempts_until_pass,
    best_score_pct,
    stuck_at,
    {{ learner_bucket('organization_id', 'student_id') }} as learner_bucket
from final
