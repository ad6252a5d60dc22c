{#- The course progress rule, per learner and course: the course's classes with requirements, the learner's
    completed ones, the percentage (macro course_progress_pct) and completion (every one completed, at the latest
    step). v_course_progress publishes it, int_courses_completed lists the completions. Incremental by learner. -#}
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

student_classes as (

    select * from {{ ref('int_student_classes_active') }} as scoped
    where {{ is_dirty('scoped', 'learner', scope) }}

),

class_requirements as (

    select * from {{ ref('int_class_requirements') }}

),

steps_completed as (

    select * from {{ ref('int_steps_completed') }} as scoped
    where {{ is_dirty('scoped', 'learner', scope) }}

),

-- (student, course) pairs with any progress event in one of the course's classes
student_courses as (

    select
        organization_id,
        student_id,
        course_id,
        max(last_activity_at) as last_activity_at
    from student_classes
    where course_id is not null
    group by organization_id, student_id, course_id

),

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

joined as (

    select
        student_courses.organization_id,
        student_courses.student_id,
        student_courses.course_id,
        coalesce(course_requirements.classes_total, 0) as classes_total,
        coalesce(student_course_steps.classes_completed, 0) as classes_completed,
        -- complete when every one of the course's classes with requirements is, at the latest step; a course
        -- without such a class never completes
        case
            when student_course_steps.classes_completed = course_requirements.classes_total
                then student_course_steps.last_step_completed_at
        end as completed_at,
        student_courses.last_activity_at
    from student_courses
    left join course_requirements
        on student_courses.organization_id = course_requirements.organization_id
        and student_courses.course_id = course_requirements.course_id
    left join student_course_steps
        on student_courses.organization_id = student_course_steps.organization_id
        and student_courses.student_id = student_course_steps.student_id
        and student_courses.course_id = student_course_steps.course_id

),

final as (

    select
        organization_id,
        student_id,
        course_id,
        classes_total,
        classes_completed,
        cast({{ course_progress_pct('classes_completed', 'classes_total') }} as decimal(5, 2)) as progress_pct,
        completed_at is not null as is_completed,
        completed_at,
        last_activity_at
    from joined

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
    last_activity_at,
    {{ learner_bucket('organization_id', 'student_id') }} as learner_bucket
from final
