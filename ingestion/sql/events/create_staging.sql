-- Every record read by the batch, validated: the one table all later statements of the batch read.
create or replace temp table _ingest_ev_staging (
    file_idx integer not null,
    rn bigint,   -- null: the fast line reader's row, positioned by rowid within its file
    raw varchar,
    blank boolean,  -- a blank JSON Lines line: neither a record nor counted
    needs_conversion boolean, -- no `type`: maybe a Tally delivery, xAPI statement or Open edX event
    reason varchar,  -- null for a valid record
    id varchar,
    type varchar,
    student_id varchar,
    course_id varchar,
    class_id varchar,
    occurred_at timestamp,
    payload_json varchar,
    context_json varchar,
    version integer,
    organization_id varchar,
    content_hash varchar,
    many_brackets boolean   -- more opening brackets than the nesting limit: measured by _reject_too_deep
)
