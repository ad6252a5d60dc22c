-- The learner's row in landing.erasures (organization, student id, time: no personal data), once: staging masks the
-- personal columns of every erased learner, so a later changed catalog record never reaches a model either.
insert into landing.erasures
select
    $organization as organization_id,
    $student as student_id,
    $erased_at as erased_at
where not exists (
        select 1 from landing.erasures
        where organization_id = $organization and student_id = $student
    )
