-- The learner has a catalog record or landed events in the organization.
select
    exists (
        select 1 from landing.catalog_students
        where id = $student and organization_id = $organization
    )
    or exists (
        select 1 from landing.lms_events
        where student_id = $student and organization_id = $organization
    ) as known
