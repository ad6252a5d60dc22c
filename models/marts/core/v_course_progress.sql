{#- The published progress per learner and course: int_learner_course_progress computes it; this table keeps a
    copy of its rows with the same key (learner), so an incremental build replaces only the recomputed learners. -#}
{{
    config(
        materialized=incremental_materialization(),
        meta=engine_specific('incremental'),
        incremental_strategy='append',
        tags=['incremental_events'],
        pre_hook="{{ delete_dirty_rows('learner', reads_catalog=true) }}",
    )
}}
{%- set scope = incremental_scope(reads_catalog=true) %}

with

learner_course_progress as (

    select * from {{ ref('int_learner_course_progress') }} as scoped
    where {{ is_dirty('scoped', 'learner', scope) }}

),

final as (

    select
        organization_id,
        student_id,
        course_id,
        classes_total,
        classes_completed,
        progress_pct,
        is_completed,
        completed_at,
        last_activity_at
    from learner_course_progress

)

select
    organization_id,
    student_id,
    course_id,
    classes_total,
    classes_completed,
    progress_pct,
    is_completed,
    completed_at,
    last_activity_at
from final
