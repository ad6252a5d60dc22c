{#- Every award, one per (organization, student, badge): the awards the LMS sent up to as-of and the ones the
    warehouse computed (int_gamification_awards_earned); which one stands is macro award_precedence. -#}
with

earned as (

    select * from {{ ref('int_gamification_awards_earned') }}

),

sent as (

    select * from {{ ref('stg_lms__gamification_awards') }}

),

candidates as (

    -- awards the LMS sent (the learner saw them), then the awards the warehouse computed
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
        'lms' as award_source
    from sent
    where awarded_at <= {{ as_of_timestamp() }}

    union all

    select
        {{ award_id('organization_id', 'student_id', 'badge_id') }} as id,
        organization_id,
        badge_id,
        student_id,
        course_id,
        cast(null as {{ dbt.type_string() }}) as class_id,
        awarded_at,
        context_json,
        cast(null as {{ dbt.type_string() }}) as raw_json,
        awarded_at as created_at,
        'warehouse' as award_source
    from earned

),

-- the rule: macro award_precedence
final as (

    {{ award_precedence('candidates') }}

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
