with

versions as (

    select * from {{ ref('stg_mooc__record_versions') }}
    where entity = 'h5p_video_progress'

),

videos as (

    select * from {{ ref('stg_mooc__h5p_videos') }}

),

-- one row per version, even when its `videos` list is empty
final as (

    select
        versions.organization_id,
        versions.source_system,
        versions.course_id,
        versions.user_id,
        versions.fetched_at,
        versions.superseded_at,
        versions.is_latest,
        count(videos.content_id) as total_videos,
        count(case when videos.status = 'completed' then videos.content_id end) as completed_videos,
        count(case when videos.status = 'in_progress' then videos.content_id end) as in_progress_videos,
        coalesce(sum(videos.duration_sec), 0) as total_duration,
        coalesce(sum(
            least(videos.duration_sec, greatest(0, videos.progress_percent) / 100.0 * videos.duration_sec)
        ), 0) as total_watched_time
    from versions
    left join videos
        on versions.organization_id = videos.organization_id
        and versions.source_system = videos.source_system
        and versions.course_id = videos.course_id
        and versions.user_id = videos.user_id
        and versions.fetched_at = videos.fetched_at
    group by
        versions.organization_id, versions.source_system, versions.course_id, versions.user_id,
        versions.fetched_at, versions.superseded_at, versions.is_latest

)

select * from final
