with

viewing as (

    select * from {{ ref('v_video_viewing') }}

),

segments as (

    select * from {{ ref('int_video_segments') }}

),

per_video as (

    select
        organization_id,
        video_id,
        max(class_id) as class_id,
        max(length_sec) as length_sec,
        count(*) as viewers,
        {{ count_true('is_completed') }} as full_views,
        {{ count_true('not is_completed') }} as partial_views,
        {{ median('watch_ratio') }} as median_watch_ratio
    from viewing
    -- a viewer watched some of it; opening the player alone is not a view
    where unique_seconds_watched > 0
    group by organization_id, video_id

),

-- the first segment watched by at most half (var video_dropoff_share) of the video's viewers
dropoff as (

    select
        segments.organization_id,
        segments.video_id,
        min(segments.segment_index) as dropoff_segment_index
    from segments
    inner join per_video
        on segments.organization_id = per_video.organization_id
        and segments.video_id = per_video.video_id
    where segments.viewers <= {{ var('video_dropoff_share') }} * per_video.viewers
    group by segments.organization_id, segments.video_id

),

final as (

    select
        per_video.organization_id,
        per_video.video_id,
        per_video.class_id,
        per_video.length_sec,
        per_video.viewers,
        per_video.full_views,
        per_video.partial_views,
        {{ round_decimal('per_video.median_watch_ratio', 4) }} as median_watch_ratio,
        dropoff.dropoff_segment_index,
        dropoff.dropoff_segment_index * {{ var('video_segment_seconds') }} as dropoff_at_sec
    from per_video
    left join dropoff
        on per_video.organization_id = dropoff.organization_id
        and per_video.video_id = dropoff.video_id

)

select * from final
