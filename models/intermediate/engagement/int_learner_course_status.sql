with

course_progress as (

    select * from {{ ref('v_course_progress') }}

),

user_progress as (

    select * from {{ ref('v_user_progress') }}

),

course_activity_days as (

    select * from {{ ref('int_course_activity_days') }}

),

as_of as (

    select {{ as_of_timestamp() }} as as_of_at

),

time_on_course as (

    select
        organization_id,
        student_id,
        course_id,
        {{ exact_sum('time_spent_sec') }} as time_spent_sec
    from user_progress
    where course_id is not null
    group by organization_id, student_id, course_id

),

activity as (

    select
        organization_id,
        student_id,
        course_id,
        min(first_event_at) as first_activity_at,
        max(last_event_at) as last_activity_at
    from course_activity_days
    group by organization_id, student_id, course_id

),

-- the course's median progress over its learners: the yardstick for "lagging"
course_medians as (

    select
        organization_id,
        course_id,
        percentile_cont(0.5) within group (order by progress_pct) as median_progress_pct
    from course_progress
    group by organization_id, course_id

),

joined as (

    select
        course_progress.organization_id,
        course_progress.student_id,
        course_progress.course_id,
        course_progress.classes_total,
        course_progress.classes_completed,
        cast(course_progress.progress_pct as double) as progress_pct,
        course_progress.is_completed,
        course_progress.completed_at,
        coalesce(time_on_course.time_spent_sec, 0) as time_spent_sec,
        activity.first_activity_at,
        activity.last_activity_at,
        course_medians.median_progress_pct,
        coalesce(
            activity.last_activity_at > {{ dbt.dateadd('day', -1 * var('active_window_days'), 'as_of.as_of_at') }},
            false
        ) as is_active_7d,
        (
            activity.last_activity_at is null
            or activity.last_activity_at
            <= {{ dbt.dateadd('day', -1 * var('at_risk_inactive_days'), 'as_of.as_of_at') }}
        ) as is_inactive,
        coalesce(
            cast(course_progress.progress_pct as double)
            < course_medians.median_progress_pct - {{ var('at_risk_progress_lag_pct') }},
            false
        ) as is_lagging
    from course_progress
    cross join as_of
    left join time_on_course
        on course_progress.organization_id = time_on_course.organization_id
        and course_progress.student_id = time_on_course.student_id
        and course_progress.course_id = time_on_course.course_id
    left join activity
        on course_progress.organization_id = activity.organization_id
        and course_progress.student_id = activity.student_id
        and course_progress.course_id = activity.course_id
    left join course_medians
        on course_progress.organization_id = course_medians.organization_id
        and course_progress.course_id = course_medians.course_id

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
        coalesce(classes_completed > 0, false) as is_started,
        coalesce(progress_pct >= 50, false) as is_half_done,
        time_spent_sec,
        first_activity_at,
        last_activity_at,
        is_active_7d,
        not is_completed and (is_inactive or is_lagging) as is_at_risk,
        case
            when is_completed then null
            when is_inactive and is_lagging then 'inactive_and_lagging'
            when is_inactive then 'inactive'
            when is_lagging then 'lagging'
        end as at_risk_reason
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
    is_started,
    is_half_done,
    time_spent_sec,
    first_activity_at,
    last_activity_at,
    is_active_7d,
    is_at_risk,
    at_risk_reason
from final
