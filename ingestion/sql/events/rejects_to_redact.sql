-- This batch's rejected texts that may hold an e-mail address (an @): they become pseudonyms in Python
-- (xapi.redact_emails) before the batch commits (redact_reject.sql).
select
    reject_key,
    raw_text
from landing.lms_event_rejects
where batch_id = $batch_id and contains(raw_text, '@')
