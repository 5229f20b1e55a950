#!/usr/bin/env bash
# The seed's Supabase backup script, kept for its callers: a thin shim over `db-backup`.
#
#   ./scripts/backup-supabase.sh                              complete backup of $SUPABASE_DB_URL into ./backups
#   ./scripts/backup-supabase.sh --dir /var/backups/app --content-hash
#   ./scripts/backup-supabase.sh --preset supabase --roles-only
#   BACKUP_KEEP_DAILY=14 BACKUP_KEEP_WEEKLY=8 ./scripts/backup-supabase.sh --dir /var/backups/app
#
# Arguments go to `db-backup run` (see `db-backup run --help`). When any BACKUP_KEEP_LAST,
# BACKUP_KEEP_DAILY, BACKUP_KEEP_WEEKLY or BACKUP_KEEP_MONTHLY is set, a successful run is
# followed by `db-backup prune` with that policy in the same directory. DB_BACKUP_BIN picks the
# binary. Exit codes: db-backup's (0 done, 1 done with warnings, 2 failed, 3 could not run).
set -uo pipefail

bin=${DB_BACKUP_BIN:-}
if [ -z "$bin" ]; then
  if command -v db-backup >/dev/null 2>&1; then
    bin=db-backup
  else
    here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    for candidate in "$here/target/release/db-backup" "$here/target/debug/db-backup"; do
      if [ -x "$candidate" ]; then bin=$candidate; break; fi
    done
  fi
fi
if [ -z "$bin" ]; then
  echo "backup-supabase.sh: db-backup not found; install it with 'npm i -g opskit' (or see docs/install.md)" >&2
  exit 3
fi

"$bin" run "$@"
status=$?
if [ "$status" -gt 1 ]; then exit "$status"; fi

policy=()
[ -n "${BACKUP_KEEP_LAST:-}" ] && policy+=(--keep-last "$BACKUP_KEEP_LAST")
[ -n "${BACKUP_KEEP_DAILY:-}" ] && policy+=(--keep-daily "$BACKUP_KEEP_DAILY")
[ -n "${BACKUP_KEEP_WEEKLY:-}" ] && policy+=(--keep-weekly "$BACKUP_KEEP_WEEKLY")
[ -n "${BACKUP_KEEP_MONTHLY:-}" ] && policy+=(--keep-monthly "$BACKUP_KEEP_MONTHLY")
if [ "${#policy[@]}" -gt 0 ]; then
  # The same directory as the run: the last --dir among the arguments, if any.
  dir=()
  prev=
  for arg in "$@"; do
    if [ "$prev" = --dir ]; then dir=(--dir "$arg"); fi
    case $arg in --dir=*) dir=(--dir "${arg#--dir=}");; esac
    prev=$arg
  done
  "$bin" prune "${dir[@]}" "${policy[@]}" || exit $?
fi
exit "$status"
