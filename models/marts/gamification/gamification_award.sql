with

earned as (

    select * from {{ ref('int_gamification_awards_earned') }}

),

sent as (

    select * from {{ ref('stg_lms__gamification_awards') }}

),

candidates as (

    -- awards the LMS sent come first: the learner saw them, so their id and time are kept
    select
        award_id as id,
        organization_id,
        badge_id,
        student_id,
        course_id,
        class_id,
        awarded_at,
        context_json,
        raw_json,
        coalesce(created_at, awarded_at) as created_at,
        'lms' as award_source,
        0 as source_rank
    from sent
    where awarded_at <= {{ as_of_timestamp() }}

    union all

    select
        {{ dbt.concat([
            "'award-'",
            dbt.hash(dbt.concat(['organization_id', "'|'", 'student_id', "'|'", 'badge_id']))
        ]) }} as id,
        organization_id,
        badge_id,
        student_id,
        course_id,
        cast(null as {{ dbt.type_string() }}) as class_id,
        awarded_at,
        context_json,
        cast(null as {{ dbt.type_string() }}) as raw_json,
        awarded_at as created_at,
        'warehouse' as award_source,
        1 as source_rank
    from earned

),

ranked as (

    select
        *,
        row_number() over (
            partition by organization_id, student_id, badge_id
            order by source_rank, awarded_at, id
        ) as award_rank
    from candidates

),

final as (

    select * from ranked
    where award_rank = 1

)

select
    id,
    organization_id,
    badge_id,
    student_id,
    course_id,
    class_id,
    awarded_at,
    context_json,
    raw_json,
    created_at,
    award_source
from final
