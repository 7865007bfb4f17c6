#!/usr/bin/env bash
# A backup of one dudao installation: the database, the instance directory (media: every photo and voice
# message, exports), and the environment file (DUDAO_SECRET_KEY: the key the bind codes are hashed with).
# All three are needed: a database restored alone loses every photo (404), and without its secret key no bind
# code issued before works. docs/operations.md says how to run, copy off-site and restore it.
#
#   sudo -u dudao DUDAO_ENV_FILE=/etc/dudao/dudao.env /usr/local/sbin/dudao-backup /var/backups/dudao
#
# Prints the folder it wrote: <destination>/<UTC time>/{dudao.dump, instance/, dudao.env, SHA256SUMS}.
set -euo pipefail
umask 077  # the dump holds phone numbers and reports, the env file the secrets
env_file=${DUDAO_ENV_FILE:-/etc/dudao/dudao.env}
destination=${1:-/var/backups/dudao}
set -a
# shellcheck disable=SC1090
. "$env_file"
set +a
: "${DUDAO_DATABASE_URL:?is not set in $env_file}" "${DUDAO_INSTANCE_DIR:?is not set in $env_file}"
case "$DUDAO_DATABASE_URL" in
  postgresql*) ;;
  *) echo "backup.sh backs up PostgreSQL; for SQLite copy the file with: sqlite3 <file> '.backup <copy>'" >&2; exit 2 ;;
esac
url=${DUDAO_DATABASE_URL/postgresql+psycopg:/postgresql:}  # SQLAlchemy's driver name means nothing to pg_dump

folder="$destination/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$folder"

# 1. the database first, in one consistent snapshot (pg_dump runs in a single transaction; the services keep running)
pg_dump --format=custom --no-owner --no-privileges --file "$folder/dudao.dump" "$url"

# 2. then the instance directory. A media file is written before the row that names it is committed and never
# changed afterwards, so every file the dump refers to already exists now; files newer than the dump are extra.
rsync -a "$DUDAO_INSTANCE_DIR/" "$folder/instance/"

# 3. the environment file, with the secret key
cp -p "$env_file" "$folder/dudao.env"

(cd "$folder" && sha256sum dudao.dump dudao.env > SHA256SUMS)
echo "$folder"
