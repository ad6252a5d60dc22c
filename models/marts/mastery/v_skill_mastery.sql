{#- Published as computed by int_learner_skill_mastery (the mastery rule: macros/rules/mastery.sql). -#}
with

learner_skill_mastery as (

    select * from {{ ref('int_learner_skill_mastery') }}

),

final as (

    select
        organization_id,
        student_id,
        competency_code,
        domain,
        attempts,
        correct_attempts,
        correct_share,
        best_score_pct,
        mean_score_pct,
        last_attempt_at,
        days_since_last_attempt,
        recency_decay,
        mastery_score,
        level
    from learner_skill_mastery

)

select
    organization_id,
    student_id,
    competency_code,
    domain,
    attempts,
    correct_attempts,
    correct_share,
    best_score_pct,
    mean_score_pct,
    last_attempt_at,
    days_since_last_attempt,
    recency_decay,
    mastery_score,
    level
from final
