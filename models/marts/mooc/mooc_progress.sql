with

progress as (

    select * from {{ ref('stg_mooc__progress') }}
    where is_latest

),

final as (

    select
        {{ mooc_row_id(['organization_id', 'user_id', 'course_id']) }} as id,
        organization_id,
        user_id,
        course_id,
        total_blocks,
        completed_blocks,
        progress_percent,
        current_chapter,
        current_section,
        current_unit,
        completion_rate,
        last_activity_at as last_activity,
        fetched_at
    from progress

)

select
    id,
    organization_id,
    user_id,
    course_id,
    total_blocks,
    completed_blocks,
    progress_percent,
    current_chapter,
    current_section,
    current_unit,
    completion_rate,
    last_activity,
    fetched_at
from final
