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

class_requirements as (

    select * from {{ ref('int_class_requirements') }}

),

steps_completed as (

    select * from {{ ref('int_steps_completed') }} as scoped
    where {{ is_dirty('scoped', 'learner', scope) }}

),

-- a course needs every one of its classes that has requirements; a course without such a class never
-- completes (it does not appear here)
course_requirements as (

    select
        organization_id,
        course_id,
        count(*) as classes_total
    from class_requirements
    where course_id is not null
    group by organization_id, course_id

),

student_course_steps as (

    select
        organization_id,
        student_id,
        course_id,
        count(*) as classes_completed,
        max(completed_at) as last_step_completed_at
    from steps_completed
    where course_id is not null
    group by organization_id, student_id, course_id

),

final as (

    select
        student_course_steps.organization_id,
        student_course_steps.student_id,
        student_course_steps.course_id,
        course_requirements.classes_total,
        student_course_steps.last_step_completed_at as completed_at
    from student_course_steps
    inner join course_requirements
        on student_course_steps.organization_id = course_requirements.organization_id
        and student_course_steps.course_id = course_requirements.course_id
    where student_course_steps.classes_completed = course_requirements.classes_total

)

select * from final
