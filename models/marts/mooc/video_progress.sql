with

videos as (

    select * from {{ ref('stg_mooc__h5p_videos') }}
    where is_latest

),

final as (

    select
        {{ mooc_row_id(['organization_id', 'user_id', 'course_id', 'content_id']) }} as id,
        organization_id,
        user_id,
        course_id,
        content_id,
        content_title,
        progress_percent,
        current_time_sec as {{ adapter.quote("current_time") }},
        duration_sec as duration,
        status
    from videos

)

select
    id,
    organization_id,
    user_id,
    course_id,
    content_id,
    content_title,
    progress_percent,
    {{ adapter.quote("current_time") }},
    duration,
    status
from final
