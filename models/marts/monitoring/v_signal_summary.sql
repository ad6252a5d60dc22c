{{
    config(
        materialized=incremental_materialization(),
        meta=engine_specific('incremental'),
        incremental_strategy='append',
        tags=['incremental_events'],
        pre_hook="{{ delete_dirty_rows('learner', reads_catalog=true) }}",
    )
}}

{%- set scope = incremental_scope(reads_catalog=true, announce=true) %}

with

events as (

    select * from {{ ref('lms_event') }} as scoped
    where {{ is_dirty('scoped', 'learner', scope) }}

),

signals as (

    select * from {{ ref('lms_signal') }} as scoped
    where {{ is_dirty('scoped', 'learner', scope) }}

),

students as (

    select
        organization_id,
        student_id
    from events
    union
    select
        organization_id,
        student_id
    from signals

),

signal_counts as (

    select
        organization_id,
        student_id,
        count(case when type = 'VIDEO_COMPLETED' then 1 end) as video_completed_count,
        count(case when type = 'QUIZ_PASSED' then 1 end) as quiz_passed_count,
        count(case when type = 'STEP_COMPLETED' then 1 end) as step_completed_count,
        count(case when type = 'COURSE_COMPLETED' then 1 end) as course_completed_count
    from signals
    group by organization_id, student_id

),

final as (

    select
        students.organization_id,
        students.student_id,
        coalesce(signal_counts.video_completed_count, 0) as video_completed_count,
        coalesce(signal_counts.quiz_passed_count, 0) as quiz_passed_count,
        coalesce(signal_counts.step_completed_count, 0) as step_completed_count,
        coalesce(signal_counts.course_completed_count, 0) as course_completed_count
    from students
    left join signal_counts
        on students.organization_id = signal_counts.organization_id
        and students.student_id = signal_counts.student_id

)

select
    organization_id,
    student_id,
    video_completed_count,
    quiz_passed_count,
    step_completed_count,
    course_completed_count
from final
