with

snapshots as (

    select * from {{ ref('int_raw_data_snapshots') }}

),

enrollments as (

    select * from {{ ref('stg_mooc__enrollments') }}

),

grades as (

    select * from {{ ref('stg_mooc__grades') }}

),

progress as (

    select * from {{ ref('stg_mooc__progress') }}

),

discussions as (

    select * from {{ ref('stg_mooc__discussions') }}

),

h5p_scores as (

    select * from {{ ref('int_h5p_score_versions_summarised') }}

),

h5p_videos as (

    select * from {{ ref('int_h5p_video_versions_summarised') }}

),

h5p_dashboards as (

    select * from {{ ref('stg_mooc__h5p_dashboards') }}

),

final as (

    select
        ---------- snapshot key
        snapshots.organization_id,
        snapshots.user_id,
        snapshots.course_id,
        snapshots.snapshot_kind,
        snapshots.snapshot_date,

        ---------- enrollment
        enrollments.created_at as enrollment_date,
        enrollments.mode as enrollment_mode,
        enrollments.is_active as enrollment_is_active,

        ---------- grade
        grades.percent_grade,
        grades.letter_grade,
        grades.is_passed,

        ---------- progress
        progress.progress_percent,
        progress.total_blocks,
        progress.completion_rate,
        progress.current_chapter,
        progress.current_section,
        progress.current_unit,

        ---------- discussions
        discussions.threads_count,
        discussions.comments_count,
        discussions.total_interactions,

        ---------- H5P
        h5p_scores.completed_contents as h5p_contents_done,
        h5p_scores.mean_score_pct as h5p_mean_score_pct,
        h5p_videos.completed_videos as videos_completed,
        h5p_videos.total_watched_time as video_watched_seconds,
        h5p_dashboards.h5p_total_contents,
        h5p_dashboards.video_total_videos,

        ---------- the latest fetch among the versions used
        greatest(
            enrollments.fetched_at, grades.fetched_at, progress.fetched_at, discussions.fetched_at,
            h5p_scores.fetched_at, h5p_videos.fetched_at, h5p_dashboards.fetched_at
        ) as latest_state_fetched_at

    from snapshots
    left join enrollments
        on {{ mooc_version_current_at('snapshots', 'enrollments') }}
    left join grades
        on {{ mooc_version_current_at('snapshots', 'grades') }}
    left join progress
        on {{ mooc_version_current_at('snapshots', 'progress') }}
    left join discussions
        on {{ mooc_version_current_at('snapshots', 'discussions') }}
    left join h5p_scores
        on {{ mooc_version_current_at('snapshots', 'h5p_scores') }}
    left join h5p_videos
        on {{ mooc_version_current_at('snapshots', 'h5p_videos') }}
    left join h5p_dashboards
        on {{ mooc_version_current_at('snapshots', 'h5p_dashboards') }}

)

select * from final
