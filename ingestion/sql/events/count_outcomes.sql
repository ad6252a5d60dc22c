-- The batch's counts: read = accepted + duplicates + rejected, over every record of every file.
select
    count(*) as records_read,
    count(*) filter (
        where r.reason is null and coalesce(v.status, 'accepted') = 'accepted'
    ) as accepted,
    count(*) filter (where r.reason is null and v.status = 'duplicate') as duplicates,
    count(*) filter (where r.reason is not null or v.status = 'conflict') as rejected
from _ingest_ev_rows as r
left join _ingest_ev_verdict as v on r.srow = v.srow
