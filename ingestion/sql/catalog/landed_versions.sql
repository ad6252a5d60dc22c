-- The (id, content hash) versions already landed for this organization among the ids of the batch's valid
-- records: an object identical to one of them is a duplicate. Another tenant's identical record is not.
-- __table__ is the entity's landing table (landing.catalog_students, ..., landing.gamification_awards), the one
-- part of the statement chosen in Python: one table per entity, all of one shape (landing.py), and a table name
-- cannot be a parameter.
select
    id,
    content_hash
from __table__
where organization_id = $organization and id in (select unnest($ids::varchar[]))
