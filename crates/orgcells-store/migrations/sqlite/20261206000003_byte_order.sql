-- Names and paths sort by their bytes: SQLite's TEXT does so already (its BINARY collation).
-- PostgreSQL's columns are made to do the same in this migration's PostgreSQL half.
SELECT 1;
