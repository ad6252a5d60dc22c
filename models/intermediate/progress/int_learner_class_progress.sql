{#- Each learner's progress on each class, assembled from the pair's video and quiz rules (v_user_progress
    publishes it). Incremental by pair. -#}
{{
    config(
        meta=engine_specific('incremental_by_learner'),
        tags=['incremental_events'],
        pre_hook="{{ delete_dirty_rows('pair', reads_catalog=true) }}",
        **incremental_settings(spark_partition_by=['learner_bucket'])
    )
}}

{%- set scope = incremental_scope(reads_catalog=true, announce=true) %}

with

student_classes as (

    select * from {{ ref('int_student_classes_active') }} as scoped
    where {{ is_dirty('scoped', 'pair', scope) }}

),

video_pings as (

    select * from {{ ref('int_video_pings') }} as scoped
    where {{ is_dirty('scoped', 'pair', scope) }}

),

video_completions as (

    select * from {{ ref('int_video_completions') }} as scoped
    where {{ is_dirty('scoped', 'pair', scope) }}

),

quiz_best_attempts as (

    select * from {{ ref('int_quiz_best_attempts') }} as scoped
    where {{ is_dirty('scoped', 'pair', scope) }}

),

quiz_passes as (

    select * from {{ ref('int_quiz_passes') }} as scoped
    where {{ is_dirty('scoped', 'pair', scope) }}

),

time_on_task as (

    select * from {{ ref('int_time_on_task') }} as scoped
    where {{ is_dirty('scoped', 'pair', scope) }}

),

video_progress as (

    select
        organization_id,
        student_id,
        class_id,
        max(position_sec) as video_max_position_sec,
        max(duration_sec) as video_duration_sec
    from video_pings
    group by organization_id, student_id, class_id

),

final as (

    select
        student_classes.organization_id,
        student_classes.student_id,
        student_classes.class_id,
        student_classes.course_id,
        video_progress.video_max_position_sec,
        video_progress.video_duration_sec,
        case when video_completions.event_id is null then 0 else 1 end as video_completed,
        video_completions.completed_at as video_completed_at,
        case when quiz_passes.event_id is null then 0 else 1 end as quiz_passed,
        quiz_best_attempts.score as quiz_score,
        quiz_best_attempts.max_score as quiz_max_score,
        quiz_passes.passed_at as quiz_passed_at,
        student_classes.last_activity_at as updated_at,
        coalesce(time_on_task.time_spent_sec, 0) as time_spent_sec
    from student_classes
    left join video_progress
        on student_classes.organization_id = video_progress.organization_id
        and student_classes.student_id = video_progress.student_id
        and student_classes.class_id = video_progress.class_id
    left join video_completions
        on student_classes.organization_id = video_completions.organization_id
        and student_classes.student_id = video_completions.student_id
        and student_classes.class_id = video_completions.class_id
    left join quiz_best_attempts
        on student_classes.organization_id = quiz_best_attempts.organization_id
        and student_classes.student_id = quiz_best_attempts.student_id
        and student_classes.class_id = quiz_best_attempts.class_id
    left join quiz_passes
        on student_classes.organization_id = quiz_passes.organization_id
        and student_classes.student_id = quiz_passes.student_id
        and student_classes.class_id = quiz_passes.class_id
    left join time_on_task
        on student_classes.organization_id = time_on_task.organization_id
        and student_classes.student_id = time_on_task.student_id
        and student_classes.class_id = time_on_task.class_id

)

select
    organization_id,
    student_id,
    class_id,
    course_id,
    video_max_position_sec,
    video_duration_sec,
    video_completed,
    video_completed_at,
    quiz_passed,
    quiz_score,
    quiz_max_score,
    quiz_passed_at,
    updated_at,
    time_spent_sec,
    {{ learner_bucket('organization_id', 'student_id') }} as learner_bucket
from final
