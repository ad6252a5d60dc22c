insert into _ingest_ev_staging

-- The whole validation of a record, in priority order: the first failing rule is its reason. It reads the view
-- _ingest_ev_input (each reader's statement creates it: file_idx, rn, raw, c, early_error) and keeps the rows in
-- their order (projections only), so a JSON Lines record's position is its staging rowid (input_lines.sql).
-- json_transform hands every scalar over as VARCHAR (numbers as their JSON text, booleans as 'true'/'false'), far
-- cheaper than asking json_type per field; ids come as JSON, so their JSON type can be checked.
-- noqa: disable=RF03
with src as (
    select
        file_idx,
        rn,
        raw,
        c,
        early_error
    from _ingest_ev_input
),

base as (
    select
        file_idx,
        rn,
        raw,
        c,
        early_error,
        case when raw is null then true
            when left(raw, 1) in (' ', chr(9), chr(13)) then trim(raw, ' ' || chr(9) || chr(10) || chr(13)) = ''
            else false
        end as blank
    from src
),

parsed as (
    -- try(): malformed JSON gives null instead of failing the whole statement.
    select
        *,
        case when not blank and early_error is null then try(json_transform(
                    c,
                    '{"id":"JSON","type":"JSON","student_id":"JSON","course_id":"JSON","class_id":"JSON","occurred_at":"VARCHAR","payload":"JSON","payload_json":"JSON","context":"JSON","context_json":"JSON","version":"VARCHAR","organization_id":"JSON","eventType":"VARCHAR"}'  -- noqa: LT05
                ))
        end as f
    from base
),

vals as (
    select
        *,
        case when f is null then false
            when starts_with(c, '{') then true
            else left(ltrim(c, ' ' || chr(9) || chr(10) || chr(13)), 1) = '{'
        end as is_object,
        -- Records in another system's shape name no `type`; a non-JSON line holding a brace may be a
        -- tracking-log line behind a logger prefix. Python converts them (or hands them back unchanged).
        case when f is null then early_error is null and not blank and contains(c, '{')
            else f.type is null and is_object
        end as needs_conversion,
        _ing_id(f.id) as id_text,
        case when left(f.type::varchar, 1) = '"' then _ing_unquote(f.type) end as type_text,
        _ing_id(f.student_id) as student_text,
        _ing_id(f.course_id) as course_text,
        _ing_id(f.class_id) as class_text,
        _ing_id(f.organization_id) as organization_text,
        f.occurred_at as occurred_text,
        case when f is not null then json_keys(c) end as top_keys,
        _ing_obj(f.payload, f.payload_json) as payload_obj,
        _ing_obj(f.context, f.context_json) as context_obj,
        _ing_num(f.version) as version_num
    from parsed
),

typed as (
    select
        *,
        -- Distinct keys proven cheaply (validation_macros.sql): when the record holds as many keys as fields of `f`
        -- are set, each key is another field of f (a set field is a key held, two fields never one key).
        case
            when top_keys is null then null
            when len(top_keys) = (f.id is not null)::integer + (f.type is not null)::integer
                + (f.student_id is not null)::integer + (f.course_id is not null)::integer
                + (f.class_id is not null)::integer + (f.occurred_at is not null)::integer
                + (f.payload is not null)::integer + (f.payload_json is not null)::integer
                + (f.context is not null)::integer + (f.context_json is not null)::integer
                + (f.version is not null)::integer + (f.organization_id is not null)::integer
                + (f.eventType is not null)::integer  -- noqa: CP02
                then null
            else _ing_dup_key(top_keys)
        end as duplicate_key,
        json_keys(payload_obj) as payload_keys,
        json_keys(context_obj) as context_keys,
        _ing_utc(occurred_text) as occurred_ts,
        -- Only the VIDEO_PING and QUIZ_SUBMIT rules read payload fields.
        case when payload_obj is not null and type_text in ('VIDEO_PING', 'QUIZ_SUBMIT')
                then json_transform(
                        payload_obj,
                        '{"position":"VARCHAR","duration":"VARCHAR","score":"VARCHAR","max_score":"VARCHAR","passed":"VARCHAR"}'  -- noqa: LT05
                    )
        end as pf
    from vals
),

measured as (
    select
        *,
        _ing_num(pf.position) as position,
        _ing_num(pf.duration) as duration,
        _ing_num(pf.score) as score,
        _ing_num(pf.max_score) as max_score,
        _ing_bool(pf.passed) as passed
    from typed
),

judged as (
    select
        *,
        case
            when blank then null
            when early_error is not null then early_error
            when f is null then 'not valid JSON'
            when not is_object
                then 'not a JSON object (got ' || case json_type(c)
                        when 'ARRAY' then 'an array' when 'VARCHAR' then 'a string' when 'BOOLEAN' then 'a boolean'
                        when 'NULL' then 'null' else 'a number'
                    end || ')'
            when duplicate_key is not null
                then 'duplicate key ' || to_json(duplicate_key) || ' in the record: '
                    || 'readers would disagree on its value'
            when f.id is not null and id_text is null then _ing_id_error('id', f.id)
            when f.type is not null and type_text is null
                then 'type must be a JSON string (got ' || _ing_kind(f.type) || ')'
            when f.student_id is not null and student_text is null then _ing_id_error('student_id', f.student_id)
            when f.course_id is not null and course_text is null then _ing_id_error('course_id', f.course_id)
            when f.class_id is not null and class_text is null then _ing_id_error('class_id', f.class_id)
            when f.organization_id is not null and organization_text is null
                then _ing_id_error('organization_id', f.organization_id)
            when not _ing_present(id_text) then 'missing or empty id'
            when not _ing_present(type_text) then 'missing or empty type'
            when not _ing_present(student_text) then 'missing or empty student_id'
            when not _ing_present(occurred_text) then 'missing or empty occurred_at'
            when occurred_ts is null then 'occurred_at is not an ISO-8601 timestamp: ' || occurred_text
            when _ing_bad_offset(occurred_text) then 'occurred_at has a UTC offset beyond +-18:00: ' || occurred_text
            when occurred_ts < $earliest or occurred_ts > $latest
                then 'occurred_at ' || occurred_text
                    || ' is outside the plausible window (' || strftime($earliest, '%Y-%m-%d %H:%M:%S') || ' UTC to '
                    || strftime($latest, '%Y-%m-%d %H:%M:%S') || ' UTC, vars event_time_earliest and '
                    || 'event_time_max_days_ahead): fix the sender''s clock, or widen the vars and re-ingest'
            when f.version is not null and not coalesce(
                    version_num = floor(version_num) and version_num between 1 and 2147483647, false
                )
                then 'version must be a positive integer (got ' || f.version || ')'
            when version_num > $current_version
                then 'version ' || version_num::bigint || ' is newer than the newest '
                    || 'this warehouse knows (' || $current_version || '): re-ingest the file after upgrading'
            when _ing_obj_error('payload', f.payload, f.payload_json, payload_obj) is not null
                then _ing_obj_error('payload', f.payload, f.payload_json, payload_obj)
            when _ing_obj_error('context', f.context, f.context_json, context_obj) is not null
                then _ing_obj_error('context', f.context, f.context_json, context_obj)
            when _ing_dup_key_of_few(payload_keys) is not null
                then 'duplicate key ' || to_json(_ing_dup_key(payload_keys))
                    || ' in the payload: readers would disagree on its value'
            when _ing_dup_key_of_few(context_keys) is not null
                then 'duplicate key ' || to_json(_ing_dup_key(context_keys))
                    || ' in the context: readers would disagree on its value'
            when type_text = 'VIDEO_PING' and (position is null or duration is null)
                then 'VIDEO_PING payload needs numeric position and duration'
            when type_text = 'VIDEO_PING' and (position < 0 or duration < 0)
                then 'VIDEO_PING position and duration must not be negative'
            when type_text = 'VIDEO_PING' and duration = 0 then 'VIDEO_PING duration must be greater than 0'
            when type_text = 'QUIZ_SUBMIT' and (score is null or max_score is null)
                then 'QUIZ_SUBMIT payload needs numeric score and max_score'
            when type_text = 'QUIZ_SUBMIT' and score < 0 then 'QUIZ_SUBMIT score must not be negative'
            when type_text = 'QUIZ_SUBMIT' and max_score <= 0 then 'QUIZ_SUBMIT max_score must be greater than 0'
            when type_text = 'QUIZ_SUBMIT' and score > max_score then 'QUIZ_SUBMIT score is greater than max_score'
            when type_text = 'QUIZ_SUBMIT' and passed is null
                then 'QUIZ_SUBMIT payload needs passed as a boolean (true/false or "true"/"false")'
        end as reason
    from measured
),

landable as (
    select
        *,
        case when _ing_present(course_text) then course_text end as course_id,
        case when _ing_present(class_text) then class_text end as class_id,
        coalesce(case when _ing_present(organization_text) then organization_text end, $organization)
            as organization_id,
        -- try_cast: a huge version is rejected above and must not fail the whole file here
        coalesce(try_cast(version_num as integer), 1) as version
    from judged
)

select
    file_idx,
    rn,
    raw,
    blank,
    needs_conversion,
    reason,
    id_text,
    type_text,
    student_text,
    course_id,
    class_id,
    occurred_ts,
    coalesce(payload_obj::varchar, '{}') as payload_json,
    context_obj::varchar as context_json,
    version,
    organization_id,
    -- content_hash: DuckDB's 64-bit hash() of the typed values, far cheaper than md5 of their text. Equal
    -- hashes of one id count as equal content (a 2^-64 chance per re-delivery to miss a conflict); unequal
    -- ones, including md5 hashes landed by older versions, are compared canonically (judge_repeated_ids.sql).
    case when reason is null then hash(
                type_text, student_text, course_id, class_id, occurred_ts,
                coalesce(payload_obj::varchar, '{}'), context_obj::varchar, version, organization_id
            )::varchar
    end
        as content_hash,
    -- only a record holding more `{` and `[` than the nesting limit can nest deeper (ingestion/nesting.py measures
    -- those few exactly); one regular expression counts both brackets, but RE2 repeats at most 1000 times
    not blank and case when $max_depth < 1000
            then regexp_matches(raw, '(?:[^\[{]*[\[{]){' || ($max_depth + 1) || '}')
        else strlen(raw) - strlen(replace(replace(raw, '{', ''), '[', '')) > $max_depth
    end as many_brackets
from landable
