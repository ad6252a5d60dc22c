-- The block size of the open database file: with the last block its tables use, the size the file must have.
select block_size from pragma_database_size()
where database_name = current_database()
