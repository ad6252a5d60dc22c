{#- Each course's quiz figures over every day up to the as-of (int_course_activity_days, macros/rules/
    quiz_figures.sql): what v_admin_overview publishes. -#}
with

course_activity_days as (

    select * from {{ ref('int_course_activity_days') }}

),

final as (

    select
        organization_id,
        course_id,
        {{ course_quiz_figures() }}
    from course_activity_days
    group by organization_id, course_id

)

select
    organization_id,
    course_id,
    quiz_attempts,
    mean_quiz_score_pct,
    failed_quiz_rate
from final
