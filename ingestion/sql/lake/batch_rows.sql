-- The rows of one batch in one landing table, as the view _lake_rows that write_table_files.sql writes to the lake.
-- The batch is the session variable lake_batch_id (a view cannot hold a parameter); __table__ is the landing table
-- (every table with a batch_id column, future ones included, lake.batch_tables): a table name cannot be a parameter.
-- Every column of the table, whichever it has: hence select * (noqa: AM04).
create or replace temp view _lake_rows as
select * from __table__  -- noqa: AM04
where batch_id = getvariable('lake_batch_id')
