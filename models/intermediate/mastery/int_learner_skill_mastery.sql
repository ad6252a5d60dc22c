{#- Mastery of each competency by each learner with an attempt, by the mastery rule (macros/rules/mastery.sql:
    smoothed success x recency decay, then the level); v_skill_mastery publishes it. -#}
with

quiz_submissions as (

    select * from {{ ref('int_quiz_submissions') }}

),

class_competencies as (

    select * from {{ ref('class_competencies') }}

),

competencies as (

    select * from {{ ref('competencies') }}

),

as_of as (

    select {{ as_of_timestamp() }} as as_of_at

),

-- one attempt counts once for every competency its class is mapped to; attempts after as-of are ignored
attempts as (

    select
        quiz_submissions.organization_id,
        quiz_submissions.student_id,
        class_competencies.competency_code,
        quiz_submissions.passed,
        100.0 * quiz_submissions.score_ratio as score_pct,
        quiz_submissions.occurred_at,
        as_of.as_of_at
    from quiz_submissions
    inner join class_competencies
        on quiz_submissions.class_id = class_competencies.class_id
    cross join as_of
    where quiz_submissions.occurred_at <= as_of.as_of_at

),

aggregated as (

    select
        organization_id,
        student_id,
        competency_code,
        count(*) as attempts,
        {{ integer_sum('passed') }} as correct_attempts,
        max(score_pct) as best_score_pct,
        {{ exact_avg('score_pct') }} as mean_score_pct,
        max(occurred_at) as last_attempt_at,
        max(as_of_at) as as_of_at
    from attempts
    group by organization_id, student_id, competency_code

),

scored as (

    select
        organization_id,
        student_id,
        competency_code,
        attempts,
        correct_attempts,
        best_score_pct,
        mean_score_pct,
        last_attempt_at,
        {{ seconds_between('last_attempt_at', 'as_of_at') }} / 86400.0 as days_since_last_attempt,
        {{ mastery_smoothed_success('correct_attempts', 'attempts') }} as smoothed_success,
        {{ mastery_recency_decay('last_attempt_at', 'as_of_at') }} as recency_decay
    from aggregated

),

final as (

    select
        scored.organization_id,
        scored.student_id,
        scored.competency_code,
        competencies.domain,
        scored.attempts,
        scored.correct_attempts,
        {{ round_decimal('cast(scored.correct_attempts as double) / scored.attempts', 6) }} as correct_share,
        {{ round_decimal('scored.best_score_pct', 2) }} as best_score_pct,
        {{ round_decimal('scored.mean_score_pct', 2) }} as mean_score_pct,
        scored.last_attempt_at,
        {{ round_decimal('scored.days_since_last_attempt', 6) }} as days_since_last_attempt,
        {{ round_decimal('scored.recency_decay', 6) }} as recency_decay,
        {{ round_decimal('scored.smoothed_success * scored.recency_decay', 6) }} as mastery_score
    from scored
    left join competencies
        on scored.competency_code = competencies.code

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
    {{ mastery_level('mastery_score') }} as level
from final
