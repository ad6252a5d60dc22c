{#- The badge catalog (seed gamification_badges, criteria read by int_gamification_badge_criteria) for every
    organization present. A badge whose criteria kind is unknown fails this model, hence the build, with the badge
    id and the problem (macro checked_criteria_kind). -#}
with

badges as (

    select * from {{ ref('int_gamification_badge_criteria') }}

),

students as (

    select * from {{ ref('int_gamification_students') }}

),

organizations as (

    select distinct organization_id from students

),

final as (

    select
        badges.badge_id as id,
        organizations.organization_id,
        badges.name,
        badges.description,
        badges.icon_url,
        badges.type,
        badges.category,
        badges.rarity,
        badges.points_reward,
        badges.criteria_json,
        badges.is_active,
        {{ checked_criteria_kind('badges') }} as criteria_kind,
        badges.criteria_threshold,
        badges.criteria_signal_type,
        badges.criteria_course_id,
        {{ json_object_text({
            'criteria_kind': 'badges.criteria_kind',
            'threshold': 'badges.criteria_threshold',
            'signal': 'badges.criteria_signal_type',
            'course_id': 'badges.criteria_course_id',
        }) }} as metadata_json,
        cast(null as {{ dbt.type_string() }}) as raw_json,
        cast(null as timestamp) as created_at,
        cast(null as timestamp) as updated_at
    from badges
    cross join organizations

)

select
    id,
    organization_id,
    name,
    description,
    icon_url,
    type,
    category,
    rarity,
    points_reward,
    criteria_json,
    is_active,
    criteria_kind,
    criteria_threshold,
    criteria_signal_type,
    criteria_course_id,
    metadata_json,
    raw_json,
    created_at,
    updated_at
from final
