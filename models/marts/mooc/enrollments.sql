with

enrollments as (

    select * from {{ ref('stg_mooc__enrollments') }}
    where is_latest

),

crosswalk as (

    select * from {{ ref('int_learner_crosswalk') }}

),

final as (

    select
        {{ mooc_row_id(['enrollments.organization_id', 'enrollments.user_id', 'enrollments.course_id']) }} as id,
        enrollments.organization_id,
        enrollments.course_id,
        enrollments.user_id,
        crosswalk.student_id,
        crosswalk.match_method,
        enrollments.source_system,
        enrollments.username,
        enrollments.email,
        enrollments.full_name,
        enrollments.enrollment_id,
        enrollments.mode,
        enrollments.is_active,
        enrollments.created_at as created,
        enrollments.attributes_json as all_attributes,
        enrollments.fetched_at
    from enrollments
    left join crosswalk
        on enrollments.organization_id = crosswalk.organization_id
        and enrollments.user_id = crosswalk.user_id

)

select
    id,
    organization_id,
    course_id,
    user_id,
    student_id,
    match_method,
    source_system,
    username,
    email,
    full_name,
    enrollment_id,
    mode,
    is_active,
    created,
    all_attributes,
    fetched_at
from final
