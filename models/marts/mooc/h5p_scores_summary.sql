with

summaries as (

    select * from {{ ref('int_h5p_score_versions_summarised') }}
    where is_latest

),

final as (

    select
        {{ mooc_row_id(['organization_id', 'user_id', 'course_id']) }} as id,
        organization_id,
        user_id,
        course_id,
        total_contents,
        completed_contents,
        total_score,
        total_max_score,
        overall_percentage,
        mean_score_pct,
        fetched_at
    from summaries

)

select
    id,
    organization_id,
    user_id,
    course_id,
    total_contents,
    completed_contents,
    total_score,
    total_max_score,
    overall_percentage,
    mean_score_pct,
    fetched_at
from final
