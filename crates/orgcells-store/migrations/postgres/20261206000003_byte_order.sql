-- Names and paths sort by their bytes, as SQLite's do, whatever the server's default collation:
-- a list is in the same order on every Cell, so the router can merge the Cells' shares of it
-- (and the same list reads the same on SQLite and PostgreSQL). Their indexes are rebuilt with it.
ALTER TABLE namespaces ALTER COLUMN name TYPE TEXT COLLATE "C";
ALTER TABLE namespaces ALTER COLUMN path TYPE TEXT COLLATE "C";
ALTER TABLE projects ALTER COLUMN name TYPE TEXT COLLATE "C";
ALTER TABLE projects ALTER COLUMN path TYPE TEXT COLLATE "C";
ALTER TABLE organizations ALTER COLUMN name TYPE TEXT COLLATE "C";
ALTER TABLE organizations ALTER COLUMN path TYPE TEXT COLLATE "C";
