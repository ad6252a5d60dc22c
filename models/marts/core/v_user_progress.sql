{#- The published progress per learner and class: int_learner_class_progress assembles it; this table keeps a
    copy of its rows with the same key (pair), so an incremental build replaces only the recomputed pairs. -#}
{{
    config(
        materialized=incremental_materialization(),
        meta=engine_specific('incremental'),
        incremental_strategy='append',
        tags=['incremental_events'],
        pre_hook="{{ delete_dirty_rows('pair', reads_catalog=true) }}",
    )
}}
{%- set scope = incremental_scope(reads_catalog=true) %}

with

learner_class_progress as (

    select * from {{ ref('int_learner_class_progress') }} as scoped
    where {{ is_dirty('scoped', 'pair', scope) }}

),

final as (

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
        time_spent_sec
    from learner_class_progress

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
    time_spent_sec
from final
