#!/usr/bin/env bash
# Runs every test: unit tests of the core, FastCGI wire tests, the route generator's tests, and the
# integration tests that start real nginx, Apache, lighttpd, spawn-fcgi and CGI in front of the
# built examples.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
swift build --package-path "$root"
# The examples with dependencies of their own are packages of their own (examples/*/Package.swift).
for package in "$root"/examples/*/Package.swift; do
  swift build --package-path "$(dirname "$package")"
done
# The DocC catalog, with DocC's warnings as errors.
"$root/scripts/docs.sh"
swift test --package-path "$root"
