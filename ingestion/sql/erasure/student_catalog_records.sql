-- Every landed version of the learner's catalog record: where their personal values are found
-- (erasure.personal_values).
select record_json from landing.catalog_students
where id = $student and organization_id = $organization
