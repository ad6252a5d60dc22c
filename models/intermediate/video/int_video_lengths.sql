with

video_events as (

    select * from {{ ref('int_video_events') }}

),

-- a video's length is the largest any event reports for it (players round differently, and an early
-- statement may report 0 before the media loaded)
final as (

    select
        organization_id,
        video_id,
        max(length_sec) as length_sec
    from video_events
    where length_sec > 0
    group by organization_id, video_id

)

select * from final
