-- Files (or their unreadable rest) that could not be read: one reject each, landed with the batch's rejects.
create or replace temp table _ingest_ev_file_rejects (
    file_idx integer,
    source_file varchar,
    reason varchar,
    reject_key varchar,
    record_number bigint
)
