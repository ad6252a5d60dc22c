-- The batch's new versions (valid, and not identical to a landed or an earlier record of the same id), handed over
-- as the Arrow table _ingest_catalog_versions; each object lands whole, an append-only history per id.
-- __table__ is the entity's landing table, chosen in Python as in landed_versions.sql.
insert into __table__
select
    id,
    updated_at,
    record_json,
    content_hash,
    $organization as organization_id,
    $source as source_file,
    record_number,
    $batch_id as batch_id,
    $loaded_at as loaded_at
from _ingest_catalog_versions
