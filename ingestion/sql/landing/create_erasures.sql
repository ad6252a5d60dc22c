-- landing.erasures: `lms-warehouse forget` (ingestion/erasure.py): one row per erased learner, ids and time only.
create table if not exists landing.erasures (
    organization_id varchar not null,
    student_id varchar not null,  -- the learner's opaque id; nothing else about them is kept
    erased_at timestamp not null  -- UTC
)
