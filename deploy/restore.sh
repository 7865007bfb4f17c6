#!/usr/bin/env bash
# Restore a backup made by backup.sh into an EMPTY database and instance directory (a new server, or a test
# restore that proves the backup is good). The target is read from the environment file being installed: the
# backup's own dudao.env, with DUDAO_DATABASE_URL / DUDAO_INSTANCE_DIR changed if the new place differs.
#
#   createdb -O dudao dudao                        # as the postgres user: an empty database
#   DUDAO_ENV_FILE=/etc/dudao/dudao.env /usr/local/sbin/dudao-restore /var/backups/dudao/20261201T020000Z
#
# Then start dudao-web and the workers, and verify (docs/operations.md).
set -euo pipefail
env_file=${DUDAO_ENV_FILE:-/etc/dudao/dudao.env}
backup=${1:?"usage: $0 <backup folder written by backup.sh>"}
dudao=${DUDAO_BIN:-/opt/dudao/venv/bin/dudao}

(cd "$backup" && sha256sum --quiet -c SHA256SUMS)
set -a
# shellcheck disable=SC1090
. "$env_file"
set +a
: "${DUDAO_DATABASE_URL:?is not set in $env_file}" "${DUDAO_INSTANCE_DIR:?is not set in $env_file}"
# shellcheck disable=SC1091
backup_key=$(set -a && . "$backup/dudao.env" && printf '%s' "${DUDAO_SECRET_KEY:-}")
if [ "$backup_key" != "${DUDAO_SECRET_KEY:-}" ]; then
  echo "DUDAO_SECRET_KEY in $env_file is not the backup's: bind codes and office sessions would stop working." >&2
  echo "Install the backup's dudao.env (then change only the database URL or the instance directory)." >&2
  exit 2
fi
if [ -d "$DUDAO_INSTANCE_DIR/media" ] && [ -n "$(ls -A "$DUDAO_INSTANCE_DIR/media")" ]; then
  echo "$DUDAO_INSTANCE_DIR/media is not empty: restore into an empty instance directory" >&2
  exit 2
fi
url=${DUDAO_DATABASE_URL/postgresql+psycopg:/postgresql:}

pg_restore --exit-on-error --no-owner --no-privileges --dbname "$url" "$backup/dudao.dump"
mkdir -p "$DUDAO_INSTANCE_DIR"
rsync -a "$backup/instance/" "$DUDAO_INSTANCE_DIR/"

# a backup of an older version is brought to this version's schema; then the revision is shown
"$dudao" db upgrade
"$dudao" db current
