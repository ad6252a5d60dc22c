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

student_classes as (

    select * from {{ ref('int_student_classes_active') }} as scoped
    where {{ is_dirty('scoped', 'learner', scope) }}

),

video_completed as (

    select
        'VIDEO_COMPLETED' as signal_type,
        video_completions.organization_id,
        video_completions.student_id,
        student_classes.course_id,
        video_completions.class_id,
        {{ json_object_text({
            'video_id': 'video_completions.video_id',
            'position_sec': 'video_completions.position_sec',
            'duration_sec': 'video_completions.duration_sec'
        }) }} as data_json,
        video_completions.completed_at as created_at
    from video_completions
    left join student_classes
        on video_completions.organization_id = student_classes.organization_id
        and video_completions.student_id = student_classes.student_id
        and video_completions.class_id = student_classes.class_id

),

quiz_passed as (

    select
        'QUIZ_PASSED' as signal_type,
        quiz_passes.organization_id,
        quiz_passes.student_id,
        student_classes.course_id,
        quiz_passes.class_id,
        {{ json_object_text({
            'quiz_id': 'quiz_passes.quiz_id',
            'score': 'quiz_passes.score',
            'max_score': 'quiz_passes.max_score'
        }) }} as data_json,
        quiz_passes.passed_at as created_at
    from quiz_passes
    left join student_classes
        on quiz_passes.organization_id = student_classes.organization_id
        and quiz_passes.student_id = student_classes.student_id
        and quiz_passes.class_id = student_classes.class_id

),

step_completed as (

    select
        'STEP_COMPLETED' as signal_type,
        steps_completed.organization_id,
        steps_completed.student_id,
        student_classes.course_id,
        steps_completed.class_id,
        {{ json_object_text({'step_type': 'steps_completed.step_type'}) }} as data_json,
        steps_completed.completed_at as created_at
    from steps_completed
    left join student_classes
        on steps_completed.organization_id = student_classes.organization_id
        and steps_completed.student_id = student_classes.student_id
        and steps_completed.class_id = student_classes.class_id

),

course_completed as (

    select
        'COURSE_COMPLETED' as signal_type,
        organization_id,
        student_id,
        course_id,
        cast(null as {{ dbt.type_string() }}) as class_id,
        {{ json_object_text({'classes_count': 'classes_total'}) }} as data_json,
        completed_at as created_at
    from courses_completed

),

unioned as (

    select * from video_completed
    union all
    select * from quiz_passed
    union all
    select * from step_completed
    union all
    select * from course_completed

),

final as (

    select
        {{ signal_id('organization_id', 'signal_type', 'student_id', 'coalesce(class_id, course_id)') }} as signal_id,
        organization_id,
        signal_type,
        student_id,
        course_id,
        class_id,
        data_json,
        created_at
    from unioned

)

select
    *,
    {{ learner_bucket('organization_id', 'student_id') }} as learner_bucket
from final
