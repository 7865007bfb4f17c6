#!/usr/bin/env bash
# Until the first release, the initial migration is regenerated from the models (then read by hand).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
rm -f backend/store/migrations/versions/0001_initial_schema.py
.venv/bin/python - "$tmp" <<'PY'
import sys
from alembic import command
from backend.store.db import alembic_config, make_engine
engine = make_engine(f"sqlite:///{sys.argv[1]}/gen.sqlite3")
command.revision(alembic_config(engine), message="initial schema", autogenerate=True, rev_id="0001")
PY
rm -rf "$tmp"
.venv/bin/ruff format -q backend/store/migrations/versions/0001_initial_schema.py
