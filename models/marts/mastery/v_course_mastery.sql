{#- Published as computed by int_learner_course_mastery (the mastery rule: macros/rules/mastery.sql). -#}
with

learner_course_mastery as (

    select * from {{ ref('int_learner_course_mastery') }}

),

final as (

    select
        organization_id,
        student_id,
        course_id,
        competencies_total,
        competencies_attempted,
        competencies_mastered,
        mastered_share,
        mastery_score,
        level
    from learner_course_mastery

)

select
    organization_id,
    student_id,
    course_id,
    competencies_total,
    competencies_attempted,
    competencies_mastered,
    mastered_share,
    mastery_score,
    level
from final
