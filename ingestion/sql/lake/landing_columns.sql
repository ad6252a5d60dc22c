-- The columns of every landing table, or of the table $table_name when it is not null, with their DuckDB types, in
-- order: what the lake's files and Spark's views hold.
select
    table_name,
    column_name,
    data_type
from information_schema.columns
where table_schema = 'landing' and coalesce(table_name = $table_name, true)
order by table_name, ordinal_position
