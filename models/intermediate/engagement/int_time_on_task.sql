{{
    config(
        meta=engine_specific('incremental_by_learner'),
        tags=['incremental_events'],
        pre_hook="{{ delete_dirty_rows('pair', reads_catalog=false) }}",
        **incremental_settings(spark_partition_by=['learner_bucket'])
    )
}}

{%- set scope = incremental_scope(reads_catalog=false, announce=true) %}

with

video_pings as (

    select * from {{ ref('int_video_pings') }} as scoped
    where {{ is_dirty('scoped', 'pair', scope) }}

),

-- the pair's pings in time order (ties on occurred_at: the smallest event id first)
ordered as (

    select
        organization_id,
        student_id,
        class_id,
        event_id,
        occurred_at,
        lag(occurred_at) over (
            partition by organization_id, student_id, class_id
            order by occurred_at, event_id
        ) as previous_at,
        lead(occurred_at) over (
            partition by organization_id, student_id, class_id
            order by occurred_at, event_id
        ) as next_at
    from video_pings

),

-- a ping opens a session when it is the first or comes more than the session gap after the previous one;
-- it accounts for the time until the next ping of its session, at most the cap (the session's last ping: the cap)
credited as (

    select
        organization_id,
        student_id,
        class_id,
        occurred_at,
        case
            when previous_at is null
                or {{ seconds_between('previous_at', 'occurred_at') }} > 60 * {{ var('time_on_task_session_gap_min') }}
                then 1
            else 0
        end as opens_session,
        case
            when next_at is null
                or {{ seconds_between('occurred_at', 'next_at') }} > 60 * {{ var('time_on_task_session_gap_min') }}
                then {{ var('time_on_task_ping_cap_sec') }}
            when {{ seconds_between('occurred_at', 'next_at') }} < {{ var('time_on_task_ping_cap_sec') }}
                then {{ seconds_between('occurred_at', 'next_at') }}
            else {{ var('time_on_task_ping_cap_sec') }}
        end as credited_sec
    from ordered

),

final as (

    select
        organization_id,
        student_id,
        class_id,
        count(*) as pings_count,
        {{ integer_sum('opens_session') }} as sessions_count,
        {{ round_decimal(exact_sum('credited_sec'), 3) }} as time_spent_sec,
        min(occurred_at) as first_ping_at,
        max(occurred_at) as last_ping_at
    from credited
    group by organization_id, student_id, class_id

)

select
    organization_id,
    student_id,
    class_id,
    pings_count,
    sessions_count,
    time_spent_sec,
    first_ping_at,
    last_ping_at,
    {{ learner_bucket('organization_id', 'student_id') }} as learner_bucket
from final
