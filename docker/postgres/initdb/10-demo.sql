-- Runs once, on an empty data volume, via /docker-entrypoint-initdb.d (psql as POSTGRES_USER =
-- walbridge, superuser, in database walbridge). Mirrors what tools/stack/stack.mjs does locally:
--   walbridge  superuser, owns the metadata database "walbridge" (POSTGRES_USER/POSTGRES_DB)
--   demo       LOGIN REPLICATION, owns the CDC source database "demo", seeded with schema "shop"

CREATE ROLE demo WITH LOGIN REPLICATION PASSWORD 'demo';
-- lets the precheck see other roles' long-running transactions
GRANT pg_read_all_stats TO demo;
CREATE DATABASE demo OWNER demo;

\connect demo
SET ROLE demo;
\i /walbridge/demo-seed.sql
RESET ROLE;
