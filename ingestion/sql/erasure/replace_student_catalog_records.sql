-- The learner's catalog versions become an id-only placeholder {"id", "updated_at", "erased": true}; their content
-- hash and every reject key stay, so re-ingesting the old record or the old file is recognised as a duplicate and
-- lands nothing again.
update landing.catalog_students
set
    record_json = json_object(
        'id', id, 'updated_at', json_extract(record_json, '$.updated_at'), 'erased', true
    )::varchar
where id = $student and organization_id = $organization
