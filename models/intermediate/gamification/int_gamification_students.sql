{#- Every learner the gamification marts give a row: known to the catalog, or with an event at or before
    as-of (students the catalog does not know still play). -#}
with

students as (

    select * from {{ ref('lms_student') }}

),

events as (

    select * from {{ ref('lms_event') }}

),

active_students as (

    select distinct
        organization_id,
        student_id
    from events
    where occurred_at <= {{ as_of_timestamp() }}

),

final as (

    select
        organization_id,
        id as student_id
    from students
    union
    select
        organization_id,
        student_id
    from active_students

)

select
    organization_id,
    student_id
from final
