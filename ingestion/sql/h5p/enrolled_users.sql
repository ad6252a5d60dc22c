-- The users with an enrollment landed from the export API for the course (ever, active or not), in a stable
-- order: H5P knows learners by the MOOC's numeric user_id, which only the export API gives (the Open edX APIs
-- key users by username, and our `oex-` ids mean nothing to the H5P server).
select distinct user_id
from landing.mooc_records
where
    organization_id = $organization
    and course_id = $course_id
    and entity = 'enrollment'
    and source = 'mooc_export'
order by user_id
