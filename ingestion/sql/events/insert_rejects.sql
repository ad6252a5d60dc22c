-- The batch's rejects: invalid records, conflicting duplicates and unreadable files, each with its reason.
-- reject_key = md5(raw) '#' occurrence of that raw text in its file: a re-read adds nothing new. Seen within the
-- reject's organization: the same bad line sent by another tenant is that tenant's reject too.
insert into landing.lms_event_rejects
with rejected as (
    select
        r.file_idx,
        r.source_file,
        r.record_number,
        r.raw,
        coalesce(r.reason, v.reason) as reason,
        coalesce(r.organization_id, $organization) as organization_id
    from _ingest_ev_rows as r
    left join _ingest_ev_verdict as v on r.srow = v.srow
    where r.reason is not null or v.status = 'conflict'
),

keyed as (
    select
        file_idx,
        source_file,
        record_number,
        raw,
        reason,
        organization_id,
        md5(coalesce(raw, '')) || '#'
        || row_number() over (partition by file_idx, md5(coalesce(raw, '')) order by record_number)
            as reject_key
    from rejected
    union all
    select
        file_idx,
        source_file,
        record_number,
        null as raw,
        reason,
        $organization as organization_id,
        reject_key
    from _ingest_ev_file_rejects
),

fresh as (
    select
        k.file_idx,
        k.source_file,
        k.record_number,
        k.raw,
        k.reason,
        k.reject_key,
        k.organization_id
    from keyed as k anti join landing.lms_event_rejects as x
        on k.organization_id = x.organization_id and k.reject_key = x.reject_key
    qualify row_number() over (
            partition by k.organization_id, k.reject_key order by k.file_idx, k.record_number
        ) = 1
)

select
    source_file,
    record_number,
    raw as raw_text,
    reason,
    reject_key,
    organization_id,
    $batch_id as batch_id,
    $rejected_at as rejected_at
from fresh
