-- Fill one landing table from every lake file of it ($files), read by column name: a file written before a column
-- was added lacks it, and the column stays null. Templated in Python from the columns the files and the table
-- share (identifiers, which cannot be parameters):
--   __table__    the landing table
--   __names__    those columns
--   __columns__  the same, a timestamp cast back from the files' UTC instants to the landing's naive UTC timestamp
insert into __table__ (__names__)
select __columns__ from read_parquet($files, hive_partitioning = false, union_by_name = true)
