{#- Every learner's hearts at the as-of: int_hearts_as_of for those who ever failed a quiz, the cap for the
    others; the latest change from int_hearts_changes. -#}
{%- set max_hearts = var('hearts_max') | int %}

with

students as (

    select * from {{ ref('int_gamification_students') }}

),

hearts_as_of as (

    select * from {{ ref('int_hearts_as_of') }}

),

hearts_changes as (

    select * from {{ ref('int_hearts_changes') }}

),

last_changes as (

    select
        organization_id,
        student_id,
        max(changed_at) as last_changed_at
    from hearts_changes
    group by organization_id, student_id

),

final as (

    select
        students.organization_id,
        students.student_id,
        coalesce(hearts_as_of.hearts, {{ max_hearts }}) as hearts,
        {{ max_hearts }} as max_hearts,
        hearts_as_of.next_heart_at,
        {{ as_of_timestamp() }} as updated_at,
        last_changes.last_changed_at
    from students
    left join hearts_as_of
        on students.organization_id = hearts_as_of.organization_id
        and students.student_id = hearts_as_of.student_id
    left join last_changes
        on students.organization_id = last_changes.organization_id
        and students.student_id = last_changes.student_id

)

select
    organization_id,
    student_id,
    hearts,
    max_hearts,
    next_heart_at,
    updated_at,
    last_changed_at
from final
