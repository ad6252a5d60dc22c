{#- Join condition: two relations keyed like int_raw_data_snapshots describe the same row (organization,
    learner, course, kind and date of the snapshot). -#}
{% macro same_snapshot_row(left, right) -%}
    {%- for column in ['organization_id', 'user_id', 'course_id', 'snapshot_kind', 'snapshot_date'] -%}
        {{ left }}.{{ column }} = {{ right }}.{{ column }}{{ "\n        and " if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
