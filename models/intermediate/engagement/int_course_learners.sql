{#- The learners of each course at the as-of instant (int_learner_course_status): the funnel, activity,
    at-risk learners and time on task that v_admin_overview publishes. -#}
with

learner_course_status as (

    select * from {{ ref('int_learner_course_status') }}

),

course_learners as (

    select
        organization_id,
        course_id,
        count(*) as enrolled_learners,
        {{ count_true('is_started') }} as learners_started,
        {{ count_true('is_half_done') }} as learners_half_done,
        {{ count_true('is_completed') }} as learners_completed,
        {{ count_true('is_active_7d') }} as active_learners_7d,
        {{ count_true('is_at_risk') }} as learners_at_risk,
        percentile_cont(0.5) within group (order by progress_pct) as median_progress_pct,
        {{ exact_sum('time_spent_sec') }} as time_spent_sec
    from learner_course_status
    group by organization_id, course_id

),

final as (

    select
        organization_id,
        course_id,
        enrolled_learners,
        learners_started,
        learners_half_done,
        learners_completed,
        active_learners_7d,
        {{ round_decimal('cast(learners_completed as double) / enrolled_learners', 6) }} as completion_rate,
        {{ round_decimal('median_progress_pct', 2) }} as median_progress_pct,
        learners_at_risk,
        {{ round_decimal('time_spent_sec', 3) }} as time_spent_sec,
        {{ round_decimal('time_spent_sec / enrolled_learners', 3) }} as mean_time_spent_sec
    from course_learners

)

select
    organization_id,
    course_id,
    enrolled_learners,
    learners_started,
    learners_half_done,
    learners_completed,
    active_learners_7d,
    completion_rate,
    median_progress_pct,
    learners_at_risk,
    time_spent_sec,
    mean_time_spent_sec
from final
