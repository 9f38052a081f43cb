#!/usr/bin/env bash
# Regenerate alembic/versions/0001_initial_schema.py from the models (only while nothing has
# shipped: once a release is out, add a new migration instead). Later migrations are kept.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
mkdir "$tmp/later"
export PIPE_APP_DATABASE_URL="sqlite:///$tmp/empty.sqlite3"
shopt -s nullglob
for f in alembic/versions/*.py; do
  case "$f" in *0001_initial_schema.py) rm "$f" ;; *) mv "$f" "$tmp/later/" ;; esac
done
.venv/bin/alembic revision --autogenerate --rev-id 0001 \
  -m "initial schema" >/dev/null
mv "$tmp"/later/*.py alembic/versions/ 2>/dev/null || true
.venv/bin/ruff format -q alembic/versions && .venv/bin/ruff check -q --fix alembic/versions || true
rm -rf "$tmp"
echo "regenerated alembic/versions/0001_initial_schema.py"
