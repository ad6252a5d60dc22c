-- Every column of every base table of the landing schema (future tables included), in table and column order:
-- the text columns `forget` scrubs (ingestion/erasure.py), and the tables whose rows belong to batches, those
-- with a batch_id column (ingestion/lake.py).
select
    c.table_name,
    c.column_name,
    c.data_type
from information_schema.columns as c
inner join information_schema.tables as t on c.table_schema = t.table_schema and c.table_name = t.table_name
where c.table_schema = 'landing' and t.table_type = 'BASE TABLE'
order by c.table_name, c.ordinal_position
