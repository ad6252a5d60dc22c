-- landing.http_fetch_log: one row per HTTP request of the MOOC/Open edX/H5P fetches (ingestion/mooc_landing.py),
-- failed ones too.
create table if not exists landing.http_fetch_log (
    batch_id varchar not null,
    organization_id varchar not null,
    source varchar not null,
    course_id varchar,
    user_id varchar,  -- null for course-level calls
    url varchar not null,
    status_code integer,  -- null on a connection error or timeout
    ok boolean not null,
    reason varchar,  -- null when ok; 'not offered (404)' for an optional endpoint
    records integer not null,
    fetched_at timestamp not null
)
