-- One pass of `forget` over one landing table (erasure.py): in the pass's rows of the learner's organization, the
-- text columns holding one of the pass's values get them replaced (scrub_macros.sql). Returns the batch of each row
-- changed: the lake writes those batches again.
-- Templated in Python, from the table's column names only: the table and its columns come from information_schema
-- (future landing tables included), and an identifier cannot be a parameter. The learner and the organization are
-- the session variables erasure_student and erasure_organization: a pass uses both, one or neither, depending on
-- the table's columns, and a prepared parameter must be used by the statement it is given to.
--   __table__         the landing table, e.g. landing.lms_events
--   __assignments__   "<column>" = _erasure_scrubbed("<column>"), for each text column
--   __matches__       _erasure_matches("<column>"), for each text column, joined by `or`
--   __in_tenant__     organization_id = getvariable('erasure_organization'); true without that column
--   __pass_rows__     the learner's own rows, student_id = getvariable('erasure_student'), or every other row,
--                     not (...); without that column no row is the learner's own (false, not (false))
--   __batch_column__  batch_id; null without that column
update __table__ set __assignments__
where __in_tenant__ and __pass_rows__ and (__matches__)
returning __batch_column__
