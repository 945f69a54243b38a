#!/usr/bin/env bash
# Starts the machine's PostgreSQL 15 cluster and creates the role and database the tests use. Idempotent.
# Connection used by the tests: Host=127.0.0.1;Port=5432;Username=failover;Password=failover;Database=failover
set -euo pipefail
role=${FAILOVER_PG_ROLE:-failover}
db=${FAILOVER_PG_DATABASE:-failover}
password=${FAILOVER_PG_PASSWORD:-failover}

if ! command -v pg_ctlcluster >/dev/null; then
  echo "postgres-up: pg_ctlcluster not found; install PostgreSQL 15 (apt-get install postgresql-15)" >&2
  exit 1
fi
if ! pg_lsclusters -h | awk '$1=="15" && $2=="main" {found=1} END {exit !found}'; then
  pg_createcluster 15 main >/dev/null
fi
if ! pg_lsclusters -h | awk '$1=="15" && $2=="main" && $4=="online" {online=1} END {exit !online}'; then
  pg_ctlcluster 15 main start
fi
for _ in $(seq 1 50); do
  runuser -u postgres -- pg_isready -q -h 127.0.0.1 -p 5432 && break
  sleep 0.2
done
psql_admin() { runuser -u postgres -- psql -v ON_ERROR_STOP=1 -qtAX -h /var/run/postgresql "$@"; }
if [ "$(psql_admin -c "select 1 from pg_roles where rolname = '$role'")" != "1" ]; then
  psql_admin -c "create role $role login password '$password' createdb"
fi
if [ "$(psql_admin -c "select 1 from pg_database where datname = '$db'")" != "1" ]; then
  psql_admin -c "create database $db owner $role"
fi
echo "postgres-up: PostgreSQL 15 is up; role '$role', database '$db'"
