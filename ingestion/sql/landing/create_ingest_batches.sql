-- landing.ingest_batches: one row per ingest batch of any kind, with its reconciled counts (ingestion/batches.py).
create table if not exists landing.ingest_batches (
    batch_id varchar not null,
    kind varchar not null,  -- events | catalog | ...
    sources varchar not null,  -- what was read: paths or a URL
    organization_id varchar not null,
    started_at timestamp not null,
    finished_at timestamp not null,
    records_read bigint not null,
    accepted bigint not null,
    duplicates bigint not null,
    rejected bigint not null  -- read = accepted + duplicates + rejected
)
