{#- Each course's mean mastery over its learners (int_learner_course_mastery.mastery_score), as v_admin_overview
    publishes it. -#}
with

course_mastery as (

    select * from {{ ref('int_learner_course_mastery') }}

),

final as (

    select
        organization_id,
        course_id,
        {{ round_decimal(exact_avg('mastery_score'), 6) }} as mean_mastery_score
    from course_mastery
    group by organization_id, course_id

)

select
    organization_id,
    course_id,
    mean_mastery_score
from final
