-- A catalog entity's landing table: every version of each Unified.to object, as received (ingestion/catalog.py),
-- and the badge awards the LMS itself sends (ERD gamification_award, ingestion/awards.py), landed the same way.
-- __table__ is the table (landing.catalog_students, ..., landing.gamification_awards, landing.py): one table per
-- entity, all of this one shape, and a table name cannot be a parameter.
create table if not exists __table__ (
    id varchar not null,
    updated_at timestamp,  -- the record's own updated_at (UTC); later wins in staging
    record_json varchar not null,  -- the Unified.to object exactly as received
    content_hash varchar not null,
    organization_id varchar not null,
    source_file varchar not null,
    record_number bigint not null,
    batch_id varchar not null,
    loaded_at timestamp not null
)
