{#- The stuck-point rule (var stuck_attempts_threshold). A learner's attempts until passing a class count up to
    and including the first passing attempt (all of them when never passed); the learner is stuck when that
    count passes the threshold: with 3, four attempts is stuck, three is not. -#}

{#- The attempt that makes a learner stuck when no earlier attempt passed: the first one past the threshold. -#}
{% macro stuck_attempt_number() -%}
    ({{ var('stuck_attempts_threshold') }} + 1)
{%- endmacro %}

{#- SQL boolean: a learner with this many attempts until passing is stuck (null stays null). -#}
{% macro is_stuck(attempts_until_pass) -%}
    ({{ attempts_until_pass }} >= {{ stuck_attempt_number() }})
{%- endmacro %}

{#- failed / attempts as a double; null without attempts. -#}
{% macro fail_rate(failed_attempts, attempts) -%}
    case when {{ attempts }} > 0 then cast({{ failed_attempts }} as double) / {{ attempts }} end
{%- endmacro %}

{#- The order of a course's classes, most stuck first: the most stuck learners, then the highest fail rate
    (none last), then the class id. -#}
{% macro stuck_rank_order(learners_stuck='learners_stuck', fail_rate='fail_rate', class_id='class_id') -%}
    {{ learners_stuck }} desc, {{ fail_rate }} desc nulls last, {{ class_id }} asc
{%- endmacro %}

{#- A select of the top stuck classes per `keys` (a list of column names, the course among them) of `ranked`,
    a relation with class_id, course_id, learners_stuck and stuck_rank: up to var admin_top_stuck_classes class
    ids with stuck learners, a LIST in stuck_rank order. A key without a stuck class has no row. -#}
{% macro top_stuck_classes(ranked, keys) -%}
    select
        {{ keys | join(', ') }},
        {{ ordered_list_agg('class_id', 'stuck_rank') }} as top_stuck_classes
    from {{ ranked }}
    where learners_stuck > 0
        and stuck_rank <= {{ var('admin_top_stuck_classes') }}
        and course_id is not null
    group by {{ keys | join(', ') }}
{%- endmacro %}
