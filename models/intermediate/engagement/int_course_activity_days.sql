{{
    config(
        meta=engine_specific('incremental_by_learner'),
        tags=['incremental_events'],
        pre_hook="{{ delete_dirty_rows('learner_as_of', reads_catalog=true) }}",
        post_hook="{{ record_model_as_of() }}",
        **incremental_settings(spark_partition_by=['learner_bucket'])
    )
}}

{%- set scope = incremental_scope(reads_catalog=true, announce=true, as_of_dependent=true) %}

with

video_pings as (

    select * from {{ ref('int_video_pings') }} as scoped
    where {{ is_dirty('scoped', 'learner_as_of', scope) }}

),

quiz_submissions as (

    select * from {{ ref('int_quiz_submissions') }} as scoped
    where {{ is_dirty('scoped', 'learner_as_of', scope) }}

),

user_progress as (

    select * from {{ ref('v_user_progress') }} as scoped
    where {{ is_dirty('scoped', 'learner_as_of', scope) }}

),

as_of as (

    select {{ as_of_timestamp() }} as as_of_at

),

progress_events as (

    select
        organization_id,
        student_id,
        class_id,
        occurred_at,
        0 as is_quiz_attempt,
        0 as is_failed_attempt,
        cast(null as double) as score_pct
    from video_pings

    union all

    select
        organization_id,
        student_id,
        class_id,
        occurred_at,
        1 as is_quiz_attempt,
        case when passed = 1 then 0 else 1 end as is_failed_attempt,
        100.0 * score_ratio as score_pct
    from quiz_submissions

),

-- the course of an event is its pair's course in v_user_progress; events after the as-of instant are ignored
course_events as (

    select
        progress_events.organization_id,
        progress_events.student_id,
        user_progress.course_id,
        cast({{ dbt.date_trunc('day', 'progress_events.occurred_at') }} as date) as activity_date,
        progress_events.occurred_at,
        progress_events.is_quiz_attempt,
        progress_events.is_failed_attempt,
        progress_events.score_pct
    from progress_events
    inner join user_progress
        on progress_events.organization_id = user_progress.organization_id
        and progress_events.student_id = user_progress.student_id
        and progress_events.class_id = user_progress.class_id
    cross join as_of
    where user_progress.course_id is not null
        and progress_events.occurred_at <= as_of.as_of_at

),

final as (

    select
        organization_id,
        student_id,
        course_id,
        activity_date,
        count(*) as progress_events,
        {{ integer_sum('is_quiz_attempt') }} as quiz_attempts,
        {{ integer_sum('case when is_quiz_attempt = 1 then is_failed_attempt else 0 end') }} as failed_quiz_attempts,
        count(score_pct) as scored_quiz_attempts,
        {{ exact_sum('score_pct') }} as quiz_score_pct_sum,
        min(occurred_at) as first_event_at,
        max(occurred_at) as last_event_at
    from course_events
    group by organization_id, student_id, course_id, activity_date

)

select
    organization_id,
    student_id,
    course_id,
    activity_date,
    progress_events,
    quiz_attempts,
    failed_quiz_attempts,
    scored_quiz_attempts,
    quiz_score_pct_sum,
    first_event_at,
    last_event_at,
    {{ learner_bucket('organization_id', 'student_id') }} as learner_bucket
from final
