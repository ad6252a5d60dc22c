{#- The badge seed with its criteria_json read into one kind and its parameters. A criteria object must
    hold exactly one kind: {"signal", "count"[, "course_id"]}, {"streak_days"}, {"perfect_quizzes"} or
    {"xp"}, with a positive whole number; anything else is kind 'unknown' with the problem spelled out
    (gamification_badge then fails the build with it). -#}
with

badges as (

    select * from {{ ref('gamification_badges') }}

),

xp_per_signal as (

    select * from {{ ref('xp_per_signal') }}

),

parsed as (

    select
        id as badge_id,
        name,
        description,
        icon_url,
        type,
        category,
        rarity,
        points_reward,
        criteria_json,
        is_active,
        {{ is_valid_json('criteria_json') }} as is_json,
        case
            when {{ is_valid_json('criteria_json') }}
                then {{ json_extract_string('criteria_json', '$.signal') }}
        end as signal_text,
        case
            when {{ is_valid_json('criteria_json') }}
                then {{ json_extract_string('criteria_json', '$.count') }}
        end as count_text,
        case
            when {{ is_valid_json('criteria_json') }}
                then {{ json_extract_string('criteria_json', '$.course_id') }}
        end as course_text,
        case
            when {{ is_valid_json('criteria_json') }}
                then {{ json_extract_string('criteria_json', '$.streak_days') }}
        end as streak_days_text,
        case
            when {{ is_valid_json('criteria_json') }}
                then {{ json_extract_string('criteria_json', '$.perfect_quizzes') }}
        end as perfect_quizzes_text,
        case
            when {{ is_valid_json('criteria_json') }}
                then {{ json_extract_string('criteria_json', '$.xp') }}
        end as xp_text
    from badges

),

kinds as (

    select
        *,
        (case when signal_text is not null then 1 else 0 end)
        + (case when streak_days_text is not null then 1 else 0 end)
        + (case when perfect_quizzes_text is not null then 1 else 0 end)
        + (case when xp_text is not null then 1 else 0 end) as kinds_named,
        coalesce(count_text, streak_days_text, perfect_quizzes_text, xp_text) as threshold_text,
        {{ try_cast('coalesce(count_text, streak_days_text, perfect_quizzes_text, xp_text)', 'integer') }}
            as threshold_value,
        coalesce(signal_text in (select xp_per_signal.signal_type from xp_per_signal), false) as is_known_signal
    from parsed

),

classified as (

    select
        *,
        case
            when not is_json then 'criteria_json is not JSON'
            when kinds_named = 0
                then 'criteria_json names no known kind (known: signal+count, streak_days, perfect_quizzes, xp)'
            when kinds_named > 1 then 'criteria_json names more than one kind'
            when signal_text is not null and not is_known_signal
                then 'signal ' || signal_text || ' is not a signal type listed in xp_per_signal'
            when signal_text is not null and count_text is null then 'a signal criterion needs a count'
            when signal_text is null and (count_text is not null or course_text is not null)
                then 'count and course_id belong to a signal criterion only'
            when threshold_value is null or threshold_value < 1
                or cast(threshold_value as {{ dbt.type_string() }}) <> trim(threshold_text)
                then 'the threshold ' || coalesce(threshold_text, 'null') || ' is not a positive whole number'
        end as criteria_problem
    from kinds

),

final as (

    select
        badge_id,
        name,
        description,
        icon_url,
        type,
        category,
        rarity,
        points_reward,
        criteria_json,
        is_active,
        case
            when criteria_problem is not null then 'unknown'
            when signal_text is not null then 'signal_count'
            when streak_days_text is not null then 'streak_days'
            when perfect_quizzes_text is not null then 'perfect_quizzes'
            else 'xp'
        end as criteria_kind,
        case when criteria_problem is null then threshold_value end as criteria_threshold,
        case when criteria_problem is null then signal_text end as criteria_signal_type,
        case when criteria_problem is null then course_text end as criteria_course_id,
        criteria_problem
    from classified

)

select * from final
