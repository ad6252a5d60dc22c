-- landing.lms_event_rejects: the records of an events batch that could not land, and unreadable files, each with
-- the reason (ingestion/events.py).
create table if not exists landing.lms_event_rejects (
    source_file varchar not null,
    record_number bigint not null,
    raw_text varchar,
    reason varchar not null,
    reject_key varchar not null,  -- identifies the bad record so a re-ingest does not add it again
    organization_id varchar not null,
    batch_id varchar not null,
    rejected_at timestamp not null
)
