{#- A view: the day medians and the at-risk flag compare each learner with the course's other learners that
    day, so they are computed when read (v_admin_overview_daily reads every day once per build), over the
    incremental per-learner states. -#}
{{ config(materialized='view') }}

with

day_states as (

    select * from {{ ref('int_learner_course_day_states') }}

),

day_medians as (

    select
        organization_id,
        course_id,
        date,
        percentile_cont(0.5) within group (order by progress_pct) as median_progress_pct
    from day_states
    group by organization_id, course_id, date

),

final as (

    select
        day_states.organization_id,
        day_states.student_id,
        day_states.course_id,
        day_states.date,
        day_states.classes_completed,
        day_states.progress_pct,
        day_states.is_completed,
        day_states.is_active_7d,
        case
            when day_states.is_completed = 0
                and (
                    day_states.is_inactive = 1
                    or day_states.progress_pct
                    < day_medians.median_progress_pct - {{ var('at_risk_progress_lag_pct') }}
                )
                then 1
            else 0
        end as is_at_risk
    from day_states
    inner join day_medians
        on day_states.organization_id = day_medians.organization_id
        and day_states.course_id = day_medians.course_id
        and day_states.date = day_medians.date

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
    is_at_risk
from final
