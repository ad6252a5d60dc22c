{#- The streak continuation rule, one row per learner and local calendar day (v_streak_history publishes it).
    Without freezes (the default) a streak is a run of consecutive active days: window functions (gaps and
    islands), portable to engines without recursive CTEs. With freezes the state is sequential (freezes
    consumed week by week, and whether a streak survives a week decides the next), so a recursive CTE
    walks each learner's days. The if/else below picks one of two sets of CTEs, not a nested block, hence the
    sqlfluff directive on indentation.
    Incremental by learner without freezes: the learners with new activity are recomputed, and every other
    learner's calendar grows by the days the as-of moved on, which are inactive days for them (no event, or
    they would be recomputed): streak 0, longest streak carried. With freezes an inactive day's state depends
    on the weeks before, so the model is a table rebuilt on every build. -#}
{%- set freezes = var('streak_freezes_per_week') | int %}
{{
    config(
        materialized=incremental_materialization() if freezes == 0 else 'table',
        meta=engine_specific('incremental'),
        incremental_strategy='append',
        tags=['incremental_events'],
        pre_hook="{{ delete_dirty_rows('learner_as_of_calendar', reads_catalog=true) }}",
        post_hook=("{{ record_model_as_of() }}" if freezes == 0
            else "{{ forget_model_as_of() }}"),
    )
}}
{%- set scope = incremental_scope(reads_catalog=true, announce=true, as_of_dependent=true) %}
{%- set freezes_used_this_week =
    "(case when days.week_start = streaks.week_start then streaks.freezes_used else 0 end)" %}
{%- set is_frozen =
    "(days.is_active = 0 and streaks.streak_length > 0 and " ~ freezes_used_this_week ~ " < " ~ freezes ~ ")" %}
-- sqlfluff:indentation:template_blocks_indent:False

with {{ 'recursive' if freezes > 0 }}

activity_days as (

    select * from {{ ref('int_student_activity_days') }} as scoped
    where {{ is_dirty('scoped', 'learner_as_of', scope) }}

),

spans as (

    select
        organization_id,
        student_id,
        time_zone,
        min(activity_date) as first_date,
        cast({{ dbt.date_trunc('day', utc_to_local(as_of_timestamp(), 'time_zone')) }} as date) as as_of_date
    from activity_days
    group by organization_id, student_id, time_zone

),

calendar as (

    select
        organization_id,
        student_id,
        time_zone,
        {{ day_series('first_date', 'as_of_date') }} as calendar_date
    from spans

),

days as (

    select
        calendar.organization_id,
        calendar.student_id,
        calendar.time_zone,
        calendar.calendar_date,
        cast({{ dbt.date_trunc('week', 'calendar.calendar_date') }} as date) as week_start,
        case when activity_days.activity_date is not null then 1 else 0 end as is_active,
        activity_days.first_event_at,
        coalesce(activity_days.events, 0) as events{% if freezes > 0 %},
        row_number() over (
            partition by calendar.organization_id, calendar.student_id
            order by calendar.calendar_date
        ) as day_number{% endif %}
    from calendar
    left join activity_days
        on calendar.organization_id = activity_days.organization_id
        and calendar.student_id = activity_days.student_id
        and calendar.calendar_date = activity_days.activity_date

),

{% if freezes == 0 %}

-- the days after the same number of inactive days are one inactive day, then the active days of one run
runs as (

    select
        organization_id,
        student_id,
        calendar_date,
        is_active,
        time_zone,
        first_event_at,
        events,
        sum(1 - is_active) over (
            partition by organization_id, student_id
            order by calendar_date
            rows between unbounded preceding and current row
        ) as inactive_days_so_far
    from days

),

run_lengths as (

    select
        organization_id,
        student_id,
        calendar_date,
        is_active,
        time_zone,
        first_event_at,
        events,
        -- a 64-bit integer, as integer_sum() gives (DuckDB's window sum is a slow 128-bit HUGEINT)
        cast(sum(is_active) over (
            partition by organization_id, student_id, inactive_days_so_far
            order by calendar_date
            rows between unbounded preceding and current row
        ) as {{ dbt.type_bigint() }}) as streak_length
    from runs

),

streak_days as (

    select
        organization_id,
        student_id,
        calendar_date,
        is_active,
        streak_length,
        max(streak_length) over (
            partition by organization_id, student_id
            order by calendar_date
            rows between unbounded preceding and current row
        ) as longest_streak_to_date,
        0 as is_frozen,
        time_zone,
        first_event_at,
        events
    from run_lengths

),

{% else %}

-- day 1 is the first active day; each next day extends, holds (a freeze) or breaks the streak
streaks as (

    select
        organization_id,
        student_id,
        day_number,
        week_start,
        -- 64-bit, as the contract says (the recursion keeps the anchor's types)
        cast(1 as {{ dbt.type_bigint() }}) as streak_length,
        cast(1 as {{ dbt.type_bigint() }}) as longest_streak_to_date,
        0 as is_frozen,
        0 as freezes_used
    from days
    where day_number = 1

    union all

    select
        days.organization_id,
        days.student_id,
        days.day_number,
        days.week_start,
        case
            when days.is_active = 1 then streaks.streak_length + 1
            when {{ is_frozen }} then streaks.streak_length
            else 0
        end as streak_length,
        case
            when days.is_active = 1 and streaks.streak_length + 1 > streaks.longest_streak_to_date
                then streaks.streak_length + 1
            else streaks.longest_streak_to_date
        end as longest_streak_to_date,
        case when {{ is_frozen }} then 1 else 0 end as is_frozen,
        {{ freezes_used_this_week }} + case when {{ is_frozen }} then 1 else 0 end as freezes_used
    from streaks
    inner join days
        on streaks.organization_id = days.organization_id
        and streaks.student_id = days.student_id
        and days.day_number = streaks.day_number + 1

),

streak_days as (

    select
        days.organization_id,
        days.student_id,
        days.calendar_date,
        days.is_active,
        streaks.streak_length,
        streaks.longest_streak_to_date,
        streaks.is_frozen,
        days.time_zone,
        days.first_event_at,
        days.events
    from days
    inner join streaks
        on days.organization_id = streaks.organization_id
        and days.student_id = streaks.student_id
        and days.day_number = streaks.day_number

),

{% endif %}

{% if scope != 'full' %}

-- the pre-hook removed the recomputed learners' rows: what is left are the learners without new activity
kept_learners as (

    select
        organization_id,
        student_id,
        time_zone,
        max(date) as last_date,
        max(longest_streak_to_date) as longest_streak_to_date,
        cast({{ dbt.date_trunc('day', utc_to_local(as_of_timestamp(), 'time_zone')) }} as date) as as_of_date
    from {{ this }}
    group by organization_id, student_id, time_zone

),

new_inactive_days as (

    select
        organization_id,
        student_id,
        {{ day_series(dbt.dateadd('day', 1, 'last_date'), 'as_of_date') }} as calendar_date,
        longest_streak_to_date,
        time_zone
    from kept_learners
    where last_date < as_of_date

),

{% endif %}

final as (

    select
        organization_id,
        student_id,
        calendar_date as date,
        is_active,
        streak_length,
        longest_streak_to_date,
        is_frozen,
        time_zone,
        first_event_at,
        events
    from streak_days
    {%- if scope != 'full' %}

    union all

    select
        organization_id,
        student_id,
        calendar_date as date,
        0 as is_active,
        0 as streak_length,
        longest_streak_to_date,
        0 as is_frozen,
        time_zone,
        cast(null as {{ dbt.type_timestamp() }}) as first_event_at,
        0 as events
    from new_inactive_days
    {%- endif %}

)

select
    organization_id,
    student_id,
    date,
    is_active = 1 as is_active,
    streak_length,
    longest_streak_to_date,
    is_frozen = 1 as is_frozen,
    time_zone,
    first_event_at,
    events
from final
