#!/usr/bin/env bash
# Runs an example app behind real nginx, in the foreground, from this checkout: a temporary prefix,
# no root needed once the packages are installed, nothing in /etc changes. Ctrl-C stops both.
#
# Usage: nginx/run.sh [EXAMPLE] [PORT]        defaults: hello 8080
#   EXAMPLE: hello, blitz (in the root package), users, webhook, session (packages of their own)
set -euo pipefail
example=${1:-hello}
port=${2:-8080}
root=$(cd "$(dirname "$0")/.." && pwd)

"$root/scripts/install-deps.sh" --run
package=$root
[[ -f $root/examples/$example/Package.swift ]] && package=$root/examples/$example
swift build --package-path "$package" --product "$example"
bin="$(swift build --package-path "$package" --show-bin-path)/$example"

# Secrets the examples read, with throwaway values unless you set your own.
export USERS_TOKEN=${USERS_TOKEN:-dev-token}
export WEBHOOK_SECRET=${WEBHOOK_SECRET:-whsec_dev}
export SESSION_SECRET=${SESSION_SECRET:-dev-session-secret}

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

url=http://127.0.0.1:$port
echo "$example is running behind nginx on $url   (app log: $prefix/logs/app.log)"
echo "Try:"
case $example in
  hello)
    echo "  curl -i $url/api/hello"
    echo "  curl -i -X POST -H 'Content-Type: application/json' -d '{\"name\":\"Ada\"}' $url/api/users" ;;
  blitz)
    echo "  curl -i $url/api/hello"
    echo "  curl -i $url/api/post/abc"
    echo "  curl -i $url/api/optional/a/b" ;;
  users)
    echo "  curl -i -X POST -H 'Content-Type: application/json' -d '{\"name\":\"Ada\",\"email\":\"ada@example.com\"}' $url/api/users"
    echo "  curl -i $url/api/users"
    echo "  curl -i -X DELETE -H 'Authorization: Bearer $USERS_TOKEN' $url/api/users/1" ;;
  webhook)
    echo "  body='{\"type\":\"checkout.session.completed\",\"data\":{\"object\":{\"id\":\"cs_1\"}}}'"
    echo "  sig=\$(printf '%s' \"\$body\" | openssl dgst -sha256 -hmac '$WEBHOOK_SECRET' | sed 's/^.* //')"
    echo "  curl -i -H \"X-Signature: sha256=\$sig\" -H 'Content-Type: application/json' -d \"\$body\" $url/api/webhook" ;;
  session)
    echo "  curl -i -c jar -H 'Content-Type: application/json' -d '{\"name\":\"ada\",\"password\":\"lovelace\"}' $url/api/login"
    echo "  curl -i -b jar $url/api/me" ;;
esac
echo "  curl -i $url/api/nothing-here"
echo "More in examples/$example/README.md. Press Ctrl-C to stop."
nginx -p "$prefix" -c "$prefix/nginx.conf" -e "$prefix/logs/error.log" -g 'daemon off;'
