-- The learner's catalog versions this erasure changes (those not yet the erased placeholder), and the batches of
-- all their versions, which the lake writes again.
select
    count(*) filter (where coalesce(json_extract(record_json, '$.erased')::varchar, '') <> 'true') as changed,
    list(distinct batch_id) as batches
from landing.catalog_students
where id = $student and organization_id = $organization
