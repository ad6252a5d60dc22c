{#- The completed courses: the rows of int_learner_course_progress (the course progress rule) with a completion,
    one row per (student, course); the COURSE_COMPLETED signals read them. Incremental by learner. -#}
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
        completed_at
    from learner_course_progress
    where is_completed

)

select
    *,
    {{ learner_bucket('organization_id', 'student_id') }} as learner_bucket
from final
