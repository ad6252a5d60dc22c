"""Land learner events: read files with DuckDB, validate and de-duplicate them with set-based SQL.

One call is one batch. Every record read ends up in exactly one place: `landing.lms_events` (accepted),
nowhere but the counts (a duplicate of a landed event), or `landing.lms_event_rejects` (with a reason).
All landing writes of a batch happen in one transaction, so a crash never leaves half a batch.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from ingestion import conversions, nesting, tally
from ingestion.batches import BatchResult, new_batch_id, record_batch, utc_now
from ingestion.errors import IngestError
from ingestion.event_versions import current_event_version
from ingestion.landing import LANDING_SCHEMA, ensure_landing_schema
from ingestion.project_vars import project_var
from ingestion.readers import (
    FileFailure,
    SourceFile,
    discover,
    file_md5,
    load_file,
    sql_literal,
    timestamp_literal,
)
from ingestion.xapi import redact_emails

KIND = "events"
MEMORY_LIMIT_ENV = "LMS_INGEST_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "2GB"
_STAGING = "_ingest_ev_staging"
_ROWS = "_ingest_ev_rows"
_VERDICT = "_ingest_ev_verdict"
_FOREIGN = "_ingest_ev_foreign"
_TEXTS = "_ingest_ev_texts"
_FILE_REJECTS = "_ingest_ev_file_rejects"
_TEMP_OBJECTS = (("view", _ROWS), ("table", _VERDICT), ("table", _FILE_REJECTS), ("table", _STAGING))

Progress = Callable[[str], None]

_STAGING_DDL = f"""
create or replace temp table {_STAGING} (
    file_idx        integer not null,
    rn              bigint,   -- null: the fast line reader's row, positioned by rowid within its file
    raw             varchar,
    blank           boolean,  -- a blank JSON Lines line: neither a record nor counted
    needs_conversion boolean, -- no `type`: maybe a Tally delivery, xAPI statement or Open edX event
    reason          varchar,  -- null for a valid record
    id              varchar,
    type            varchar,
    student_id      varchar,
    course_id       varchar,
    class_id        varchar,
    occurred_at     timestamp,
    payload_json    varchar,
    context_json    varchar,
    version         integer,
    organization_id varchar,
    content_hash    varchar,
    many_brackets   boolean   -- more opening brackets than the nesting limit: measured by _reject_too_deep
)
"""

# Helpers over the text of JSON scalars. json_transform hands every scalar over as VARCHAR (numbers as
# their JSON text, booleans as 'true'/'false'), which is far cheaper than asking json_type per field.
_MACROS = """
create or replace temp macro _ing_present(s) as case
    when s is null then false when ascii(s) > 32 then true else trim(s, ' ' || chr(9) || chr(10) || chr(13)) <> ''
end;
-- contains(), not IN: a long IN list of constants is planned as a join, a whole pass per use of the macro.
create or replace temp macro _ing_num(s) as case
    when contains('0123456789-+. ', left(s, 1)) and isfinite(try_cast(s as double)) then try_cast(s as double)
end;
-- Ids: a JSON string (its text) or a JSON integer (its decimal text: numeric user ids are common); any other
-- JSON type gives null, and the record is rejected naming the field and what it got.
-- A string's text without a second JSON parse when it holds no escape (nearly always).
create or replace temp macro _ing_unquote(j) as case
    when contains(j::varchar, '\\') then j ->> '$' else substr(j::varchar, 2, strlen(j::varchar) - 2) end;
create or replace temp macro _ing_id(j) as case
    when j is null then null
    when left(j::varchar, 1) = '"' then _ing_unquote(j)
    when regexp_full_match(j::varchar, '-?[0-9]{1,19}') then j::varchar
end;
create or replace temp macro _ing_kind(j) as case left(j::varchar, 1)
    when '"' then 'a string' when '{' then 'an object' when '[' then 'an array' when 't' then 'a boolean'
    when 'f' then 'a boolean' else 'a number that is not an integer' end;
create or replace temp macro _ing_id_error(name, j) as case
    when j is not null and _ing_id(j) is null
        then name || ' must be a JSON string or integer (got ' || _ing_kind(j) || ')'
end;
-- The first key an object holds twice: DuckDB would read its first value and Python its last. (A MAP transform
-- does not help: it keeps both keys, and refuses them only when the map is read.)
create or replace temp macro _ing_dup_key(keys) as case when len(keys) <> len(list_distinct(keys))
    then list_filter(keys, (k, i) -> list_position(keys, k) < i)[1] end;
create or replace temp macro _ing_bool(s) as case when lower(s) in ('true', 'false') then lower(s) = 'true' end;
create or replace temp macro _ing_is_object(j) as left(j::varchar, 1) = '{';
create or replace temp macro _ing_obj(direct, text_form) as case
    when direct is not null then case when _ing_is_object(direct) then direct end
    when text_form is null then null
    when _ing_is_object(text_form) then text_form
    when left(text_form::varchar, 1) = '"' and json_valid(text_form ->> '$')
        then case when json_type(text_form ->> '$') = 'OBJECT' then json(text_form ->> '$') end
end;
create or replace temp macro _ing_obj_error(name, direct, text_form, obj) as case
    when direct is not null and obj is null then name || ' is not a JSON object'
    when direct is null and text_form is not null and obj is null
        then name || '_json is not a JSON object (expected JSON text holding an object)'
end;
create or replace temp macro _ing_utc(s) as case
    when contains(substr(s, 11), '+') or contains(substr(s, 11), '-') then timezone('UTC', try_cast(s as timestamptz))
    else coalesce(try_cast(s as timestamp), timezone('UTC', try_cast(s as timestamptz)))
end;
-- RFC 3339 offsets lie within +-18:00 (what DuckDB's cast would otherwise accept, e.g. +99:00, is refused).
create or replace temp macro _ing_offset_part(s, n) as
    try_cast(regexp_extract(substr(s, 12), '[+-]([0-9]{2}):?([0-9]{2})$', n) as integer);
create or replace temp macro _ing_bad_offset(s) as not suffix(s, 'Z') and coalesce(
    _ing_offset_part(s, 1) * 60 + _ing_offset_part(s, 2) > 18 * 60 or _ing_offset_part(s, 2) >= 60, false);
create or replace temp macro _ing_norm(s) as case
    when s is null then 'null'
    when _ing_num(s) is not null then _ing_num(s)::varchar
    when lower(s) in ('true', 'false') then lower(s)
    else s
end;
create or replace temp macro _ing_canon(obj) as coalesce(list_aggr(list_sort(list_transform(
    map_entries(json_transform(obj, '"MAP(VARCHAR, VARCHAR)"')),
    e -> to_json(e.key)::varchar || '=' || _ing_norm(e.value))), 'string_agg', ','), '');
create or replace temp macro _ing_canonical(r) as concat_ws(chr(31), r.type, r.student_id,
    coalesce(r.course_id, chr(0)), coalesce(r.class_id, chr(0)), epoch_us(r.occurred_at)::varchar,
    _ing_canon(r.payload_json), coalesce(_ing_canon(r.context_json), ''), r.version::varchar, r.organization_id);
"""

_PAYLOAD_SHAPE = (
    '{"position":"VARCHAR","duration":"VARCHAR","score":"VARCHAR","max_score":"VARCHAR","passed":"VARCHAR"}'
)
# Ids as JSON, so their JSON type can be checked (as VARCHAR an object, a boolean and a string all read as text).
_RECORD_SHAPE = (
    '{"id":"JSON","type":"JSON","student_id":"JSON","course_id":"JSON","class_id":"JSON",'
    '"occurred_at":"VARCHAR","payload":"JSON","payload_json":"JSON","context":"JSON","context_json":"JSON",'
    '"version":"VARCHAR","organization_id":"JSON","eventType":"VARCHAR"}'
)
_WS = "' ' || chr(9) || chr(10) || chr(13)"

# The whole validation of a record, in priority order: the first failing rule is its reason.
_CLASSIFY_SQL = f"""
with src as (__SOURCE__),
base as (
    select file_idx, rn, raw, c, early_error,
           case when raw is null then true
                when left(raw, 1) in (' ', chr(9), chr(13)) then trim(raw, {_WS}) = ''
                else false end as blank
    from src
),
parsed as (
    -- try(): malformed JSON gives null instead of failing the whole statement.
    select *, case when not blank and early_error is null then try(json_transform(c, '{_RECORD_SHAPE}')) end as f
    from base
),
vals as (
    select *,
        case when f is null then false
             when starts_with(c, '{{') then true
             else left(ltrim(c, {_WS}), 1) = '{{' end as is_object,
        -- Records in another system's shape name no `type`; a non-JSON line holding a brace may be a
        -- tracking-log line behind a logger prefix. Python converts them (or hands them back unchanged).
        case when f is null then early_error is null and not blank and contains(c, '{{')
             else f.type is null and is_object end as needs_conversion,
        _ing_id(f.id) as id_text, case when left(f.type::varchar, 1) = '"' then _ing_unquote(f.type) end as type_text,
        _ing_id(f.student_id) as student_text, _ing_id(f.course_id) as course_text,
        _ing_id(f.class_id) as class_text, _ing_id(f.organization_id) as organization_text,
        f.occurred_at as occurred_text,
        case when f is not null then _ing_dup_key(json_keys(c)) end as duplicate_key,
        _ing_obj(f.payload, f.payload_json) as payload_obj,
        _ing_obj(f.context, f.context_json) as context_obj,
        _ing_num(f.version) as version_num
    from parsed
),
typed as (
    select *,
        _ing_utc(occurred_text) as occurred_ts,
        -- Only the VIDEO_PING and QUIZ_SUBMIT rules read payload fields.
        case when payload_obj is not null and type_text in ('VIDEO_PING', 'QUIZ_SUBMIT')
            then json_transform(payload_obj, '{_PAYLOAD_SHAPE}') end as pf
    from vals
),
measured as (
    select *,
        _ing_num(pf.position) as position, _ing_num(pf.duration) as duration,
        _ing_num(pf.score) as score, _ing_num(pf.max_score) as max_score, _ing_bool(pf.passed) as passed
    from typed
),
judged as (
    select *, case
        when blank then null
        when early_error is not null then early_error
        when f is null then 'not valid JSON'
        when not is_object then 'not a JSON object (got ' || case json_type(c)
            when 'ARRAY' then 'an array' when 'VARCHAR' then 'a string' when 'BOOLEAN' then 'a boolean'
            when 'NULL' then 'null' else 'a number' end || ')'
        when duplicate_key is not null then 'duplicate key ' || to_json(duplicate_key) || ' in the record: '
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
        when occurred_ts < __EARLIEST__ or occurred_ts > __LATEST__ then 'occurred_at ' || occurred_text
            || ' is outside the plausible window (' || strftime(__EARLIEST__, '%Y-%m-%d %H:%M:%S') || ' UTC to '
            || strftime(__LATEST__, '%Y-%m-%d %H:%M:%S') || ' UTC, vars event_time_earliest and '
            || 'event_time_max_days_ahead): fix the sender''s clock, or widen the vars and re-ingest'
        when f.version is not null and not coalesce(
                version_num = floor(version_num) and version_num between 1 and 2147483647, false)
            then 'version must be a positive integer (got ' || f.version || ')'
        when version_num > __CURRENT_VERSION__ then 'version ' || version_num::bigint || ' is newer than the newest '
            || 'this warehouse knows (__CURRENT_VERSION__): re-ingest the file after upgrading'
        when _ing_obj_error('payload', f.payload, f.payload_json, payload_obj) is not null
            then _ing_obj_error('payload', f.payload, f.payload_json, payload_obj)
        when _ing_obj_error('context', f.context, f.context_json, context_obj) is not null
            then _ing_obj_error('context', f.context, f.context_json, context_obj)
        when _ing_dup_key(json_keys(payload_obj)) is not null then 'duplicate key '
            || to_json(_ing_dup_key(json_keys(payload_obj))) || ' in the payload: readers would disagree on its value'
        when _ing_dup_key(json_keys(context_obj)) is not null then 'duplicate key '
            || to_json(_ing_dup_key(json_keys(context_obj))) || ' in the context: readers would disagree on its value'
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
    select *,
        case when _ing_present(course_text) then course_text end as course_id,
        case when _ing_present(class_text) then class_text end as class_id,
        coalesce(case when _ing_present(organization_text) then organization_text end, __ORGANIZATION__)
            as organization_id,
        -- try_cast: a huge version is rejected above and must not fail the whole file here
        coalesce(try_cast(version_num as integer), 1) as version
    from judged
)
select file_idx, rn, raw, blank, needs_conversion, reason,
    id_text, type_text, student_text, course_id, class_id, occurred_ts,
    coalesce(payload_obj::varchar, '{{}}'), context_obj::varchar, version, organization_id,
    -- content_hash: DuckDB's 64-bit hash() of the typed values, far cheaper than md5 of their text. Equal
    -- hashes of one id count as equal content (a 2^-64 chance per re-delivery to miss a conflict); unequal
    -- ones, including md5 hashes landed by older versions, are compared canonically (_VERDICT_SQL).
    case when reason is null then hash(type_text, student_text, course_id, class_id, occurred_ts,
        coalesce(payload_obj::varchar, '{{}}'), context_obj::varchar, version, organization_id)::varchar end,
    not blank and __MANY_BRACKETS__
from landable
"""

# The staging rows that are records, with their file and 1-based position. File paths and the fast
# reader's rowid offsets are inlined as list literals: cheaper than joining a files table per row.
_ROWS_VIEW = f"""
create or replace temp view {_ROWS} as
select s.rowid as srow, s.file_idx, coalesce(s.rn, s.rowid - __FIRST_ROWIDS__[s.file_idx + 1] + 1) as record_number,
       __PATHS__[s.file_idx + 1] as source_file, s.raw, s.needs_conversion, s.reason, s.id, s.type, s.student_id,
       s.course_id, s.class_id, s.occurred_at, s.payload_json, s.context_json, s.version, s.organization_id,
       s.content_hash
from {_STAGING} s
where not s.blank
"""

# An event's identity is (organization_id, id): ids are unique only inside the system that made them, so
# duplicates and conflicts are judged within one organization and another tenant's ids never hold one back.
# Only records whose identity is already landed or repeats within the batch get a verdict row; all other valid
# records are accepted, which keeps the common case to a cheap semi-join. Equal content hashes mean equal
# content; unequal ones are confirmed by comparing the canonical content (keys sorted, numbers as numbers).
_VERDICT_SQL = f"""
create or replace temp table {_VERDICT} as
with valid as (
    select srow, file_idx, record_number, organization_id, id, content_hash from {_ROWS} where reason is null
),
-- Grouping by a 64-bit hash is much cheaper than by the id text; a collision only adds a candidate.
repeated as (select hash(organization_id, id) as h from valid group by h having count(*) > 1),
landed as (
    select e.id, e.content_hash, e.type, e.student_id, e.course_id, e.class_id, e.occurred_at, e.payload_json,
           e.context_json, e.version, e.organization_id
    from {LANDING_SCHEMA}.lms_events e semi join valid v on v.organization_id = e.organization_id and v.id = e.id
    qualify row_number() over (
        partition by e.organization_id, e.id order by e.loaded_at, e.batch_id, e.record_number) = 1
),
ranked as (
    select v.srow, row_number() over w as position, first_value(v.srow) over w as first_srow
    from valid v semi join repeated r on r.h = hash(v.organization_id, v.id)
    window w as (partition by v.organization_id, v.id order by v.file_idx, v.record_number)
),
candidates as (
    select v.srow from valid v semi join landed l on l.organization_id = v.organization_id and l.id = v.id
    union
    select srow from ranked
),
content as (
    select srow, id, content_hash, type, student_id, course_id, class_id, occurred_at, payload_json, context_json,
           version, organization_id
    from {_ROWS} semi join candidates using (srow)
),
matched as (
    select v, l, fv, r.position as position
    from content v
    left join landed l on l.organization_id = v.organization_id and l.id = v.id
    left join ranked r on r.srow = v.srow
    left join content fv on fv.srow = r.first_srow
),
-- CASE, not OR: the canonical form is computed only when the hashes differ.
judged as (
    select v.srow as srow, v.id as id, v.organization_id as organization_id, case
        when l.id is not null then case
            when l.content_hash = v.content_hash then 'duplicate'
            when _ing_canonical(l) = _ing_canonical(v) then 'duplicate'
            else 'conflict' end
        when position = 1 then 'accepted'
        when fv.content_hash = v.content_hash then 'duplicate'
        when _ing_canonical(fv) = _ing_canonical(v) then 'duplicate'
        else 'conflict' end as status,
        l.id is not null as landed_before
    from matched
)
select srow, status, case
    when status = 'conflict' and landed_before then
        'conflicting duplicate: id ' || id || ' was already landed for organization ' || organization_id
        || ' with different content'
    when status = 'conflict' then
        'conflicting duplicate: id ' || id || ' appears earlier in this batch for organization ' || organization_id
        || ' with different content'
    end as reason
from judged
"""

_COUNTS_SQL = f"""
select count(*),
       count(*) filter (where r.reason is null and coalesce(v.status, 'accepted') = 'accepted'),
       count(*) filter (where r.reason is null and v.status = 'duplicate'),
       count(*) filter (where r.reason is not null or v.status = 'conflict')
from {_ROWS} r left join {_VERDICT} v using (srow)
"""

_INSERT_EVENTS_SQL = f"""
insert into {LANDING_SCHEMA}.lms_events
select r.id, r.type, r.student_id, r.course_id, r.class_id, r.occurred_at, r.payload_json, r.context_json,
       r.version, r.organization_id, r.content_hash, r.raw, r.source_file, r.record_number, __BATCH__, __NOW__
from {_ROWS} r __HELD_BACK__
where r.reason is null
"""
_HELD_BACK = f"anti join (select srow from {_VERDICT} where status <> 'accepted') v on v.srow = r.srow"

# reject_key = md5(raw) '#' occurrence of that raw text in its file: a re-read adds nothing new. Seen within the
# reject's organization: the same bad line sent by another tenant is that tenant's reject too.
_INSERT_REJECTS_SQL = f"""
insert into {LANDING_SCHEMA}.lms_event_rejects
with rejected as (
    select r.file_idx, r.source_file, r.record_number, r.raw, coalesce(r.reason, v.reason) as reason,
           coalesce(r.organization_id, __ORGANIZATION__) as organization_id
    from {_ROWS} r left join {_VERDICT} v using (srow)
    where r.reason is not null or v.status = 'conflict'
),
keyed as (
    select *, md5(coalesce(raw, '')) || '#'
              || row_number() over (partition by file_idx, md5(coalesce(raw, '')) order by record_number)
              as reject_key
    from rejected
    union all
    select file_idx, source_file, record_number, null, reason, __ORGANIZATION__, reject_key from {_FILE_REJECTS}
),
fresh as (
    select * from keyed k anti join {LANDING_SCHEMA}.lms_event_rejects x
        on x.organization_id = k.organization_id and x.reject_key = k.reject_key
    qualify row_number() over (
        partition by k.organization_id, k.reject_key order by k.file_idx, k.record_number) = 1
)
select source_file, record_number, raw, reason, reject_key, organization_id, __BATCH__, __NOW__ from fresh
"""


@dataclass(frozen=True)
class _Loaded:
    paths: tuple[str, ...]
    first_rowids: tuple[int, ...]  # staging rowid of each file's first line, for the fast reader's rows
    failures: tuple[FileFailure, ...]


def ingest_event_paths(
    con: duckdb.DuckDBPyConnection,
    paths: Sequence[Path | str],
    *,
    organization_id: str = "default",
    quiz_catalog: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> BatchResult:
    """Land every record of the given files and folders as one batch; return its reconciled counts."""
    say = progress or (lambda _line: None)
    ensure_landing_schema(con)
    found = discover([paths] if isinstance(paths, str | Path) else paths)
    skipped = f" (skipped {found.skipped} with unsupported extensions)" if found.skipped else ""
    say(f"found {len(found.files)} event file(s){skipped}")
    if found.special:
        say(f"note: skipped {found.special} FIFO(s), socket(s) or device(s) in the folders: only regular files "
            "are read")
    return _ingest(con, lambda: _load_all(con, found.files, organization_id, say), organization_id, quiz_catalog, say)


def ingest_event_texts(
    con: duckdb.DuckDBPyConnection,
    texts: Sequence[str],
    *,
    source: str,
    organization_id: str = "default",
    quiz_catalog: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> BatchResult:
    """Land records received in memory (e.g. statements from an LRS) as one batch whose source is `source`;
    record numbers are the 1-based positions in `texts`."""
    say = progress or (lambda _line: None)
    ensure_landing_schema(con)
    return _ingest(con, lambda: _load_texts(con, texts, source, organization_id), organization_id, quiz_catalog, say)


def _ingest(
    con: duckdb.DuckDBPyConnection,
    load: Callable[[], _Loaded],
    organization_id: str,
    quiz_catalog: Path | None,
    say: Progress,
) -> BatchResult:
    batch_id, started_at = new_batch_id(), utc_now()
    with _session_settings(con), _temp_objects(con):
        _prepare(con)
        loaded = load()
        _reject_too_deep(con)
        con.execute(_rows_view_sql(loaded))
        _convert_foreign(con, organization_id, quiz_catalog, say)
        result = _land(con, batch_id, loaded, organization_id, started_at)
    return result  # the caller prints result.summary() once, where its output goes


def _prepare(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(_MACROS)
    con.execute(_STAGING_DDL)
    con.execute(f"create or replace temp table {_FILE_REJECTS} "
                "(file_idx integer, source_file varchar, reason varchar, reject_key varchar, record_number bigint)")


def _load_all(
    con: duckdb.DuckDBPyConnection, files: Sequence[SourceFile], organization_id: str, say: Progress
) -> _Loaded:
    failures: list[FileFailure] = []
    first_rowids: list[int] = []
    org = sql_literal(organization_id)

    def insert(source_sql: str) -> None:
        con.execute(_classify_into_staging(source_sql, org))

    for file_idx, source in enumerate(files):
        def staged(idx: int = file_idx) -> tuple[int, int]:
            return con.execute(f"select coalesce(sum(strlen(raw)), 0), count(*) from {_STAGING} "
                               f"where file_idx = {int(idx)}").fetchone()

        def drop(idx: int = file_idx) -> None:
            con.execute(f"delete from {_STAGING} where file_idx = {int(idx)}")

        try:
            failure = load_file(con, file_idx, source, insert, staged, drop)
        except Exception as exc:  # a file is the unit of failure: whatever breaks inside it stays inside it
            drop(file_idx)
            failure = FileFailure(source.path, f"could not read file {source.path.name}: {type(exc).__name__}: "
                                  f"{(str(exc).strip().splitlines() or [''])[0]}", f"{file_md5(source.path)}#0")
        # file_idx only grows, so zone maps confine this scan to the file's own rows. It is inlined, not a
        # parameter: with a prepared parameter the filter was not pushed down (a full scan, ~0.3 s per 1M rows).
        first_rowid, count = con.execute(
            f"select coalesce(min(rowid), 0), count(*) filter (where not blank) from {_STAGING} "
            f"where file_idx = {int(file_idx)}"
        ).fetchone()
        first_rowids.append(first_rowid)
        if failure:
            failures.append(failure)
            con.execute(f"insert into {_FILE_REJECTS} values (?, ?, ?, ?, ?)",
                        [file_idx, str(failure.path), failure.reason, failure.key, failure.record_number])
            say(failure.reason)
        elif count == 0:
            say(f"note: {source.path} is empty (no record): nothing to land from it")
        else:
            say(f"read {source.path.name}: {count:,} record(s)")
    return _Loaded(tuple(str(f.path) for f in files), tuple(first_rowids), tuple(failures))


def _load_texts(con: duckdb.DuckDBPyConnection, texts: Sequence[str], source: str, organization_id: str) -> _Loaded:
    import pyarrow as pa  # only this rarer path needs it; keeps the import cheap

    table = pa.table({"rn": pa.array(range(1, len(texts) + 1), pa.int64()), "raw": pa.array(texts, pa.string())})
    con.register(_TEXTS, table)
    try:
        con.execute(_classify_into_staging(
            f"select 0 as file_idx, rn, raw, raw as c, null::varchar as early_error from {_TEXTS}",
            sql_literal(organization_id)))
    finally:
        con.unregister(_TEXTS)
    return _Loaded((source,), (0,), ())


def _many_brackets_sql(column: str, limit: int) -> str:
    """Whether the text holds more `{` and `[` than the limit: only such a record can nest deeper. Counted while
    the record is classified (the text is at hand then; a second scan of the staged text cost twice as much);
    one regular expression for both brackets costs half of counting each with replace()."""
    if limit < 1000:  # RE2 refuses a repetition count over 1000
        return f"regexp_matches({column}, '(?:[^\\[{{]*[\\[{{]){{{limit + 1}}}')"
    return f"strlen({column}) - strlen(replace(replace({column}, '{{', ''), '[', '')) > {limit}"


def _reject_too_deep(con: duckdb.DuckDBPyConnection) -> None:
    """Reject the records nested deeper than the limit (ingestion/nesting.py); only the records holding more
    brackets than the limit are measured in Python."""
    limit = nesting.max_nesting_depth()
    candidates = con.execute(
        # needs_conversion: a record in another system's shape, which the Python conversion would parse
        f"select rowid, raw from {_STAGING} where many_brackets and (reason is null or needs_conversion)"
    ).fetchall()
    deep = [(nesting.too_deep_reason(depth, limit), rowid) for rowid, raw in candidates
            if (depth := nesting.nesting_depth(raw)) > limit]
    if deep:
        con.executemany(f"update {_STAGING} set reason = ?, needs_conversion = false where rowid = ?", deep)


def _rows_view_sql(loaded: _Loaded) -> str:
    paths = "(cast([" + ", ".join(sql_literal(p) for p in loaded.paths) + "] as varchar[]))"
    first_rowids = "(cast([" + ", ".join(str(r) for r in loaded.first_rowids) + "] as bigint[]))"
    return _ROWS_VIEW.replace("__FIRST_ROWIDS__", first_rowids).replace("__PATHS__", paths)


def _convert_foreign(
    con: duckdb.DuckDBPyConnection, organization_id: str, quiz_catalog: Path | None, say: Progress
) -> None:
    """Swap each record in another system's shape (Tally, xAPI, Open edX) for the canonical event it stands
    for, validated the same way; a record that is none of them comes back unchanged."""
    records = con.execute(f"select file_idx, record_number, raw from {_ROWS} where needs_conversion").fetchall()
    if not records:
        return
    import pyarrow as pa  # only this rarer path needs it; keeps the import cheap

    catalog = tally.load_quiz_catalog(Path(quiz_catalog) if quiz_catalog is not None else None)
    salt = conversions.pseudonym_salt()
    converted = [_converted(raw, catalog, salt) for _, _, raw in records]
    table = pa.table({
        "file_idx": pa.array([r[0] for r in records], pa.int32()),
        "rn": pa.array([r[1] for r in records], pa.int64()),
        "raw": pa.array([r[2] for r in records], pa.string()),
        "c": pa.array([canon for canon, _ in converted], pa.string()),
        "early_error": pa.array([error for _, error in converted], pa.string()),
    })
    con.register(_FOREIGN, table)
    try:
        con.execute(f"delete from {_STAGING} where needs_conversion")
        con.execute(_classify_into_staging(f"select * from {_FOREIGN}", sql_literal(organization_id)))
    finally:
        con.unregister(_FOREIGN)
    changed = sum(1 for (canon, error), (_, _, raw) in zip(converted, records, strict=True) if canon != raw or error)
    say(f"converted {changed:,} record(s) from Tally, xAPI or Open edX")


def _converted(raw: str, catalog: tally.QuizCatalog, salt: str) -> conversions.Converted:
    """One record's conversion; an unexpected failure rejects that record, never the batch."""
    try:
        return conversions.convert_raw(raw, catalog, salt)
    except Exception as exc:
        return None, f"could not convert the record: {type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}"


def _classify_into_staging(source_sql: str, organization_literal: str) -> str:
    query = _CLASSIFY_SQL.replace("__SOURCE__", source_sql).replace("__ORGANIZATION__", organization_literal)
    query = query.replace("__CURRENT_VERSION__", str(current_event_version()))
    query = query.replace("__MANY_BRACKETS__", _many_brackets_sql("raw", nesting.max_nesting_depth()))
    earliest, latest = plausible_event_window(utc_now())
    query = query.replace("__EARLIEST__", timestamp_literal(earliest)).replace("__LATEST__", timestamp_literal(latest))
    return f"insert into {_STAGING} {query}"


def plausible_event_window(now: datetime) -> tuple[datetime, datetime]:
    """When an event may have occurred: from the var event_time_earliest (2000-01-01) to the var
    event_time_max_days_ahead (1) days after the ingest. Outside it an instant is a broken clock or a
    placeholder (0001-01-01, 9999-12-31), and one such event would stretch every daily series to it."""
    earliest = datetime.fromisoformat(str(project_var("event_time_earliest")))
    return earliest.replace(tzinfo=None), now + timedelta(days=float(project_var("event_time_max_days_ahead")))


def _land(
    con: duckdb.DuckDBPyConnection, batch_id: str, loaded: _Loaded, organization_id: str, started_at: datetime
) -> BatchResult:
    """Verdicts, counts and every landing write of the batch, all in one transaction."""
    failures = len(loaded.failures)
    con.execute("begin transaction")
    try:
        con.execute(_VERDICT_SQL)
        read, accepted, duplicates, rejected = con.execute(_COUNTS_SQL).fetchone()
        # The anti-join costs a pass over every row, so it runs only when a valid record is held back.
        (held_back,) = con.execute(f"select count(*) from {_VERDICT} where status <> 'accepted'").fetchone()
        insert_events = _INSERT_EVENTS_SQL.replace("__HELD_BACK__", _HELD_BACK if held_back else "")
        con.execute(_with_batch_values(insert_events, batch_id, started_at, organization_id))
        con.execute(_with_batch_values(_INSERT_REJECTS_SQL, batch_id, started_at, organization_id))
        _redact_rejects(con, batch_id)
        result = BatchResult(batch_id, KIND, loaded.paths, read + failures, accepted, duplicates,
                             rejected + failures,
                             tuple(str(f.path) for f in loaded.failures if f.record_number == 0))
        record_batch(con, result, organization_id=organization_id, started_at=started_at, finished_at=utc_now())
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return result


def _with_batch_values(sql: str, batch_id: str, started_at: datetime, organization_id: str) -> str:
    """The batch's id, load time and organization as literals. As prepared parameters they made the events
    insert, the largest write of a batch, 20 % slower, and the first run of the rejects insert took 0.3 s."""
    return (sql.replace("__BATCH__", sql_literal(batch_id))
            .replace("__NOW__", timestamp_literal(started_at))
            .replace("__ORGANIZATION__", sql_literal(organization_id)))


def _redact_rejects(con: duckdb.DuckDBPyConnection, batch_id: str) -> None:
    """E-mail addresses in this batch's rejected texts become pseudonyms before the batch commits."""
    rows = con.execute(
        f"select reject_key, raw_text from {LANDING_SCHEMA}.lms_event_rejects "
        f"where batch_id = {sql_literal(batch_id)} and contains(raw_text, '@')").fetchall()
    salt = conversions.pseudonym_salt()
    changed = [(redacted, key) for key, raw in rows if (redacted := redact_emails(raw, salt)) != raw]
    if changed:
        con.executemany(f"update {LANDING_SCHEMA}.lms_event_rejects set raw_text = ? "
                        f"where batch_id = {sql_literal(batch_id)} and reject_key = ?", changed)


@contextmanager
def _session_settings(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Timestamps without an offset are UTC: the session time zone decides that for the cast. Insertion order
    is preserved: record numbers of JSON Lines files are staging rowids (readers._LINES_SQL). DuckDB's memory is
    capped ($LMS_INGEST_MEMORY_LIMIT, default 2GB): the staged records spill to the warehouse's temporary folder
    instead of holding a whole file's text in memory."""
    limit = os.environ.get(MEMORY_LIMIT_ENV) or DEFAULT_MEMORY_LIMIT
    try:  # first: the one setting a user gives, so a wrong one leaves every setting as it was
        con.execute(f"set memory_limit = {sql_literal(limit)}")
    except duckdb.Error:
        raise IngestError(f"{MEMORY_LIMIT_ENV}={limit!r} is not a memory size DuckDB knows: set it like 2GB or "
                          "1500MB, or unset it (default 2GB)") from None
    settings = {"TimeZone": "'UTC'", "preserve_insertion_order": "true"}
    previous = {name: con.execute(f"select current_setting('{name}')::varchar").fetchone()[0] for name in settings}
    for name, value in settings.items():
        con.execute(f"set {name} = {value}")
    try:
        yield
    finally:
        for name, value in previous.items():
            con.execute(f"set {name} = {sql_literal(value)}")
        con.execute("reset memory_limit")  # it reads back rounded (18.7 GiB); no ingest path sets it otherwise


@contextmanager
def _temp_objects(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    try:
        yield
    finally:
        for kind, name in _TEMP_OBJECTS:
            con.execute(f"drop {kind} if exists {name}")
