{#- Published as computed by int_video_segments. -#}
with

video_segments as (

    select * from {{ ref('int_video_segments') }}

),

final as (

    select
        organization_id,
        video_id,
        segment_index,
        segment_start_sec,
        segment_end_sec,
        viewers,
        views
    from video_segments

)

select
    organization_id,
    video_id,
    segment_index,
    segment_start_sec,
    segment_end_sec,
    viewers,
    views
from final
