with

crosswalk as (

    select * from {{ ref('int_learner_crosswalk') }}

),

enrollments as (

    select * from {{ ref('stg_mooc__enrollments') }}
    where is_latest

),

courses as (

    select
        organization_id,
        user_id,
        count(*) as enrolled_courses,
        {{ json_array_agg_sorted('course_id') }} as course_ids
    from enrollments
    group by organization_id, user_id

),

final as (

    select
        crosswalk.organization_id,
        crosswalk.user_id,
        courses.enrolled_courses,
        courses.course_ids,
        crosswalk.unmatched_reason
    from crosswalk
    inner join courses
        on crosswalk.organization_id = courses.organization_id
        and crosswalk.user_id = courses.user_id
    where crosswalk.student_id is null

)

select
    organization_id,
    user_id,
    enrolled_courses,
    course_ids,
    unmatched_reason
from final
