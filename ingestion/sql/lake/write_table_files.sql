-- Write the rows of the view _lake_rows (batch_rows.sql, erasure_rows.sql) as Parquet files into the batch's
-- staging folder $path, partitioned by organization (and the UTC day of an event); the partition columns stay
-- inside the files too, so every file reads alone. Templated in Python from the table's columns (identifiers, which
-- cannot be parameters):
--   __columns__     every column, a timestamp cast to timestamptz (the landing's naive UTC timestamps become
--                   UTC-adjusted Parquet instants, which Spark reads as timestamp), then the extra partition columns
--                   (lms_events: event_date, the UTC day of occurred_at)
--   __partitions__  organization_id, then the extra partition columns
copy (select __columns__ from _lake_rows) to $path (
    format parquet,
    compression zstd,
    partition_by (__partitions__),
    write_partition_columns true,
    overwrite_or_ignore true
)
