-- The latest $field (stored or timestamp) of the statements landed, or rejected, from the LRS endpoint $source for
-- the organization: where an incremental pull starts (ingestion/xapi_lrs.py, less the overlap). Per organization:
-- another tenant's pull of the same LRS does not move it. A rejected text that is not JSON holds no instant.
select max(instant) from (
    select try_cast(json_extract_string(raw_json, '$.' || $field) as timestamptz) as instant
    from landing.lms_events
    where source_file = $source and organization_id = $organization
    union all
    select try_cast(json_extract_string(raw_text, '$.' || $field) as timestamptz) as instant
    from landing.lms_event_rejects
    where source_file = $source and organization_id = $organization and json_valid(raw_text)
) as landed
