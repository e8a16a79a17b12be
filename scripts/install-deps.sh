#!/usr/bin/env bash
# Installs the Debian packages Nozzle needs, when any is missing: libfcgi (the FastCGI library the
# host is built on), nginx and spawn-fcgi (to run and test behind a real web server), curl, and
# wrk for the tests and benchmarks that put a server under load; systemd for its socket activation tool;
# libsqlite3-dev for the users example (SQLite through GRDB); openssl to sign webhooks in tests; apache2
# and lighttpd for the deployment tests behind those servers.
#
# Usage: scripts/install-deps.sh [--list]     --list prints the packages and installs nothing.
set -euo pipefail
packages=(libfcgi-dev pkg-config nginx spawn-fcgi multiwatch curl wrk systemd libsqlite3-dev openssl apache2 lighttpd)
[[ ${1:-} == --list ]] && { echo "${packages[*]}"; exit 0; }
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0
echo "Installing: ${missing[*]}" >&2
run() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
run apt-get update -qq
run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
