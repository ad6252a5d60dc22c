-- The staging rows that are records, with their file and 1-based position. File paths and the fast reader's rowid
-- offsets are session variables (lists, one entry per file of the batch): cheaper than joining a files table.
create or replace temp view _ingest_ev_rows as
select
    s.rowid as srow,
    s.file_idx,
    coalesce(s.rn, s.rowid - getvariable('ingest_first_rowids')[s.file_idx + 1] + 1) as record_number,
    getvariable('ingest_paths')[s.file_idx + 1] as source_file,
    s.raw,
    s.needs_conversion,
    s.reason,
    s.id,
    s.type,
    s.student_id,
    s.course_id,
    s.class_id,
    s.occurred_at,
    s.payload_json,
    s.context_json,
    s.version,
    s.organization_id,
    s.content_hash
from _ingest_ev_staging as s
where not s.blank
