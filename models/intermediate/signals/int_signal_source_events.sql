{{
    config(
        meta=engine_specific('incremental_by_learner'),
        tags=['incremental_events'],
        pre_hook="{{ delete_dirty_rows('learner', reads_catalog=true) }}",
        **incremental_settings(spark_partition_by=['learner_bucket'])
    )
}}

{%- set scope = incremental_scope(reads_catalog=true, announce=true) %}

with

video_completions as (

    select * from {{ ref('int_video_completions') }} as scoped
    where {{ is_dirty('scoped', 'learner', scope) }}

),

quiz_passes as (

    select * from {{ ref('int_quiz_passes') }} as scoped
    where {{ is_dirty('scoped', 'learner', scope) }}

),

steps_completed as (

    select * from {{ ref('int_steps_completed') }} as scoped
    where {{ is_dirty('scoped', 'learner', scope) }}

),

courses_completed as (

    select * from {{ ref('int_courses_completed') }} as scoped
    where {{ is_dirty('scoped', 'learner', scope) }}

),

-- one row per (signal, event that made it true)
signal_events as (

    -- VIDEO_COMPLETED: the earliest qualifying ping
    select
        organization_id,
        'VIDEO_COMPLETED' as signal_type,
        student_id,
        class_id as scope_id,
        event_id
    from video_completions

    union all

    -- QUIZ_PASSED: the earliest passing submit
    select
        organization_id,
        'QUIZ_PASSED' as signal_type,
        student_id,
        class_id as scope_id,
        event_id
    from quiz_passes

    union all

    -- STEP_COMPLETED: the events of its requirements
    select
        organization_id,
        'STEP_COMPLETED' as signal_type,
        student_id,
        class_id as scope_id,
        video_event_id as event_id
    from steps_completed
    where video_event_id is not null

    union all

    select
        organization_id,
        'STEP_COMPLETED' as signal_type,
        student_id,
        class_id as scope_id,
        quiz_event_id as event_id
    from steps_completed
    where quiz_event_id is not null

    union all

    -- COURSE_COMPLETED: the events of its steps
    select
        courses_completed.organization_id,
        'COURSE_COMPLETED' as signal_type,
        courses_completed.student_id,
        courses_completed.course_id as scope_id,
        steps_completed.video_event_id as event_id
    from courses_completed
    inner join steps_completed
        on courses_completed.organization_id = steps_completed.organization_id
        and courses_completed.student_id = steps_completed.student_id
        and courses_completed.course_id = steps_completed.course_id
    where steps_completed.video_event_id is not null

    union all

    select
        courses_completed.organization_id,
        'COURSE_COMPLETED' as signal_type,
        courses_completed.student_id,
        courses_completed.course_id as scope_id,
        steps_completed.quiz_event_id as event_id
    from courses_completed
    inner join steps_completed
        on courses_completed.organization_id = steps_completed.organization_id
        and courses_completed.student_id = steps_completed.student_id
        and courses_completed.course_id = steps_completed.course_id
    where steps_completed.quiz_event_id is not null

),

final as (

    select distinct
        {{ signal_id('organization_id', 'signal_type', 'student_id', 'scope_id') }} as signal_id,
        organization_id,
        signal_type,
        student_id,
        scope_id,
        event_id
    from signal_events

)

select
    *,
    {{ learner_bucket('organization_id', 'student_id') }} as learner_bucket
from final
