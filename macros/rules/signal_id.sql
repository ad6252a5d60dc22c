{#- The stable id of a signal: an md5 of its organization, type, student and scope (the class id, or the
    course id for COURSE_COMPLETED). The same facts give the same id on every rebuild. -#}
{% macro signal_id(organization_id, signal_type, student_id, scope_id) -%}
    {{ dbt.hash(dbt.concat([organization_id, "'|'", signal_type, "'|'", student_id, "'|'", scope_id])) }}
{%- endmacro %}
