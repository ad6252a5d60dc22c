{#- The quiz figures of a group of int_course_activity_days rows, as aggregate select columns: the attempts,
    their mean score (100 x score / max_score over the scored attempts, 2 decimals; null without one) and the
    share that did not pass (6 decimals; null without attempts). -#}
{% macro course_quiz_figures() -%}
    {{ integer_sum('quiz_attempts') }} as quiz_attempts,
    {{ round_decimal(exact_sum('quiz_score_pct_sum') ~ ' / nullif(sum(scored_quiz_attempts), 0)', 2) }}
        as mean_quiz_score_pct,
    {{ round_decimal(fail_rate(integer_sum('failed_quiz_attempts'), integer_sum('quiz_attempts')), 6) }}
        as failed_quiz_rate
{%- endmacro %}
