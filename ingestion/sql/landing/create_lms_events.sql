-- landing.lms_events: every accepted learner event, as received and as validated (ingestion/events.py).
-- Each string column names its compression: DuckDB then skips trying every method on every row group, which was
-- most of the cost of landing a batch. The raw text, the widest column, is ZSTD-compressed where the file's storage
-- format has ZSTD for strings (warehouse.STORAGE_VERSION): written in 40 % of the time FSST takes, in a fifth of the
-- space. An older file keeps FSST (asking it for ZSTD would store the text raw).
-- __raw_compression__ is that choice, zstd or fsst (landing.py): a compression method is a keyword of the DDL, not a
-- value, so no parameter can carry it; one textual placeholder, not two copies of the table differing in one word.
-- The noqa: PRS because the DuckDB dialect of sqlfluff does not parse `using compression`.
create table if not exists landing.lms_events (  -- noqa: PRS
    id varchar using compression fsst not null,  -- the event's own id (unique here)
    type varchar using compression dictionary not null,
    student_id varchar using compression dictionary not null,
    course_id varchar using compression dictionary,
    class_id varchar using compression dictionary,
    occurred_at timestamp not null,  -- UTC; an input without offset is read as UTC
    payload_json varchar using compression dictionary not null,  -- the payload as JSON text ('{}' if none)
    context_json varchar using compression dictionary,  -- the context as JSON text, or null
    version integer not null,  -- schema version of the event, default 1
    organization_id varchar using compression dictionary not null,  -- own field, else the CLI's, else 'default'
    content_hash varchar using compression uncompressed not null,  -- hash of the content as landed; see events.py
    raw_json varchar using compression __raw_compression__ not null,  -- the record as received (Tally: whole)
    source_file varchar using compression dictionary not null,
    record_number bigint not null,  -- 1-based position of the record in its source file
    batch_id varchar using compression dictionary not null,
    loaded_at timestamp not null
)
