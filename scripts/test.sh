#!/usr/bin/env bash
# Runs every test: unit tests of the core, FastCGI wire tests, the route generator's tests, and the
# integration tests that start real nginx, spawn-fcgi and CGI in front of the built examples.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
swift build --package-path "$root"
swift test --package-path "$root"
