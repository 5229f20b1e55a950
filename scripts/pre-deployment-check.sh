#!/usr/bin/env bash
# The seed's pre-deployment check, kept for its callers: a thin shim over `predeploy`.
#
#   ./scripts/pre-deployment-check.sh production          check the app in the current directory
#   ./scripts/pre-deployment-check.sh preview -- --format github
#
# The first argument is the environment (production by default). Anything after `--` goes to
# predeploy. PREDEPLOY_ROOT picks another project (default: the current directory).
# Exit codes: 0 ready to deploy, 1 warnings, 2 errors, 3 a check could not run.
set -uo pipefail

env_name=production
if [ $# -gt 0 ] && [ "$1" != "--" ]; then env_name=$1; shift; fi
[ "${1:-}" = "--" ] && shift

bin=${PREDEPLOY_BIN:-}
if [ -z "$bin" ]; then
  if command -v predeploy >/dev/null 2>&1; then
    bin=predeploy
  else
    here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    for candidate in "$here/target/release/predeploy" "$here/target/debug/predeploy"; do
      if [ -x "$candidate" ]; then bin=$candidate; break; fi
    done
  fi
fi
if [ -z "$bin" ]; then
  echo "pre-deployment-check.sh: predeploy not found; install it with 'npm i -g opskit' (or see docs/install.md)" >&2
  exit 3
fi

exec "$bin" --root "${PREDEPLOY_ROOT:-.}" --env "$env_name" "$@"
