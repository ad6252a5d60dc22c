with

events as (

    select * from {{ ref('stg_lms__events') }}

),

final as (

    select
        ---------- ids
        organization_id,
        event_id,
        event_type,
        student_id,
        course_id,
        -- xAPI and Open edX name the video in the payload; the class id is the same object id
        coalesce(video_id, class_id) as video_id,
        -- the viewing session: the xAPI session-id (or registration), else Open edX's browser session;
        -- events without one form a single session per student and video
        coalesce(
            {{ json_extract_string('payload_json', '$.session_id') }},
            {{ json_extract_string('context_json', '$.session') }},
            ''
        ) as session_id,

        ---------- measures
        position_sec,
        {{ try_cast(json_extract_string('payload_json', '$.time_from'), 'double') }} as time_from_sec,
        {{ try_cast(json_extract_string('payload_json', '$.time_to'), 'double') }} as time_to_sec,
        {{ try_cast(json_extract_string('payload_json', '$.length'), 'double') }} as length_sec,
        nullif(trim({{ json_extract_string('payload_json', '$.played_segments') }}), '') as played_segments,

        ---------- timestamps
        occurred_at

    from events
    where
        event_type in (
            'VIDEO_INITIALIZED', 'VIDEO_PLAYED', 'VIDEO_PAUSED', 'VIDEO_SEEKED',
            'VIDEO_INTERACTED', 'VIDEO_TERMINATED', 'VIDEO_ENDED'
        )
        and coalesce(video_id, class_id) is not null

)

select * from final
