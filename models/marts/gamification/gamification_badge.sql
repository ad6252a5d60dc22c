{#- The badge catalog (seed gamification_badges) for every organization present. A badge whose criteria
    kind is unknown fails this model, hence the build, with the badge id and the problem. -#}
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

checked as (

    select
        badges.*,
        case
            when badges.criteria_kind = 'unknown' then cast({{ raise_error(
                "'seeds/gamification_badges.csv: badge ' || badges.badge_id || ' has criteria_json '
                || coalesce(badges.criteria_json, 'null') || ' of unknown kind: ' || badges.criteria_problem
                || '. Fix the seed and rebuild.'"
            ) }} as {{ dbt.type_string() }})
            else badges.criteria_kind
        end as checked_kind
    from badges

),

final as (

    select
        checked.badge_id as id,
        organizations.organization_id,
        checked.name,
        checked.description,
        checked.icon_url,
        checked.type,
        checked.category,
        checked.rarity,
        checked.points_reward,
        checked.criteria_json,
        checked.is_active,
        checked.checked_kind as criteria_kind,
        checked.criteria_threshold,
        checked.criteria_signal_type,
        checked.criteria_course_id,
        {{ json_object_text({
            'criteria_kind': 'checked.checked_kind',
            'threshold': 'checked.criteria_threshold',
            'signal': 'checked.criteria_signal_type',
            'course_id': 'checked.criteria_course_id',
        }) }} as metadata_json,
        cast(null as {{ dbt.type_string() }}) as raw_json,
        cast(null as timestamp) as created_at,
        cast(null as timestamp) as updated_at
    from checked
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
