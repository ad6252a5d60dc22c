-- landing.catalog_rejects: the catalog records (of every entity) that could not land, each with the reason
-- (ingestion/catalog.py).
create table if not exists landing.catalog_rejects (
    entity varchar not null,
    source_file varchar not null,
    record_number bigint not null,
    raw_text varchar,
    reason varchar not null,
    reject_key varchar not null,
    organization_id varchar not null,
    batch_id varchar not null,
    rejected_at timestamp not null
)
