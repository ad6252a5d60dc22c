-- The landing.erasures row of one learner (the session variables lake_organization and lake_student), as the view
-- _lake_rows that write_table_files.sql writes to the lake: that table has no batch id, each erasure is a batch of
-- its own (lake.record_erasure).
create or replace temp view _lake_rows as
select * from landing.erasures  -- noqa: AM04
where organization_id = getvariable('lake_organization') and student_id = getvariable('lake_student')
