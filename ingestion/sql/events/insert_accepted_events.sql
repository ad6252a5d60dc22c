-- The batch's accepted records, as received and as validated. The pass over the verdicts runs only when a valid
-- record is held back (a duplicate or a conflict): with $held_back = 0 the condition is true before it.
insert into landing.lms_events
select
    r.id,
    r.type,
    r.student_id,
    r.course_id,
    r.class_id,
    r.occurred_at,
    r.payload_json,
    r.context_json,
    r.version,
    r.organization_id,
    r.content_hash,
    r.raw as raw_json,
    r.source_file,
    r.record_number,
    $batch_id as batch_id,
    $loaded_at as loaded_at
from _ingest_ev_rows as r
where
    r.reason is null
    and ($held_back = 0 or r.srow not in (
        select held.srow from _ingest_ev_verdict as held
        where held.status <> 'accepted'
    ))
