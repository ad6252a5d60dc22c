{#- The moment each active badge's criteria first held for each learner, from signals, quiz submissions
    and streaks at or before as-of; one row per (organization, student, badge) at most.
    Incremental by learner (key learner_as_of): a learner's awards read only their own signals,
    submissions and streak days, and a streak only grows on a day with an event. -#}
{{
    config(
        meta=engine_specific('incremental_by_learner'),
        tags=['incremental_events'],
        pre_hook="{{ delete_dirty_rows('learner_as_of', reads_catalog=true) }}",
        post_hook="{{ record_model_as_of() }}",
        **incremental_settings(spark_partition_by=['learner_bucket'])
    )
}}

{%- set scope = incremental_scope(reads_catalog=true, announce=true, as_of_dependent=true) %}

with

badges as (

    select * from {{ ref('gamification_badge') }}
    where is_active = 1

),

signals as (

    select * from {{ ref('int_gamification_signals') }} as scoped
    where {{ is_dirty('scoped', 'learner_as_of', scope) }}

),

submissions as (

    select * from {{ ref('int_quiz_submissions') }} as scoped
    where {{ is_dirty('scoped', 'learner_as_of', scope) }}

),

streak_history as (

    select * from {{ ref('int_streak_days') }} as scoped
    where {{ is_dirty('scoped', 'learner_as_of', scope) }}

),

-- signal_count: the n-th signal of the type (within the course when the criterion names one)
signal_counts as (

    select
        badges.organization_id,
        badges.id as badge_id,
        signals.student_id,
        signals.signal_id,
        signals.created_at,
        badges.criteria_threshold,
        badges.criteria_signal_type,
        badges.criteria_course_id,
        row_number() over (
            partition by badges.organization_id, badges.id, signals.student_id
            order by signals.created_at, signals.signal_id
        ) as signal_number
    from badges
    inner join signals
        on badges.organization_id = signals.organization_id
        and badges.criteria_signal_type = signals.signal_type
        and (badges.criteria_course_id is null or badges.criteria_course_id = signals.course_id)
    where badges.criteria_kind = 'signal_count'

),

signal_count_awards as (

    select
        organization_id,
        badge_id,
        student_id,
        criteria_course_id as course_id,
        created_at as awarded_at,
        {{ json_object_text({
            'kind': "'signal_count'",
            'signal': 'criteria_signal_type',
            'count': 'signal_number',
            'course_id': 'criteria_course_id',
            'signal_id': 'signal_id',
        }) }} as context_json
    from signal_counts
    where signal_number = criteria_threshold

),

-- perfect_quizzes: the first full-marks submission of each quiz step, the n-th such step
first_perfect_submissions as (

    select
        organization_id,
        student_id,
        class_id,
        event_id,
        occurred_at,
        row_number() over (
            partition by organization_id, student_id, class_id
            order by occurred_at, event_id
        ) as attempt_number
    from submissions
    where max_score > 0
        and score >= max_score
        and occurred_at <= {{ as_of_timestamp() }}

),

perfect_quizzes as (

    select
        organization_id,
        student_id,
        class_id,
        event_id,
        occurred_at,
        row_number() over (
            partition by organization_id, student_id
            order by occurred_at, event_id
        ) as perfect_number
    from first_perfect_submissions
    where attempt_number = 1

),

perfect_quiz_awards as (

    select
        badges.organization_id,
        badges.id as badge_id,
        perfect_quizzes.student_id,
        cast(null as {{ dbt.type_string() }}) as course_id,
        perfect_quizzes.occurred_at as awarded_at,
        {{ json_object_text({
            'kind': "'perfect_quizzes'",
            'count': 'perfect_quizzes.perfect_number',
            'class_id': 'perfect_quizzes.class_id',
            'event_id': 'perfect_quizzes.event_id',
        }) }} as context_json
    from badges
    inner join perfect_quizzes
        on badges.organization_id = perfect_quizzes.organization_id
        and badges.criteria_threshold = perfect_quizzes.perfect_number
    where badges.criteria_kind = 'perfect_quizzes'

),

-- streak_days: the first active day whose streak reaches the threshold, at that day's first event
streak_reached as (

    select
        badges.organization_id,
        badges.id as badge_id,
        streak_history.student_id,
        streak_history.date,
        streak_history.time_zone,
        streak_history.streak_length,
        streak_history.first_event_at,
        row_number() over (
            partition by badges.organization_id, badges.id, streak_history.student_id
            order by streak_history.date
        ) as reached_number
    from badges
    inner join streak_history
        on badges.organization_id = streak_history.organization_id
        and streak_history.streak_length >= badges.criteria_threshold
        and streak_history.is_active
    where badges.criteria_kind = 'streak_days'

),

streak_awards as (

    select
        organization_id,
        badge_id,
        student_id,
        cast(null as {{ dbt.type_string() }}) as course_id,
        first_event_at as awarded_at,
        {{ json_object_text({
            'kind': "'streak_days'",
            'streak_days': 'streak_length',
            'date': 'cast(date as ' ~ dbt.type_string() ~ ')',
            'time_zone': 'time_zone',
        }) }} as context_json
    from streak_reached
    where reached_number = 1

),

-- xp: signal XP only (badge points do not count, so an XP badge cannot feed itself)
signal_xp_running as (

    select
        organization_id,
        student_id,
        signal_id,
        created_at,
        sum(xp) over (
            partition by organization_id, student_id
            order by created_at, signal_id
            rows between unbounded preceding and current row
        ) as xp_to_date
    from signals

),

xp_reached as (

    select
        badges.organization_id,
        badges.id as badge_id,
        signal_xp_running.student_id,
        signal_xp_running.signal_id,
        signal_xp_running.created_at,
        signal_xp_running.xp_to_date,
        badges.criteria_threshold,
        row_number() over (
            partition by badges.organization_id, badges.id, signal_xp_running.student_id
            order by signal_xp_running.created_at, signal_xp_running.signal_id
        ) as reached_number
    from badges
    inner join signal_xp_running
        on badges.organization_id = signal_xp_running.organization_id
        and signal_xp_running.xp_to_date >= badges.criteria_threshold
    where badges.criteria_kind = 'xp'

),

xp_awards as (

    select
        organization_id,
        badge_id,
        student_id,
        cast(null as {{ dbt.type_string() }}) as course_id,
        created_at as awarded_at,
        {{ json_object_text({
            'kind': "'xp'",
            'xp': 'xp_to_date',
            'threshold': 'criteria_threshold',
            'signal_id': 'signal_id',
        }) }} as context_json
    from xp_reached
    where reached_number = 1

),

final as (

    select * from signal_count_awards
    union all
    select * from perfect_quiz_awards
    union all
    select * from streak_awards
    union all
    select * from xp_awards

)

select
    organization_id,
    badge_id,
    student_id,
    course_id,
    awarded_at,
    context_json,
    {{ learner_bucket('organization_id', 'student_id') }} as learner_bucket
from final
