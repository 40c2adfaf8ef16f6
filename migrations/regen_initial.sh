#!/usr/bin/env bash
# Until the first release the schema has one migration. This regenerates it from the models
# against an empty SQLite database. Once released, add new migrations instead.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
rm -f migrations/versions/*.py
COPROG_INSTANCE_PATH="$tmp" COPROG_DATABASE_URL="sqlite:///$tmp/regen.db" .venv/bin/coprog db migrate -m "initial schema" >/dev/null
rm -rf "$tmp"
ls migrations/versions/
