with

grades as (

    select * from {{ ref('stg_mooc__grades') }}
    where is_latest

),

final as (

    select
        {{ mooc_row_id(['organization_id', 'user_id', 'course_id']) }} as id,
        organization_id,
        user_id,
        course_id,
        percent_grade,
        {{ round_decimal('100.0 * percent_grade', 2) }} as grade_percentage,
        letter_grade,
        is_passed,
        fetched_at
    from grades

)

select
    id,
    organization_id,
    user_id,
    course_id,
    percent_grade,
    grade_percentage,
    letter_grade,
    is_passed,
    fetched_at
from final
