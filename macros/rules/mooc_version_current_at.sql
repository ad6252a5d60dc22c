{#- Join condition: `versions` (a MOOC record-version relation) holds the state of the learner and course
    of `snapshots` (int_raw_data_snapshots): the version current at the snapshot's cutoff when the
    snapshot is point in time (fetched_at <= cutoff_at < superseded_at), else the latest version. -#}
{% macro mooc_version_current_at(snapshots, versions) -%}
    {{ snapshots }}.organization_id = {{ versions }}.organization_id
    and {{ snapshots }}.user_id = {{ versions }}.user_id
    and {{ snapshots }}.course_id = {{ versions }}.course_id
    and (
        (
            {{ snapshots }}.state_is_point_in_time
            and {{ versions }}.fetched_at <= {{ snapshots }}.cutoff_at
            and ({{ versions }}.superseded_at is null or {{ versions }}.superseded_at > {{ snapshots }}.cutoff_at)
        )
        or (not {{ snapshots }}.state_is_point_in_time and {{ versions }}.is_latest)
    )
{%- endmacro %}
