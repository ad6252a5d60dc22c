-- One batch's row in landing.ingest_batches, written in the transaction that lands the batch's records, so a batch
-- is listed exactly when its records are there. Its counts reconcile (read = accepted + duplicates + rejected),
-- which batches.record_batch checked first. $sources is a JSON list: unambiguous even when a path holds a comma.
insert into landing.ingest_batches (
    batch_id, kind, sources, organization_id, started_at, finished_at, records_read, accepted, duplicates, rejected
)
values (
    $batch_id, $kind, $sources, $organization, $started_at, $finished_at, $records_read, $accepted, $duplicates,
    $rejected
)
