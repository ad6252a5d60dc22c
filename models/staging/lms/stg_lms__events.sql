{#- A table, not a view like the rest of staging: it is the one place every event's JSON payload is parsed
    and its e-mail addresses removed, and half a dozen event models read it. Incremental by event id: a
    build parses only the events of batches it has not seen (every landed copy of their ids, so the
    first-copy-wins rule stays exact). On Spark the unit is the UTC day of the event (partition
    event_date): a build rewrites the days the new events occurred on, every event of those days. -#}
{{
    config(
        meta=engine_specific('incremental_by_day'),
        tags=['incremental_events'],
        pre_hook="{{ delete_dirty_rows('event', reads_catalog=false, column='event_id') }}",
        **incremental_settings(spark_partition_by=['event_date'])
    )
}}

{%- set scope = incremental_scope(reads_catalog=false) %}
{%- if overwrites_partitions() %}
    {#- Spark: every copy of each id landed on a touched day (the first copy still wins), and of the winners
        those of the touched days: a winner of another day is that day's, whose partition stays as it is -#}
    {%- set rows_read -%}
        (scoped.organization_id, scoped.id) in (
            select touched.organization_id, touched.id from {{ source('landing', 'lms_events') }} as touched
            where {{ in_touched_days('touched.occurred_at') }}
        )
    {%- endset -%}
    {%- set winners_kept = in_touched_days('occurred_at') -%}
{%- else %}
    {%- set rows_read = is_dirty('scoped', 'event', scope, 'id') -%}
    {%- set winners_kept = '1 = 1' -%}
{%- endif %}

with

source as (

    select * from {{ source('landing', 'lms_events') }} as scoped
    where {{ rows_read }}

),

upcast as (

    -- Every older event version in the current shape (the one place: macro upcast_event_payload).
    select
        id,
        type,
        student_id,
        course_id,
        class_id,
        organization_id,
        version,
        {{ upcast_event_payload('payload_json', 'type', 'version') }} as payload_json,
        context_json,
        occurred_at,
        loaded_at,
        content_hash,
        source_file,
        record_number,
        batch_id
    from source

),

renamed as (

    select
        ---------- ids
        id as event_id,
        type as event_type,
        student_id,
        nullif(trim(course_id), '') as course_id,
        nullif(trim(class_id), '') as class_id,
        -- converted events (context source xapi, openedx) name an object where native ones name a class
        case
            when {{ json_extract_string('context_json', '$.source') }} in ('xapi', 'openedx')
                then nullif(trim(class_id), '')
        end as object_iri,
        organization_id,
        version as event_version,

        ---------- payload: VIDEO_PING
        {{ json_extract_string('payload_json', '$.video_id') }} as video_id,
        {{ try_cast(json_extract_string('payload_json', '$.position'), 'double') }} as position_sec,
        {{ try_cast(json_extract_string('payload_json', '$.duration'), 'double') }} as duration_sec,

        ---------- payload: QUIZ_SUBMIT
        {{ json_extract_string('payload_json', '$.quiz_id') }} as quiz_id,
        {{ try_cast(json_extract_string('payload_json', '$.score'), 'double') }} as score,
        {{ try_cast(json_extract_string('payload_json', '$.max_score'), 'double') }} as max_score,
        {{ to_flag(json_extract_string('payload_json', '$.passed')) }} as passed,

        ---------- json (e-mail addresses removed: only identity dimensions hold personal data)
        {{ redact_emails('payload_json') }} as payload_json,
        {{ redact_emails('context_json') }} as context_json,

        ---------- timestamps
        occurred_at,
        loaded_at,

        ---------- lineage
        content_hash,
        source_file,
        record_number,
        batch_id

    from upcast

),

ranked as (

    select
        *,
        row_number() over (
            partition by organization_id, event_id
            order by loaded_at, batch_id, source_file, record_number
        ) as load_rank
    from renamed

),

final as (

    select
        event_id,
        event_type,
        student_id,
        course_id,
        class_id,
        object_iri,
        organization_id,
        event_version,
        video_id,
        position_sec,
        duration_sec,
        quiz_id,
        score,
        max_score,
        passed,
        payload_json,
        context_json,
        occurred_at,
        cast(occurred_at as date) as event_date,
        loaded_at as first_loaded_at,
        content_hash,
        source_file,
        record_number,
        batch_id
    from ranked
    where load_rank = 1 and {{ winners_kept }}

)

select * from final
