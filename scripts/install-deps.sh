#!/usr/bin/env bash
# Installs the Debian packages Nozzle needs, when any is missing.
#
# To build and run: zlib and brotli (compressed request bodies), pkg-config, nginx and spawn-fcgi,
# curl, libsqlite3-dev for the users example (SQLite through GRDB), and openssl to sign webhook
# requests. To test, also: multiwatch, wrk for the tests that put a server under load,
# systemd for its socket activation tool, postgresql for the users example on PostgreSQL, iproute2
# for the multi-host test's network namespaces, apache2, lighttpd, caddy, haproxy and h2o for the
# deployment tests (the tests run their own copies on random loopback ports; on a machine with
# systemd, Debian also starts the system services, which
# `systemctl disable --now apache2 lighttpd caddy haproxy h2o postgresql` stops), libfcgi-bin for
# libfcgi's own FastCGI client, cgi-fcgi (the wire format checked against the C implementation),
# chromium and tesseract-ocr (the status page is rendered in a headless browser and its screenshot
# read back), python3-pip, and from PyPI openapi-spec-validator, which checks the apps' OpenAPI documents,
# opentelemetry-proto, with which the tests' OTLP receiver decodes the spans the users example exports,
# and schemathesis, which tests the examples against their own documents.
#
# Usage: scripts/install-deps.sh [--run] [--list]
#   --run    only what building and running needs (nginx/run.sh)
#   --list   print the packages and install nothing
set -euo pipefail
run_packages=(zlib1g-dev libbrotli-dev pkg-config nginx spawn-fcgi curl libsqlite3-dev openssl)
test_packages=(multiwatch wrk systemd postgresql iproute2 apache2 lighttpd caddy haproxy h2o libfcgi-bin chromium tesseract-ocr python3-pip)
python_test_packages=(openapi-spec-validator opentelemetry-proto schemathesis)
only_run=false list=false
for argument in "$@"; do
  case $argument in
    --run) only_run=true ;;
    --list) list=true ;;
    *) echo "usage: scripts/install-deps.sh [--run] [--list]" >&2; exit 2 ;;
  esac
done
packages=("${run_packages[@]}")
$only_run || packages+=("${test_packages[@]}")
$list && { echo "${packages[*]}"; exit 0; }
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
sudo_if_needed() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "Installing: ${missing[*]}" >&2
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
$only_run && exit 0
for package in "${python_test_packages[@]}"; do
  # A tool is found as a command; a library (opentelemetry-proto) as a module.
  command -v "$package" >/dev/null && continue
  module=${package//-/.}
  [[ $package == *-proto ]] && python3 -c "import ${module}" 2>/dev/null && continue
  echo "Installing from PyPI: $package" >&2
  # Debian's own Python refuses installs outside a virtual environment unless told otherwise.
  python3 -m pip install --quiet "$package" 2>/dev/null || python3 -m pip install --quiet --break-system-packages "$package"
done
