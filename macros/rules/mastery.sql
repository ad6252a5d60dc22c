{#- Mastery rules (vars mastery_*): the smoothed success share, the recency decay and the level. -#}

{#- (correct + prior_correct) / (attempts + prior_attempts): a learner with few attempts starts near the middle. -#}
{% macro mastery_smoothed_success(correct, attempts) -%}
    (cast({{ correct }} as double) + {{ var('mastery_prior_correct') }})
        / (cast({{ attempts }} as double) + {{ var('mastery_prior_attempts') }})
{%- endmacro %}

{#- 0.5 ^ (days from the last attempt to the as-of instant / half-life): 1 at as-of, 0.5 one half-life before.
    An attempt after the as-of instant never reaches here (the marts ignore it). -#}
{% macro mastery_recency_decay(last_attempt_at, as_of_at) -%}
    power(0.5, {{ seconds_between(last_attempt_at, as_of_at) }} / (86400.0 * {{ var('mastery_half_life_days') }}))
{%- endmacro %}

{#- The level of a mastery score in [0, 1]; each threshold belongs to the level above it. Null stays null. -#}
{% macro mastery_level(score) -%}
    case
        when {{ score }} is null then null
        when {{ score }} >= {{ var('mastery_level_expert') }} then 'expert'
        when {{ score }} >= {{ var('mastery_level_acquis') }} then 'acquis'
        when {{ score }} >= {{ var('mastery_level_en_cours') }} then 'en_cours'
        else 'non_acquis'
    end
{%- endmacro %}
