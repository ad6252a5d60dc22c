{#- The award precedence rule: at most one award per (organization, student, badge). An award the LMS sent comes
    before one the warehouse computed (the learner saw it: its id and time are kept), then the earliest, then the
    smallest id. A select of the winning rows of `candidates` (a relation or CTE with organization_id, student_id,
    badge_id, award_source 'lms' or 'warehouse', awarded_at and id; other columns kept, award_rank added).
    gamification_award reads it. -#}
{% macro award_precedence(candidates) -%}
    select * from (
        select
            *,
            row_number() over (
                partition by organization_id, student_id, badge_id
                order by case when award_source = 'lms' then 0 else 1 end, awarded_at, id
            ) as award_rank
        from {{ candidates }}
    ) as ranked
    where award_rank = 1
{%- endmacro %}
