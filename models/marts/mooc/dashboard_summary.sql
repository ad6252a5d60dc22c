with

dashboards as (

    select * from {{ ref('stg_mooc__h5p_dashboards') }}
    where is_latest

),

final as (

    select
        {{ mooc_row_id(['organization_id', 'user_id', 'course_id']) }} as id,
        organization_id,
        user_id,
        course_id,
        overall_completion,
        total_items,
        completed_items,
        h5p_total_contents,
        video_total_videos,
        fetched_at
    from dashboards

)

select
    id,
    organization_id,
    user_id,
    course_id,
    overall_completion,
    total_items,
    completed_items,
    h5p_total_contents,
    video_total_videos,
    fetched_at
from final
