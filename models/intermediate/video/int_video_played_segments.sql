with

video_events as (

    select * from {{ ref('int_video_events') }}

),

-- played-segments accumulate within a viewing session: each statement's text extends the previous one's.
-- A statement that does not (the player restarted, or a session id was re-used days later) starts a new run
with_previous as (

    select
        *,
        lag(played_segments) over (
            partition by organization_id, student_id, video_id, session_id
            order by occurred_at, event_id
        ) as previous_segments
    from video_events
    where played_segments is not null

),

runs as (

    select
        *,
        sum(
            case
                when previous_segments is null then 1
                when {{ dbt.length('played_segments') }} >= {{ dbt.length('previous_segments') }}
                    and substring(played_segments, 1, {{ dbt.length('previous_segments') }}) = previous_segments then 0
                else 1
            end
        ) over (
            partition by organization_id, student_id, video_id, session_id
            order by occurred_at, event_id
            rows between unbounded preceding and current row
        ) as run_number
    from with_previous

),

-- so the latest statement of each run holds the whole run (ties on occurred_at: the greatest event id)
latest_statements as (

    select
        *,
        row_number() over (
            partition by organization_id, student_id, video_id, session_id, run_number
            order by occurred_at desc, event_id desc
        ) as statement_rank
    from runs

),

sessions as (

    select
        organization_id,
        student_id,
        video_id,
        session_id,
        course_id,
        event_id,
        occurred_at,
        played_segments,
        -- 'a[.]b[,]c[.]d': one more part than there are '[,]' separators
        cast(
            ({{ dbt.length('played_segments') }} - {{ dbt.length(dbt.replace('played_segments', "'[,]'", "''")) }}) / 3
            as {{ dbt.type_int() }}
        ) + 1 as part_count
    from latest_statements
    where statement_rank = 1

),

part_numbers as (

    {{ integer_rows(1, '(select max(part_count) from sessions)', 'part_number') }}

),

parts as (

    select
        sessions.organization_id,
        sessions.student_id,
        sessions.video_id,
        sessions.session_id,
        sessions.course_id,
        sessions.event_id,
        sessions.occurred_at,
        part_numbers.part_number,
        {{ split_part_at('sessions.played_segments', '[,]', 'part_numbers.part_number') }} as part
    from sessions
    inner join part_numbers
        on part_numbers.part_number <= sessions.part_count

),

bounds as (

    select
        *,
        {{ try_cast(dbt.split_part('part', "'[.]'", 1), 'double') }} as start_sec,
        -- a part without '[.]' (the last one, left open while the video plays) has no end
        case
            when {{ dbt.position("'[.]'", 'part') }} > 0
                then {{ try_cast(dbt.split_part('part', "'[.]'", 2), 'double') }}
        end as end_sec
    from parts

),

final as (

    select
        organization_id,
        student_id,
        video_id,
        session_id,
        course_id,
        event_id,
        occurred_at as observed_at,
        part_number,
        start_sec,
        end_sec
    from bounds
    -- an open segment, or one that ends before it starts, says nothing about what was watched
    where start_sec is not null
        and end_sec is not null
        and end_sec >= start_sec

)

select * from final
