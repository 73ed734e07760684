#!/usr/bin/env bash
# Back up Linli (PostgreSQL dump + uploaded files), restore both into fresh places, compare.
#
#   DATABASE_URL=postgres://user@host:5432/linli LINLI_MEDIA_ROOT=/srv/linli/media scripts/backup_restore.sh
#
# 1. pg_dump --format=custom of the database named by DATABASE_URL, and a tar of the media folder
#    (LINLI_MEDIA_ROOT, else $LINLI_DATA_DIR/media, else ./data/media), into BACKUP_DIR (default: a
#    new temporary folder, kept and printed at the end).
# 2. pg_restore into a new database <name>_restore_<timestamp> on the same server (RESTORE_DB names
#    another one; it must not exist), and untar the media into BACKUP_DIR/media-restored.
# 3. Counts the rows of every table in both databases and the files and bytes in both media folders,
#    prints them side by side, and exits 1 on any difference.
# The restored database is dropped at the end unless KEEP_RESTORED=1.
set -euo pipefail

die() { echo "backup_restore: $*" >&2; exit 2; }
[[ -n "${DATABASE_URL:-}" ]] || die "DATABASE_URL is not set"
[[ "$DATABASE_URL" == postgres://* || "$DATABASE_URL" == postgresql://* ]] || die "DATABASE_URL is not a PostgreSQL URL"
for tool in pg_dump pg_restore psql tar; do command -v "$tool" >/dev/null || die "$tool not found"; done

media="${LINLI_MEDIA_ROOT:-${LINLI_DATA_DIR:-./data}/media}"
backup_dir="${BACKUP_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/linli-backup.XXXXXX")}"
mkdir -p "$backup_dir"

# postgres://user@host:port/name?params -> server part, database name, params
base="${DATABASE_URL%%\?*}"
params=""
[[ "$DATABASE_URL" == *\?* ]] && params="?${DATABASE_URL#*\?}"
source_db="${base##*/}"
server="${base%/*}"
restore_db="${RESTORE_DB:-${source_db}_restore_$(date +%Y%m%d%H%M%S)}"
restore_url="$server/$restore_db$params"
[[ "$restore_db" =~ ^[A-Za-z0-9_]+$ ]] || die "restore database name must be letters, digits and _: $restore_db"

created=0
cleanup() {
  if [[ $created == 1 && "${KEEP_RESTORED:-0}" != 1 ]]; then
    psql "$DATABASE_URL" -qAt -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS \"$restore_db\" WITH (FORCE)" >/dev/null || true
  fi
}
trap cleanup EXIT

started=$(date +%s)
echo "backup of $source_db into $backup_dir"
pg_dump --format=custom --file="$backup_dir/linli.dump" "$DATABASE_URL"
if [[ -d "$media" ]]; then
  tar -C "$media" -czf "$backup_dir/media.tar.gz" .
else
  echo "  (no media folder at $media: nothing uploaded yet)"
  tar -czf "$backup_dir/media.tar.gz" -T /dev/null
fi
echo "  linli.dump $(du -h "$backup_dir/linli.dump" | cut -f1), media.tar.gz $(du -h "$backup_dir/media.tar.gz" | cut -f1)"

echo "restore into $restore_db"
psql "$DATABASE_URL" -qAt -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$restore_db\"" >/dev/null
created=1
pg_restore --no-owner --exit-on-error --dbname="$restore_url" "$backup_dir/linli.dump"
rm -rf "$backup_dir/media-restored"
mkdir -p "$backup_dir/media-restored"
tar -C "$backup_dir/media-restored" -xzf "$backup_dir/media.tar.gz"

count_rows() {
  psql "$1" -qAt -F $'\t' -v ON_ERROR_STOP=1 <<'SQL'
SELECT format('SELECT %L, count(*) FROM %I.%I', table_schema || '.' || table_name, table_schema, table_name)
FROM information_schema.tables
WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
ORDER BY table_schema, table_name
\gexec
SQL
}
media_summary() {
  if [[ -d "$1" ]]; then
    printf 'media files\t%s\n' "$(find "$1" -type f | wc -l)"
    printf 'media bytes\t%s\n' "$(find "$1" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')"
  else
    printf 'media files\t0\nmedia bytes\t0\n'
  fi
}

source_counts="$backup_dir/counts.source.tsv"
restored_counts="$backup_dir/counts.restored.tsv"
{ count_rows "$DATABASE_URL"; media_summary "$media"; } | sort >"$source_counts"
{ count_rows "$restore_url"; media_summary "$backup_dir/media-restored"; } | sort >"$restored_counts"

echo
join -t $'\t' -a 1 -a 2 -e MISSING -o 0,1.2,2.2 "$source_counts" "$restored_counts" | awk -F '\t' '
  BEGIN { printf "%-44s %14s %14s\n", "table", "source", "restored"; bad = 0; n = 0 }
  { mark = ($2 == $3) ? "" : "  <-- differs"; if (mark != "") bad++; n++
    printf "%-44s %14s %14s%s\n", $1, $2, $3, mark }
  END { printf "\n%d rows compared, %d differ\n", n, bad; exit bad > 0 }' || {
    echo "backup_restore: FAILED, the restored copy differs (backup kept in $backup_dir)" >&2
    exit 1
  }
echo "backup_restore: OK in $(( $(date +%s) - started )) s; backup in $backup_dir"
