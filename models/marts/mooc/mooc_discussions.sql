with

discussions as (

    select * from {{ ref('stg_mooc__discussions') }}
    where is_latest

),

final as (

    select
        {{ mooc_row_id(['organization_id', 'user_id', 'course_id']) }} as id,
        organization_id,
        user_id,
        course_id,
        threads_count,
        comments_count,
        total_interactions,
        questions_count,
        total_upvotes,
        fetched_at
    from discussions

)

select
    id,
    organization_id,
    user_id,
    course_id,
    threads_count,
    comments_count,
    total_interactions,
    questions_count,
    total_upvotes,
    fetched_at
from final
