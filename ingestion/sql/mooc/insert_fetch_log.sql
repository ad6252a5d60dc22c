-- One row per HTTP request outcome of a course (failed ones too: a course that fails lands only these), handed
-- over as the Arrow table _mooc_landing_log, in the course's transaction with its records.
insert into landing.http_fetch_log (
    batch_id, organization_id, source, course_id, user_id, url, status_code, ok, reason, records, fetched_at
)
select
    $batch_id as batch_id,
    $organization as organization_id,
    $source as source,
    course_id,
    user_id,
    url,
    status_code,
    ok,
    reason,
    records,
    $fetched_at as fetched_at
from _mooc_landing_log
