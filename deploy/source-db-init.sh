#!/bin/sh
# Creates the four source databases from the project's copy of the contract schemas
# (docker-entrypoint-initdb.d runs this once, on an empty data folder).
set -eu
for db in warehouse donations agency fulfillment; do
  psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d postgres -c "CREATE DATABASE $db"
  psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$db" -f "/contract/sources/$db.sql"
done
