#!/usr/bin/env bash
# The seed's production environment check, kept for its callers: a thin shim over `env-check`.
#
#   ./scripts/check-env-production.sh                     every service of the schema in opskit.toml
#   ./scripts/check-env-production.sh worker              one service
#   ./scripts/check-env-production.sh worker -- --vars railway.json --format json
#
# It checks the values (process environment, exports, .env files) against the schema, the code
# against the schema (drift), and lints the .env files, for the production environment.
# Anything after `--` goes to env-check. ENV_CHECK_BIN picks the binary.
# Exit codes: 0 ready, 1 warnings, 2 errors (a required variable missing, a weak secret...),
# 3 env-check could not run (no schema, bad flags).
set -uo pipefail

service=()
if [ $# -gt 0 ] && [ "$1" != "--" ]; then service=(--service "$1"); shift; fi
[ "${1:-}" = "--" ] && shift

bin=${ENV_CHECK_BIN:-}
if [ -z "$bin" ]; then
  if command -v env-check >/dev/null 2>&1; then
    bin=env-check
  else
    here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    for candidate in "$here/target/release/env-check" "$here/target/debug/env-check"; do
      if [ -x "$candidate" ]; then bin=$candidate; break; fi
    done
  fi
fi
if [ -z "$bin" ]; then
  echo "check-env-production.sh: env-check not found; install it with 'npm i -g opskit' (or see docs/install.md)" >&2
  exit 3
fi
exec "$bin" --env production "${service[@]}" "$@"
