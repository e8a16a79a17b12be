#!/usr/bin/env bash
# Runs every test: unit tests of the core, FastCGI wire tests, the route generator's tests, the
# integration tests that start real nginx, Apache, lighttpd, Caddy, HAProxy, h2o, spawn-fcgi and CGI
# in front of the built examples (PostgreSQL behind the users example, and several hosts made of
# network namespaces), and each parser's fuzz target for a short time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"

# swift build, run once more if the package manager itself crashed (killed by a signal); a compile
# error (exit status 1) is not retried.
build() {
  local status=0
  swift build "$@" || status=$?
  if [[ $status -ge 128 ]]; then
    echo "swift build $* was killed by signal $((status - 128)); building again" >&2
    swift build "$@"
  elif [[ $status -ne 0 ]]; then
    return "$status"
  fi
}

# With the Tracing and ServiceLifecycle traits, which apps ask for when they use them:
# their tests need them.
build --package-path "$root" --traits Tracing,ServiceLifecycle
# The examples with dependencies of their own are packages of their own (examples/*/Package.swift).
for package in "$root"/examples/*/Package.swift; do
  build --package-path "$(dirname "$package")"
done
# The DocC catalog, with DocC's warnings as errors.
"$root/scripts/docs.sh"
swift test --package-path "$root" --traits Tracing,ServiceLifecycle
# The examples' own unit tests, where they have some.
for tests in "$root"/examples/*/Tests; do
  swift test --package-path "$(dirname "$tests")"
done
# Every parser's fuzz target, for a short time each (FUZZ_SECONDS, 20 by default): a crash fails the run.
"$root/fuzz/run.sh" "${FUZZ_SECONDS:-20}"
