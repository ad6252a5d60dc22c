{#- The activity of each course on each UTC day with any (int_course_activity_days summed over its learners):
    active learners and that day's quiz figures (macros/rules/quiz_figures.sql). -#}
with

course_activity_days as (

    select * from {{ ref('int_course_activity_days') }}

),

final as (

    select
        organization_id,
        course_id,
        activity_date as date,
        count(*) as active_learners,
        {{ course_quiz_figures() }}
    from course_activity_days
    group by organization_id, course_id, activity_date

)

select
    organization_id,
    course_id,
    date,
    active_learners,
    quiz_attempts,
    mean_quiz_score_pct,
    failed_quiz_rate
from final
