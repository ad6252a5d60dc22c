-- The tables of the open database file (not of an attached one): the blocks of their checkpointed data must all be
-- in the file, else it was cut short (warehouse.open_warehouse).
select
    schema_name,
    table_name
from duckdb_tables()
where database_name = current_database()
