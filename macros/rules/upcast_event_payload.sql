{#- The one place where an event written in an older schema version gets the current shape (the dbt var
    `lms_event_current_version`); only stg_lms__events calls it, before any payload field is read.
    Version 1 is the only version so far: the current platform's events carry no version (design note 1.04,
    GAP-403), so a version-1 payload passes through unchanged. A later version that changes a payload adds
    one branch per step here, oldest first, for example if version 2 renamed VIDEO_PING's `duration` to
    `length`:
        case when event_version < 2 and event_type = 'VIDEO_PING'
             then <payload with duration renamed to length> else payload_json end
    Events newer than the current version never reach staging: ingestion quarantines them. -#}
{% macro upcast_event_payload(payload_json, event_type, event_version) -%}
    {%- if var('lms_event_current_version') | int != 1 -%}
        {{ exceptions.raise_compiler_error(
            "lms_event_current_version is " ~ var('lms_event_current_version')
            ~ " but upcast_event_payload only knows version 1: add the upcast of the new version first") }}
    {%- endif -%}
    {{ payload_json }}
{%- endmacro %}
