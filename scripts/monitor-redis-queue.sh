#!/usr/bin/env bash
# The seed's queue monitor, kept for its callers: a thin shim over `queue-depth`.
#
#   ./scripts/monitor-redis-queue.sh               warning 500, critical 1000
#   ./scripts/monitor-redis-queue.sh 2000 1000     custom thresholds
#
# The two numbers are the two thresholds in either order: the smaller is the warning and the
# larger the critical, because a warning above the critical level would never be seen. So the
# seed's own example `2000 1000` means warning at 1000 and critical at 2000, as its author meant.
#
# Exit codes, as the seed defines them: 0 fine, 1 warning (depth above the warning threshold),
# 2 critical (above the critical threshold), and 3 when the queues could not be read.
# Redis comes from REDIS_URL or UPSTASH_REDIS_REST_URL + UPSTASH_REDIS_REST_TOKEN (or
# opskit.toml); other queue-depth flags may follow with `--`, e.g. `... 2000 1000 -- --queue emails`.
set -uo pipefail

bin=${QUEUE_DEPTH_BIN:-}
if [ -z "$bin" ]; then
  if command -v queue-depth >/dev/null 2>&1; then
    bin=queue-depth
  else
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    for candidate in "$root/target/release/queue-depth" "$root/target/debug/queue-depth"; do
      if [ -x "$candidate" ]; then bin=$candidate; break; fi
    done
  fi
fi
if [ -z "$bin" ]; then
  echo "monitor-redis-queue.sh: queue-depth not found; install it with 'npm i -g opskit' (or see docs/install.md)" >&2
  exit 3
fi

numbers=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do numbers+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift

is_number() { [[ $1 =~ ^[0-9]+([.][0-9]+)?$ ]]; }
case ${#numbers[@]} in
  0) warning=500; critical=1000 ;;
  2)
    if ! is_number "${numbers[0]}" || ! is_number "${numbers[1]}"; then
      echo "usage: $0 [WARNING CRITICAL] [-- queue-depth flags]; thresholds are numbers" >&2
      exit 3
    fi
    if awk -v a="${numbers[0]}" -v b="${numbers[1]}" 'BEGIN { exit !(a <= b) }'; then
      warning=${numbers[0]}; critical=${numbers[1]}
    else
      warning=${numbers[1]}; critical=${numbers[0]}
    fi
    ;;
  *)
    echo "usage: $0 [WARNING CRITICAL] [-- queue-depth flags]" >&2
    exit 3
    ;;
esac

exec "$bin" --warning "$warning" --critical "$critical" "$@"
