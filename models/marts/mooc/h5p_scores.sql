with

scores as (

    select * from {{ ref('stg_mooc__h5p_scores') }}
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
        score,
        max_score,
        {{ round_decimal('100.0 * score / nullif(max_score, 0)', 2) }} as percentage,
        finished_at
    from scores

)

select
    id,
    organization_id,
    user_id,
    course_id,
    content_id,
    content_title,
    score,
    max_score,
    percentage,
    finished_at
from final
