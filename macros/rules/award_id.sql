{#- The stable id of an award the warehouse computed: 'award-' and an md5 of its organization, student and badge
    (one award per learner and badge), the same on every rebuild. -#}
{% macro award_id(organization_id, student_id, badge_id) -%}
    {{ dbt.concat(["'award-'", dbt.hash(dbt.concat([organization_id, "'|'", student_id, "'|'", badge_id]))]) }}
{%- endmacro %}
