with

summaries as (

    select * from {{ ref('int_h5p_video_versions_summarised') }}
    where is_latest

),

final as (

    select
        {{ mooc_row_id(['organization_id', 'user_id', 'course_id']) }} as id,
        organization_id,
        user_id,
        course_id,
        total_videos,
        completed_videos,
        in_progress_videos,
        total_duration,
        total_watched_time,
        fetched_at
    from summaries

)

select
    id,
    organization_id,
    user_id,
    course_id,
    total_videos,
    completed_videos,
    in_progress_videos,
    total_duration,
    total_watched_time,
    fetched_at
from final
