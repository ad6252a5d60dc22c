-- Merged islands of one checkpoint must be disjoint and in position order: an island that starts at or
-- before the previous one's end means seconds were counted twice in unique_seconds_watched.
with

islands as (

    select * from {{ ref('int_video_intervals_merged') }}

),

with_previous as (

    select
        organization_id,
        student_id,
        video_id,
        checkpoint_at,
        island_number,
        start_sec,
        lag(end_sec) over (
            partition by organization_id, student_id, video_id, checkpoint_at
            order by island_number
        ) as previous_end_sec
    from islands

)

select *
from with_previous
where start_sec <= previous_end_sec
