-- The latest stored version of each (organization_id, entity, user_id) of one course from one source, for the
-- tenants the course's records name: a record lands as a new version only when its content hash differs from it,
-- so re-fetching identical content adds nothing. Ties on fetched_at go to the later batch.
select
    organization_id,
    entity,
    user_id,
    content_hash
from landing.mooc_records
where organization_id in (select unnest($tenants::varchar[])) and source = $source and course_id = $course_id
qualify row_number() over (
        partition by organization_id, entity, user_id order by fetched_at desc, batch_id desc
    ) = 1
