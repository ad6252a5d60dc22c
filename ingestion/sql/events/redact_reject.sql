-- One reject of this batch with its e-mail addresses replaced by pseudonyms (rejects_to_redact.sql).
update landing.lms_event_rejects set raw_text = $raw_text
where batch_id = $batch_id and reject_key = $reject_key
