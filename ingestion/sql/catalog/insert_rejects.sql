-- The batch's rejects (records that cannot land, or the unreadable file as record 0), handed over as the Arrow
-- table _ingest_catalog_rejects. reject_key = md5(raw) '#' occurrence of that raw text in the source: a re-read
-- adds nothing new. Seen within the entity and the organization: another tenant's identical bad record is its own.
insert into landing.catalog_rejects
with keyed as (
    select
        record_number,
        raw_text,
        reason,
        md5(raw_text) || '#' || row_number() over (partition by md5(raw_text) order by record_number) as reject_key
    from _ingest_catalog_rejects
)

select
    $entity as entity,
    $source as source_file,
    k.record_number,
    k.raw_text,
    k.reason,
    k.reject_key,
    $organization as organization_id,
    $batch_id as batch_id,
    $rejected_at as rejected_at
from keyed as k
anti join landing.catalog_rejects as x
    on x.entity = $entity and x.organization_id = $organization and k.reject_key = x.reject_key
order by k.record_number
