#!/usr/bin/env bash
# Installs opskit for the GitHub Action (action.yml) and puts it on PATH for the job's later
# steps: from npm (the default), from a GitHub release tarball with its checksum checked, or not
# at all (an opskit already on PATH).
#
# Inputs (environment): OPSKIT_INSTALL=npm|release|none, OPSKIT_VERSION (a version or latest),
# OPSKIT_REPOSITORY (owner/name for releases), GITHUB_PATH, RUNNER_TEMP, RUNNER_OS, RUNNER_ARCH.
set -euo pipefail

say() { printf 'opskit-action: %s\n' "$*" >&2; }

install=${OPSKIT_INSTALL:-npm}
version=${OPSKIT_VERSION:-latest}
temp=${RUNNER_TEMP:-/tmp}
path_file=${GITHUB_PATH:?GITHUB_PATH is not set: this script runs inside GitHub Actions}

case "$install" in
  none)
    if ! command -v opskit >/dev/null 2>&1; then
      say "install is none, but there is no opskit on PATH"
      exit 3
    fi
    ;;
  npm)
    prefix="$temp/opskit-npm"
    npm install --global --no-audit --no-fund --loglevel=error --prefix "$prefix" "opskit@$version"
    if [ "${RUNNER_OS:-}" = Windows ]; then
      echo "$prefix" >>"$path_file"
    else
      echo "$prefix/bin" >>"$path_file"
    fi
    ;;
  release)
    platform="${RUNNER_OS:-$(uname -s)}-${RUNNER_ARCH:-$(uname -m)}"
    case "$platform" in
      Linux-X64 | Linux-x86_64) target=x86_64-unknown-linux-musl ;;
      Linux-ARM64 | Linux-aarch64) target=aarch64-unknown-linux-musl ;;
      macOS-X64 | Darwin-x86_64) target=x86_64-apple-darwin ;;
      macOS-ARM64 | Darwin-arm64) target=aarch64-apple-darwin ;;
      Windows-X64) target=x86_64-pc-windows-msvc ;;
      *)
        say "no release build for $platform; use install: npm"
        exit 3
        ;;
    esac
    repo=${OPSKIT_REPOSITORY:-opskit/opskit}
    if [ "$version" = latest ]; then
      tag=$(gh release view --repo "$repo" --json tagName --jq .tagName)
    else
      tag="v${version#v}"
    fi
    dir="$temp/opskit-release"
    mkdir -p "$dir"
    cd "$dir"
    gh release download "$tag" --repo "$repo" --clobber \
      --pattern "opskit-*-$target.tar.gz" --pattern SHA256SUMS
    if command -v sha256sum >/dev/null 2>&1; then
      sha256sum --ignore-missing -c SHA256SUMS
    else
      shasum -a 256 --ignore-missing -c SHA256SUMS
    fi
    archive=$(ls opskit-*-"$target".tar.gz)
    tar -xzf "$archive"
    echo "$dir/${archive%.tar.gz}" >>"$path_file"
    ;;
  *)
    say "install must be npm, release or none, not $install"
    exit 3
    ;;
esac
