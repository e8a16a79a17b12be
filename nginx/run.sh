#!/usr/bin/env bash
# Runs an example app behind real nginx, in the foreground, from this checkout: a temporary prefix,
# no root needed once the packages are installed, nothing in /etc changes. Ctrl-C stops both.
#
# Usage: nginx/run.sh [EXAMPLE] [PORT]        defaults: hello 8080
set -euo pipefail
example=${1:-hello}
port=${2:-8080}
root=$(cd "$(dirname "$0")/.." && pwd)

"$root/scripts/install-deps.sh"
swift build --package-path "$root" --product "$example"
bin="$(swift build --package-path "$root" --show-bin-path)/$example"

prefix=$(mktemp -d "${TMPDIR:-/tmp}/nozzle-nginx.XXXXXX")
chmod 755 "$prefix"
app_pid=
cleanup() {
  [[ -n $app_pid ]] && kill "$app_pid" 2>/dev/null && wait "$app_pid" 2>/dev/null
  rm -rf "$prefix"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$root/nginx/write-config.sh" "$prefix" "$port" "$prefix/app.sock"

"$bin" --listen "unix:$prefix/app.sock" --socket-mode 0666 2>>"$prefix/logs/app.log" &
app_pid=$!
for _ in $(seq 100); do [[ -S $prefix/app.sock ]] && break; sleep 0.05; done
[[ -S $prefix/app.sock ]] || { cat "$prefix/logs/app.log" >&2; echo "the app did not start" >&2; exit 1; }

cat <<MSG
$example is running behind nginx on http://127.0.0.1:$port   (app log: $prefix/logs/app.log)
Try:
  curl -i http://127.0.0.1:$port/api/hello
  curl -i -X POST -H 'Content-Type: application/json' -d '{"name":"Ada"}' http://127.0.0.1:$port/api/users
  curl -i http://127.0.0.1:$port/api/nothing-here
Press Ctrl-C to stop.
MSG
nginx -p "$prefix" -c "$prefix/nginx.conf" -e "$prefix/logs/error.log" -g 'daemon off;'
