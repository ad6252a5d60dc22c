{#- The badge catalog check: a badge's criteria_kind from int_gamification_badge_criteria, read from `badges` (its
    alias in the query), where a badge of kind 'unknown' fails the query, hence the build, with one line naming
    the badge, its criteria_json and the problem (criteria_problem). gamification_badge reads it. -#}
{% macro checked_criteria_kind(badges) -%}
    case
        when {{ badges }}.criteria_kind = 'unknown' then cast({{ raise_error(
            "'seeds/gamification_badges.csv: badge ' || " ~ badges ~ ".badge_id || ' has criteria_json '
            || coalesce(" ~ badges ~ ".criteria_json, 'null') || ' of unknown kind: ' || " ~ badges
            ~ ".criteria_problem || '. Fix the seed and rebuild.'"
        ) }} as {{ dbt.type_string() }})
        else {{ badges }}.criteria_kind
    end
{%- endmacro %}
