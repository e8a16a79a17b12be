#!/usr/bin/env bash
# Runs an app behind real nginx, in the foreground, from this checkout: a temporary prefix, no root
# needed once the packages are installed, nothing in /etc changes. Ctrl-C stops both.
#
# Usage: nginx/run.sh [EXAMPLE | PACKAGE_DIRECTORY] [PORT] [--watch] [--product NAME]
#   EXAMPLE            hello, blitz (in the root package), users, webhook, session (packages of their own)
#   PACKAGE_DIRECTORY  an app package, such as one scripts/new-app.sh made; its product is the
#                      folder's name unless --product names another
#   PORT               8080 unless given
#   --watch            rebuild on every save of a .swift file or Package.swift, and swap the new build
#                      in without closing the socket or failing a request (the app runs under
#                      --processes 1; a SIGHUP starts a worker from the new build and retires the old
#                      one once it serves). A build that fails prints the compiler's errors and
#                      leaves the last good build serving.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
target= port=8080 watch=false product=
while [[ $# -gt 0 ]]; do
  case $1 in
    --watch) watch=true; shift ;;
    --product) product=$2; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "nginx/run.sh: unknown option $1" >&2; exit 2 ;;
    *) if [[ -z $target ]]; then target=$1; else port=$1; fi; shift ;;
  esac
done
target=${target:-hello}

"$root/scripts/install-deps.sh" --run
if [[ $target == */* || -f $target/Package.swift ]]; then
  [[ -f $target/Package.swift ]] || { echo "nginx/run.sh: no Package.swift in $target" >&2; exit 2; }
  package=$(cd "$target" && pwd)
  name=${product:-$(basename "$package")}
  readme="$package/README.md"
else
  name=${product:-$target}
  package=$root
  [[ -f $root/examples/$target/Package.swift ]] && package=$root/examples/$target
  readme="examples/$target/README.md"
fi

# Compiler output as a person reads it: no progress lines, and paths relative to the package. A
# route file whose name another shares is compiled through a link (route-files/users+index.swift);
# its errors name the file under api/ that the link leads to.
readable() {
  grep -v -E '^\[[0-9]+/[0-9]+\]|^Building for |^Build complete|^Compiling plugin|^Write swift-version|^Planning build' |
    ROOT="$package/" perl -pe 's{(/[^\s:]+?\.swift)(?=:\d+)}{ my $p = $1; my $l = readlink($p); $p = $l if $p =~ m{/route-files/} && defined $l; $p =~ s{^\Q$ENV{ROOT}\E}{}; $p }ge'
}

build() { swift build --package-path "$package" --product "$name" 2>&1; }

if ! output=$(build); then
  readable <<<"$output" >&2
  echo "nginx/run.sh: the build failed" >&2
  exit 1
fi
readable <<<"$output" | grep -E 'warning:|error:' >&2 || true
bin="$(swift build --package-path "$package" --show-bin-path)/$name"

# Secrets the examples read, with throwaway values unless you set your own.
export USERS_TOKEN=${USERS_TOKEN:-dev-token}
export WEBHOOK_SECRET=${WEBHOOK_SECRET:-whsec_dev}
export SESSION_SECRET=${SESSION_SECRET:-dev-session-secret}

prefix=$(mktemp -d "${TMPDIR:-/tmp}/nozzle-nginx.XXXXXX")
chmod 755 "$prefix"
app_pid= nginx_pid=
cleanup() {
  [[ -n $nginx_pid ]] && kill -QUIT "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
  [[ -n $app_pid ]] && kill "$app_pid" 2>/dev/null && wait "$app_pid" 2>/dev/null
  rm -rf "$prefix"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$root/nginx/write-config.sh" "$prefix" "$port" "$prefix/app.sock"

app_arguments=(--listen "unix:$prefix/app.sock" --socket-mode 0666)
if $watch; then
  # The app runs from a copy, which each good build replaces (a new file, renamed into place): the
  # supervisor starts its next worker from that path.
  mkdir -p "$prefix/bin"
  install_build() { cp "$bin" "$prefix/bin/$name.new" && mv -f "$prefix/bin/$name.new" "$prefix/bin/$name"; }
  install_build
  run_bin="$prefix/bin/$name"
  app_arguments+=(--processes 1)
else
  run_bin=$bin
fi
"$run_bin" "${app_arguments[@]}" 2>>"$prefix/logs/app.log" &
app_pid=$!
for _ in $(seq 200); do [[ -S $prefix/app.sock ]] && break; sleep 0.05; done
[[ -S $prefix/app.sock ]] || { cat "$prefix/logs/app.log" >&2; echo "the app did not start" >&2; exit 1; }

url=http://127.0.0.1:$port
echo "$name is running behind nginx on $url   (app log: $prefix/logs/app.log)"
echo "Try:"
case $target in
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
  *)
    "$bin" routes | awk 'NR > 1 && $1 ~ /^\// { print "  curl -i '"$url"'" $1 }' | grep -v '\[' | head -5 || true ;;
esac
echo "  curl -i $url/api/nothing-here"
echo "More in $readme. Press Ctrl-C to stop."

if ! $watch; then
  nginx -p "$prefix" -c "$prefix/nginx.conf" -e "$prefix/logs/error.log" -g 'daemon off;'
  exit
fi

nginx -p "$prefix" -c "$prefix/nginx.conf" -e "$prefix/logs/error.log" -g 'daemon off;' &
nginx_pid=$!

# What a save changes: every .swift file and Package.swift of the package, but what builds write.
fingerprint() {
  find "$package" \( -name '.build*' -o -name '.git' -o -name '.swiftpm' \) -prune -o -type f \
    \( -name '*.swift' -o -name 'Package.swift' \) -printf '%T@ %s %p\n' 2>/dev/null | sort | md5sum
}
reloads() { grep -c 'reload: new workers serving' "$prefix/logs/app.log" || true; }
seconds_since() { awk -v start="$1" -v now="$(date +%s.%N)" 'BEGIN { printf "%.1f", now - start }'; }

echo "watch: watching $package for changes"
last=$(fingerprint)
while kill -0 "$nginx_pid" 2>/dev/null; do
  sleep 0.2
  now=$(fingerprint)
  [[ $now == "$last" ]] && continue
  # A save during the build changes the fingerprint again, and the next round builds that.
  last=$now
  started=$(date +%s.%N)
  echo "watch: change seen; building..."
  if output=$(build); then
    built=$(seconds_since "$started")
    readable <<<"$output" | grep -E 'warning:' || true
    before=$(reloads)
    install_build
    kill -HUP "$app_pid"
    for _ in $(seq 200); do [[ $(reloads) -gt $before ]] && break; sleep 0.05; done
    if [[ $(reloads) -gt $before ]]; then
      echo "watch: built in ${built} s; serving the new build $(seconds_since "$started") s after the change"
    else
      echo "watch: built in ${built} s, but the new build did not start; see $prefix/logs/app.log" >&2
    fi
  else
    readable <<<"$output" >&2
    echo "watch: the build failed (errors above); the last good build is still serving" >&2
  fi
done
