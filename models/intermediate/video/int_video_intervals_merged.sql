with

intervals as (

    select * from {{ ref('int_video_intervals') }}

),

-- every moment a student's viewing of a video became known: the time of an interval's statement
checkpoints as (

    select distinct
        organization_id,
        student_id,
        video_id,
        observed_at as checkpoint_at
    from intervals

),

-- at each checkpoint, every interval known by then (so the merge is exact at every point in time,
-- however the statements were split into batches). Distinct, because the two windows below must see
-- the same order: identical intervals are ties that an engine may order differently in each window,
-- and an interval then lands in the previous island and overlaps the next (seconds counted twice).
known as (

    select distinct
        checkpoints.organization_id,
        checkpoints.student_id,
        checkpoints.video_id,
        checkpoints.checkpoint_at,
        intervals.start_sec,
        intervals.end_sec
    from checkpoints
    inner join intervals
        on checkpoints.organization_id = intervals.organization_id
        and checkpoints.student_id = intervals.student_id
        and checkpoints.video_id = intervals.video_id
        and intervals.observed_at <= checkpoints.checkpoint_at

),

-- gaps and islands: sorted by start, an interval opens a new island when it starts after every
-- earlier interval has ended; touching intervals (start = earlier end) join the same island
reached as (

    select
        *,
        max(end_sec) over (
            partition by organization_id, student_id, video_id, checkpoint_at
            order by start_sec, end_sec
            rows between unbounded preceding and 1 preceding
        ) as reached_before_sec
    from known

),

flagged as (

    select
        *,
        case when reached_before_sec is null or start_sec > reached_before_sec then 1 else 0 end as opens_island
    from reached

),

numbered as (

    select
        *,
        cast(sum(opens_island) over (
            partition by organization_id, student_id, video_id, checkpoint_at
            order by start_sec, end_sec
            rows between unbounded preceding and current row
        ) as {{ dbt.type_bigint() }}) as island_number
    from flagged

),

final as (

    select
        organization_id,
        student_id,
        video_id,
        checkpoint_at,
        island_number,
        min(start_sec) as start_sec,
        max(end_sec) as end_sec
    from numbered
    group by organization_id, student_id, video_id, checkpoint_at, island_number

)

select * from final
