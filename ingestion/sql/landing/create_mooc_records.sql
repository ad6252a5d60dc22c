-- landing.mooc_records: the MOOC export, Open edX and H5P records (ingestion/mooc_landing.py), a new version only
-- when a record's content changed.
create table if not exists landing.mooc_records (
    organization_id varchar not null,  -- tenant: the record's own organization_id, else --organization
    source varchar not null,  -- mooc_export | openedx | h5p: the API that served the record
    entity varchar not null,  -- enrollment | grade | progress | discussion | h5p_scores | ...
    course_id varchar not null,  -- the course asked for
    user_id varchar not null,  -- export/H5P user_id as text; openedx: 'oex-' + salted username hash
    record_json varchar not null,  -- the record in the export-API shape (canonical JSON)
    raw_json varchar not null,  -- the record exactly as served
    content_hash varchar not null,  -- md5 of record_json
    url varchar not null,  -- the page or response it came from
    batch_id varchar not null,  -- the fetch run
    fetched_at timestamp not null  -- UTC
)
