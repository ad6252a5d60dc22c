{{
    config(
        materialized=incremental_materialization(),
        meta=engine_specific('incremental'),
        incremental_strategy='append',
        tags=['incremental_events'],
        pre_hook="{{ delete_dirty_rows('learner_as_of_days', reads_catalog=true) }}",
        post_hook="{{ record_model_as_of() }}",
    )
}}

{%- set scope = incremental_scope(reads_catalog=true, announce=true, as_of_dependent=true) %}

with

course_progress as (

    select * from {{ ref('v_course_progress') }}

),

course_activity_days as (

    select * from {{ ref('int_course_activity_days') }}

),

steps_completed as (

    select * from {{ ref('int_steps_completed') }}

),

as_of as (

    select cast({{ dbt.date_trunc('day', as_of_timestamp()) }} as date) as as_of_date

),

learner_spans as (

    select
        organization_id,
        student_id,
        course_id,
        min(activity_date) as first_date
    from course_activity_days
    group by organization_id, student_id, course_id

),

-- every UTC day from the learner's first progress event on the course to the as-of day
every_learner_day as (

    select
        learner_spans.organization_id,
        learner_spans.student_id,
        learner_spans.course_id,
        {{ day_series('learner_spans.first_date', 'as_of.as_of_date') }} as date
    from learner_spans
    cross join as_of

),

-- the days this build computes, the rows the pre-hook deleted (key learner_as_of_days): in an incremental
-- build every day of the recomputed learners and everyone's days from the previous as-of's date on
learner_days as (

    select * from every_learner_day
    where {{ is_dirty('every_learner_day', 'learner_as_of_days', scope) }}

),

step_days as (

    select
        organization_id,
        student_id,
        course_id,
        cast({{ dbt.date_trunc('day', 'completed_at') }} as date) as completed_date
    from steps_completed
    where course_id is not null

),

progress_by_day as (

    select
        learner_days.organization_id,
        learner_days.student_id,
        learner_days.course_id,
        learner_days.date,
        count(step_days.completed_date) as classes_completed
    from learner_days
    left join step_days
        on learner_days.organization_id = step_days.organization_id
        and learner_days.student_id = step_days.student_id
        and learner_days.course_id = step_days.course_id
        and step_days.completed_date <= learner_days.date
    group by learner_days.organization_id, learner_days.student_id, learner_days.course_id, learner_days.date

),

activity_by_day as (

    select
        learner_days.organization_id,
        learner_days.student_id,
        learner_days.course_id,
        learner_days.date,
        max(course_activity_days.activity_date) as last_activity_date
    from learner_days
    inner join course_activity_days
        on learner_days.organization_id = course_activity_days.organization_id
        and learner_days.student_id = course_activity_days.student_id
        and learner_days.course_id = course_activity_days.course_id
        and course_activity_days.activity_date <= learner_days.date
    group by learner_days.organization_id, learner_days.student_id, learner_days.course_id, learner_days.date

),

joined as (

    select
        progress_by_day.organization_id,
        progress_by_day.student_id,
        progress_by_day.course_id,
        progress_by_day.date,
        progress_by_day.classes_completed,
        -- the rule: macro course_progress_pct
        cast(
            {{ course_progress_pct('progress_by_day.classes_completed', 'course_progress.classes_total') }} as double
        ) as progress_pct,
        case
            when cast({{ dbt.date_trunc('day', 'course_progress.completed_at') }} as date) <= progress_by_day.date
                then 1
            else 0
        end as is_completed,
        case
            when activity_by_day.last_activity_date
                > {{ dbt.dateadd('day', -1 * var('active_window_days'), 'progress_by_day.date') }}
                then 1
            else 0
        end as is_active_7d,
        case
            when activity_by_day.last_activity_date
                <= {{ dbt.dateadd('day', -1 * var('at_risk_inactive_days'), 'progress_by_day.date') }}
                then 1
            else 0
        end as is_inactive
    from progress_by_day
    inner join activity_by_day
        on progress_by_day.organization_id = activity_by_day.organization_id
        and progress_by_day.student_id = activity_by_day.student_id
        and progress_by_day.course_id = activity_by_day.course_id
        and progress_by_day.date = activity_by_day.date
    inner join course_progress
        on progress_by_day.organization_id = course_progress.organization_id
        and progress_by_day.student_id = course_progress.student_id
        and progress_by_day.course_id = course_progress.course_id

),

final as (

    select
        organization_id,
        student_id,
        course_id,
        date,
        classes_completed,
        progress_pct,
        is_completed,
        is_active_7d,
        is_inactive
    from joined

)

select
    organization_id,
    student_id,
    course_id,
    date,
    classes_completed,
    progress_pct,
    is_completed,
    is_active_7d,
    is_inactive
from final
