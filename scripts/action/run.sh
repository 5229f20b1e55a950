#!/usr/bin/env bash
# Runs predeploy for the GitHub Action (action.yml): annotations on the changed lines and the
# job summary (--format github), a SARIF copy for code scanning (--sarif-file), and the exit
# code as the step's output. Whether the step fails is the fail-on input's choice.
#
# Inputs (environment): OPSKIT_ROOT, OPSKIT_ARGS (extra flags, split on spaces), OPSKIT_SARIF,
# OPSKIT_FAIL_ON=warning|critical|never, GITHUB_OUTPUT, RUNNER_TEMP.
set -uo pipefail

root=${OPSKIT_ROOT:-.}
sarif=${OPSKIT_SARIF:-${RUNNER_TEMP:-/tmp}/opskit-predeploy.sarif}
fail_on=${OPSKIT_FAIL_ON:-critical}
output=${GITHUB_OUTPUT:-/dev/null}
case "$fail_on" in
  warning | critical | never) ;;
  *)
    echo "opskit-action: fail-on must be warning, critical or never, not $fail_on" >&2
    exit 3
    ;;
esac

read -r -a extra <<<"${OPSKIT_ARGS:-}"
opskit predeploy --root "$root" --format github --sarif-file "$sarif" "${extra[@]}"
code=$?
{
  echo "exit-code=$code"
  echo "sarif-file=$sarif"
} >>"$output"

case "$fail_on" in
  warning) [ "$code" -eq 0 ] || exit "$code" ;;
  critical) [ "$code" -lt 2 ] || exit "$code" ;;
  never) exit 0 ;;
esac
