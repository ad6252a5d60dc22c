{#- Mastery per learner and course: the mean of the learner's competency scores (int_learner_skill_mastery) over
    the course's competencies, an unattempted one counting 0, and its level (macros/rules/mastery.sql);
    v_course_mastery publishes it. -#}
with

course_progress as (

    select * from {{ ref('v_course_progress') }}

),

classes as (

    select * from {{ ref('lms_class') }}

),

class_competencies as (

    select * from {{ ref('class_competencies') }}

),

skill_mastery as (

    select * from {{ ref('int_learner_skill_mastery') }}

),

-- a course's competencies: those mapped to any of its catalog classes
course_competencies as (

    select distinct
        classes.organization_id,
        classes.course_id,
        class_competencies.competency_code
    from classes
    inner join class_competencies
        on classes.id = class_competencies.class_id
    where classes.course_id is not null

),

-- every (learner, course competency); a competency without attempt counts as mastery 0
learner_competencies as (

    select
        course_progress.organization_id,
        course_progress.student_id,
        course_progress.course_id,
        course_competencies.competency_code,
        skill_mastery.mastery_score,
        skill_mastery.level
    from course_progress
    inner join course_competencies
        on course_progress.organization_id = course_competencies.organization_id
        and course_progress.course_id = course_competencies.course_id
    left join skill_mastery
        on course_progress.organization_id = skill_mastery.organization_id
        and course_progress.student_id = skill_mastery.student_id
        and course_competencies.competency_code = skill_mastery.competency_code

),

aggregated as (

    select
        organization_id,
        student_id,
        course_id,
        count(*) as competencies_total,
        count(mastery_score) as competencies_attempted,
        {{ integer_sum("case when level in ('acquis', 'expert') then 1 else 0 end") }} as competencies_mastered,
        {{ round_decimal(exact_sum('coalesce(mastery_score, 0)') ~ ' / count(*)', 6) }} as mastery_score
    from learner_competencies
    group by organization_id, student_id, course_id

),

final as (

    select
        course_progress.organization_id,
        course_progress.student_id,
        course_progress.course_id,
        coalesce(aggregated.competencies_total, 0) as competencies_total,
        coalesce(aggregated.competencies_attempted, 0) as competencies_attempted,
        coalesce(aggregated.competencies_mastered, 0) as competencies_mastered,
        case
            when aggregated.competencies_total > 0
                then {{ round_decimal(
                    'cast(aggregated.competencies_mastered as double) / aggregated.competencies_total', 6
                ) }}
        end as mastered_share,
        aggregated.mastery_score
    from course_progress
    left join aggregated
        on course_progress.organization_id = aggregated.organization_id
        and course_progress.student_id = aggregated.student_id
        and course_progress.course_id = aggregated.course_id

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
    {{ mastery_level('mastery_score') }} as level
from final
