-- A course's new versions (content changed since the latest stored version, each key once), handed over as the
-- Arrow table _mooc_landing_records: one insert per course, in the course's transaction with its fetch log.
insert into landing.mooc_records (
    organization_id, source, entity, course_id, user_id, record_json, raw_json, content_hash, url, batch_id, fetched_at
)
select
    organization_id,
    $source as source,
    entity,
    $course_id as course_id,
    user_id,
    record_json,
    raw_json,
    content_hash,
    url,
    $batch_id as batch_id,
    $fetched_at as fetched_at
from _mooc_landing_records
