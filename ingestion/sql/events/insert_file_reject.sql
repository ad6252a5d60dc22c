-- A file (or its unreadable rest) that could not be read: one reject, landed with the batch's rejects
-- (insert_rejects.sql).
insert into _ingest_ev_file_rejects (file_idx, source_file, reason, reject_key, record_number)
values ($file_idx, $source_file, $reason, $reject_key, $record_number)
