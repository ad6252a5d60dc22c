-- v_course_progress.is_completed is true exactly when a COURSE_COMPLETED signal exists for the pair, with
-- the same time; and classes_completed equals the learner's STEP_COMPLETED signals in the course's
-- requirement classes. Returns the disagreements.
-- a check of v_course_progress in Dagster (a test with several parents is otherwise no asset's check)
{{ config(meta={'dagster': {'ref': {'name': 'v_course_progress'}}}) }}

with

course_progress as (

    select * from {{ ref('v_course_progress') }}

),

signals as (

    select * from {{ ref('lms_signal') }}

),

class_requirements as (

    select * from {{ ref('int_class_requirements') }}

),

course_signals as (

    select
        organization_id,
        student_id,
        course_id,
        created_at
    from signals
    where type = 'COURSE_COMPLETED'

),

step_counts as (

    select
        signals.organization_id,
        signals.student_id,
        class_requirements.course_id,
        count(*) as steps
    from signals
    inner join class_requirements
        on signals.organization_id = class_requirements.organization_id
        and signals.class_id = class_requirements.class_id
    where signals.type = 'STEP_COMPLETED'
    group by signals.organization_id, signals.student_id, class_requirements.course_id

),

completion_mismatches as (

    select
        coalesce(course_progress.organization_id, course_signals.organization_id) as organization_id,
        coalesce(course_progress.student_id, course_signals.student_id) as student_id,
        coalesce(course_progress.course_id, course_signals.course_id) as course_id,
        'completion' as problem
    from course_progress
    full outer join course_signals
        on course_progress.organization_id = course_signals.organization_id
        and course_progress.student_id = course_signals.student_id
        and course_progress.course_id = course_signals.course_id
    where (course_signals.student_id is null and course_progress.is_completed)
        or (course_signals.student_id is not null and course_progress.student_id is null)
        or (course_signals.student_id is not null and not course_progress.is_completed)
        or course_progress.completed_at <> course_signals.created_at

),

count_mismatches as (

    select
        course_progress.organization_id,
        course_progress.student_id,
        course_progress.course_id,
        'classes_completed' as problem
    from course_progress
    left join step_counts
        on course_progress.organization_id = step_counts.organization_id
        and course_progress.student_id = step_counts.student_id
        and course_progress.course_id = step_counts.course_id
    where course_progress.classes_completed <> coalesce(step_counts.steps, 0)

),

final as (

    select
        organization_id,
        student_id,
        course_id,
        problem
    from completion_mismatches
    union all
    select
        organization_id,
        student_id,
        course_id,
        problem
    from count_mismatches

)

select * from final
