{#- The learners of each course on each UTC day, from their state at the end of the day
    (int_learner_course_days): the figures v_admin_overview_daily publishes. -#}
with

learner_course_days as (

    select * from {{ ref('int_learner_course_days') }}

),

course_days as (

    select
        organization_id,
        course_id,
        date,
        count(*) as enrolled_learners,
        {{ integer_sum('is_active_7d') }} as active_learners_7d,
        {{ integer_sum('is_completed') }} as learners_completed,
        {{ integer_sum('is_at_risk') }} as learners_at_risk,
        percentile_cont(0.5) within group (order by progress_pct) as median_progress_pct
    from learner_course_days
    group by organization_id, course_id, date

),

final as (

    select
        organization_id,
        course_id,
        date,
        enrolled_learners,
        active_learners_7d,
        learners_completed,
        {{ round_decimal('cast(learners_completed as double) / enrolled_learners', 6) }} as completion_rate,
        {{ round_decimal('median_progress_pct', 2) }} as median_progress_pct,
        learners_at_risk
    from course_days

)

select
    organization_id,
    course_id,
    date,
    enrolled_learners,
    active_learners_7d,
    learners_completed,
    completion_rate,
    median_progress_pct,
    learners_at_risk
from final
