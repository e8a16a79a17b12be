#!/usr/bin/env bash
# Nozzle's benchmark: the examples behind real nginx (1 worker, unix sockets), beside peers measured
# in the same run, then CGI cold starts, memory, and the core's micro-benchmarks.
#
#   direct   nginx answering by itself: the ceiling for anything behind it
#   cpoll    a minimal C libfcgi responder with an epoll set (benchmarks/peers/epoll-responder.c)
#   php      PHP-FPM, pm = static, when php-fpm is installed
#   go       Go's net/http/fcgi, when go is installed
#   node     Node's http server behind proxy_pass (what Express and Next.js run on), when node is
#            installed: for the I/O-bound case only
#   hb       Hummingbird 2 and Vapor 4 behind proxy_pass (HTTP/1.1, kept connections), when they are
#   vapor    built: their GET hello, their POST of a user decoded as a Codable struct (beside the
#            fixture app's /api/received, which does the same), and their waits. This benchmark does
#            not build them: ../shared/bench/anchors/swift-peers.sh does, into PEERS_BUILD
#            (default ~/.cache/nozzle-swift-peers), and they are used from there when present
#   app      the Nozzle examples: hello (GET /api/hello, POST /api/users) and blitz (/api/post/[pid]),
#            and the test fixture's /api/slow?ms=N for the I/O-bound case
#   traced   hello's GET /api/hello with a tracer that records every request's span, and
#   untraced the same binary with none (benchmarks/TracedHello): what tracing costs, and that an app
#            without a tracer pays nothing (compare untraced with app, and app with base)
#   base     with BASELINE=COMMIT, the hello example built from that commit: the same app on an
#            earlier Nozzle, for GET and POST, so that a change is measured against what it replaces
#            in one run (BASELINE=a53dcf8 is the last host built on libfcgi)
#
# Kept connections fewer than the clients: nginx keeping 16 or 32 idle connections for 64 clients
# ("ka16", "ka32" in the keep-alive column), beside all kept and none, for the C responder and hello.
#
# The users example gets rows of its own: GET /api/users/ID (a random one of 1,000 users) and POST
# /api/users (a new email each time) through nginx, on SQLite (a file, WAL) and on PostgreSQL (a
# cluster of its own in the run's directory, Debian's defaults), each with WORKERS threads. Beside it
# on the same table, each keeping its own defaults (pool sizes too): Go's net/http/fcgi with pgx's pool
# (benchmarks/peers/users.go, when Debian's golang-github-jackc-pgx-v4-dev is installed), PHP-FPM with
# PDO and persistent connections (benchmarks/peers/users.php, when pdo_pgsql is), and, GET only,
# Hummingbird 2 with PostgresNIO's pool when swift-peers' hb-db-peer is built in PEERS_BUILD.
#
# The I/O-bound case: every request waits 50 ms (as for a database or another API) and answers small
# JSON, at 256 and 1,000 connections; then 10,000 connections each holding a request that waits 1 s,
# with the app's memory before and after. Every responder keeps its defaults but PHP-FPM's children.
#
# Every responder gets WORKERS threads or children (default 4). Traffic stays on 127.0.0.1.
#
# Usage: [BASELINE=COMMIT] benchmarks/run.sh [--quick] [SECONDS]
#   --quick   64 connections with keep-alive only, and shorter runs
#   ROUNDS    how many times each CPU-bound figure is measured, the peers taking turns; the table
#             keeps each responder's best (default 2 with --quick, 1 otherwise). One busy moment on a
#             shared machine then costs no responder its figure.
# Writes the tables to benchmarks/results/latest.md and latest.csv, and prints them.
set -uo pipefail
# Thousands of connections: a client's and an upstream's each.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
quick=0
[[ ${1:-} == --quick ]] && { quick=1; shift; }
seconds=${1:-3}
workers=${WORKERS:-4}
root=$(cd "$(dirname "$0")/.." && pwd)
results="$root/benchmarks/results"
mkdir -p "$results"

"$root/scripts/install-deps.sh"
for tool in wrk hyperfine gcc; do
  command -v "$tool" >/dev/null || { [[ $(id -u) -eq 0 ]] && apt-get install -y -qq "$tool" >/dev/null; }
done
# The C peer is built on libfcgi.
[[ -f /usr/include/fcgiapp.h ]] || { [[ $(id -u) -eq 0 ]] && apt-get install -y -qq libfcgi-dev >/dev/null; }

echo "Building the examples in release..." >&2
swift build --package-path "$root" -c release --product hello >&2 || exit 1
swift build --package-path "$root" -c release --product blitz >&2 || exit 1
# The micro-benchmarks and the traced hello need the Tracing trait: built apart, in .build-traced.
traced_build=(--package-path "$root" -c release --traits Tracing --scratch-path "$root/.build-traced")
swift build "${traced_build[@]}" --product nozzle-micro-benchmarks >&2 || exit 1
swift build "${traced_build[@]}" --product nozzle-traced-hello >&2 || exit 1
traced_bin=$(swift build "${traced_build[@]}" --show-bin-path)
swift build --package-path "$root" -c release --product fixture-app >&2 || exit 1
swift build --package-path "$root/examples/users" -c release >&2 || exit 1
bin=$(swift build --package-path "$root" -c release --show-bin-path)
users_bin=$(swift build --package-path "$root/examples/users" -c release --show-bin-path)/users
# CGI starts a process per request: a fully static binary skips the dynamic loader.
swift build --package-path "$root" -c release --product hello --scratch-path "$root/.build-static" -Xswiftc -static-executable >&2 2>/dev/null || exit 1
static_bin="$root/.build-static/release"
baseline=${BASELINE:-}
if [[ -n $baseline ]]; then
  # The commit's tree, unpacked beside the build directories (git archive leaves the checkout alone).
  echo "Building hello at $baseline in release..." >&2
  base_src="$root/.build-baseline/src"
  rm -rf "$base_src" && mkdir -p "$base_src"
  git -C "$root" archive "$baseline" | tar -x -C "$base_src" || exit 1
  swift build --package-path "$base_src" -c release --product hello --scratch-path "$root/.build-baseline/build" >&2 || exit 1
  base_bin=$(swift build --package-path "$base_src" -c release --scratch-path "$root/.build-baseline/build" --show-bin-path)
fi

D=$(mktemp -d "${TMPDIR:-/tmp}/nozzle-bench.XXXXXX")
chmod 755 "$D"
mkdir -p "$D/logs" "$D/tmp" "$D/bin"
pids=()
cleanup() {
  nginx -p "$D" -c "$D/nginx.conf" -s stop 2>/dev/null
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  sleep 0.3
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null; done
  rm -rf "$D"
}
trap cleanup EXIT

gcc -O2 -o "$D/bin/epoll-responder" "$root/benchmarks/peers/epoll-responder.c" -lfcgi -lpthread || exit 1
gcc -O2 -o "$D/bin/with-stdin" "$root/benchmarks/peers/with-stdin.c" || exit 1
gcc -O2 -o "$D/bin/fastcgi-load" "$root/benchmarks/peers/fastcgi-load.c" || exit 1
peers=(cpoll)
php_fpm=$(command -v php-fpm8.2 || command -v php-fpm || true)
[[ -n $php_fpm ]] && peers+=(php)
if command -v go >/dev/null && GO111MODULE=off go build -o "$D/bin/hello-go" "$root/benchmarks/peers/hello.go" 2>/dev/null; then peers+=(go); fi
[[ -n $baseline ]] && peers+=(base)
# Hummingbird and Vapor, when swift-peers.sh has built them (each takes the path of its socket).
peers_build=${PEERS_BUILD:-$HOME/.cache/nozzle-swift-peers}
swift_peers=()
for peer in hb vapor; do
  [[ -x $peers_build/$peer-peer/.build/release/$peer-peer ]] && swift_peers+=("$peer")
done
peers+=("${swift_peers[@]}")

spawn-fcgi -n -s "$D/cpoll.sock" -M 0666 -- "$D/bin/epoll-responder" "$workers" >/dev/null 2>&1 & pids+=($!); disown $!
"$bin/hello" --listen "unix:$D/hello.sock" --socket-mode 0666 --workers "$workers" 2>"$D/logs/hello.log" & pids+=($!); disown $!
hello_pid=$!
[[ -n $baseline ]] && { "$base_bin/hello" --listen "unix:$D/base.sock" --socket-mode 0666 --workers "$workers" 2>"$D/logs/base.log" & pids+=($!); disown $!; }
TRACER=record "$traced_bin/nozzle-traced-hello" --listen "unix:$D/traced.sock" --socket-mode 0666 --workers "$workers" 2>"$D/logs/traced.log" & pids+=($!); disown $!
TRACER=off "$traced_bin/nozzle-traced-hello" --listen "unix:$D/untraced.sock" --socket-mode 0666 --workers "$workers" 2>"$D/logs/untraced.log" & pids+=($!); disown $!
"$bin/blitz" --listen "unix:$D/blitz.sock" --socket-mode 0666 --workers "$workers" 2>"$D/logs/blitz.log" & pids+=($!); disown $!
blitz_pid=$!
"$bin/fixture-app" --listen "unix:$D/fixture.sock" --socket-mode 0666 --workers "$workers" 2>"$D/logs/fixture.log" & pids+=($!); disown $!
if [[ " ${peers[*]} " == *" php "* ]]; then
  cat > "$D/php-fpm.conf" <<CONF
[global]
error_log = $D/logs/php-fpm.log
daemonize = no
[www]
user = $(id -un)
group = $(id -gn)
listen = $D/php.sock
listen.mode = 0666
pm = static
pm.max_children = $workers
CONF
  "$php_fpm" -R -y "$D/php-fpm.conf" -F >/dev/null 2>&1 & pids+=($!); disown $!
fi
[[ " ${peers[*]} " == *" go "* ]] && { "$D/bin/hello-go" "$D/go.sock" >/dev/null 2>&1 & pids+=($!); disown $!; }
for peer in "${swift_peers[@]}"; do
  "$peers_build/$peer-peer/.build/release/$peer-peer" "$D/$peer.sock" >"$D/logs/$peer.log" 2>&1 & pids+=($!); disown $!
done
# The users example on SQLite, and on PostgreSQL when it is installed.
"$users_bin" --listen "unix:$D/users-sqlite.sock" --socket-mode 0666 --workers "$workers" --database "$D/users.sqlite" 2>"$D/logs/users-sqlite.log" & pids+=($!); disown $!
users_stores=(sqlite)
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [[ -n $pg_bin ]]; then
  as_postgres=(); [[ $(id -u) -eq 0 ]] && { chown postgres: "$D"; as_postgres=(setpriv --reuid=postgres --regid=postgres --init-groups --); }
  pg_port=${PG_PORT:-18532}
  if "${as_postgres[@]}" "$pg_bin/initdb" -D "$D/pg" -A trust -U postgres -E UTF8 --locale=C >"$D/logs/initdb.log" 2>&1; then
    "${as_postgres[@]}" "$pg_bin/postgres" -D "$D/pg" -k "$D" -p "$pg_port" -c listen_addresses=127.0.0.1 >"$D/logs/postgres.log" 2>&1 & pids+=($!); disown $!
    for _ in $(seq 50); do psql -h 127.0.0.1 -p "$pg_port" -U postgres -Atc 'SELECT 1' >/dev/null 2>&1 && break; sleep 0.2; done
    "$users_bin" --listen "unix:$D/users-postgres.sock" --socket-mode 0666 --workers "$workers" \
      --database-url "postgres://postgres@127.0.0.1:$pg_port/postgres?sslmode=disable" 2>"$D/logs/users-postgres.log" & pids+=($!); disown $!
    users_stores+=(postgres)
  fi
fi
# The database peers, on the users example's table.
db_peers=()
if [[ " ${users_stores[*]} " == *" postgres "* ]]; then
  pg_url="postgres://postgres@127.0.0.1:$pg_port/postgres?sslmode=disable"
  [[ -d /usr/share/gocode/src/github.com/jackc/pgx ]] || { [[ $(id -u) -eq 0 ]] && apt-get install -y -qq golang-github-jackc-pgx-v4-dev >/dev/null 2>&1; }
  if command -v go >/dev/null && GOPATH=/usr/share/gocode GO111MODULE=off go build -o "$D/bin/users-go" "$root/benchmarks/peers/users.go" 2>"$D/logs/users-go-build.log"; then
    "$D/bin/users-go" "$D/go-pgx.sock" "$pg_url" >"$D/logs/go-pgx.log" 2>&1 & pids+=($!); disown $!
    db_peers+=(go-pgx)
  fi
  [[ " ${peers[*]} " == *" php "* ]] && php -m 2>/dev/null | grep -qx pdo_pgsql && db_peers+=(php-pdo)
  hb_db=$peers_build/hb-db-peer/.build/release/hb-db-peer
  [[ -x $hb_db ]] && { "$hb_db" "$D/hb-postgresnio.sock" "$pg_url" >"$D/logs/hb-postgresnio.log" 2>&1 & pids+=($!); disown $!; db_peers+=(hb-postgresnio); }
fi
io_peers=()
[[ " ${peers[*]} " == *" go "* ]] && io_peers+=(go)
[[ " ${peers[*]} " == *" php "* ]] && io_peers+=(php)
io_peers+=("${swift_peers[@]}")
if command -v node >/dev/null; then
  node "$root/benchmarks/peers/slow.js" "$D/node.sock" >/dev/null 2>&1 & pids+=($!); disown $!
  io_peers+=(node)
fi

port=${PORT:-18480}
locations=""
for keep in on off; do
  for upstream in cpoll php go base hello blitz traced untraced fixture; do
    extra=""
    [[ $upstream == php ]] && extra="fastcgi_param SCRIPT_FILENAME $root/benchmarks/peers/hello.php;"
    locations+="    location /$keep/$upstream/ { rewrite ^/$keep/$upstream(/.*)\$ \$1 break; include $D/fastcgi_params; $extra fastcgi_keep_conn $keep; fastcgi_pass $upstream; }
"
  done
done
# Kept connections fewer than the 64 clients: nginx opens and closes connections for the excess.
for ka in 16 32; do
  for upstream in cpoll hello; do
    locations+="    location /ka$ka/$upstream/ { rewrite ^/ka$ka/$upstream(/.*)\$ \$1 break; include $D/fastcgi_params; fastcgi_keep_conn on; fastcgi_pass ${upstream}_ka$ka; }
"
  done
done
# The Swift peers speak HTTP: kept connections, or HTTP/1.0 with a connection each (nginx's default).
for peer in "${swift_peers[@]}"; do
  locations+="    location /on/$peer/ { rewrite ^/on/$peer(/.*)\$ \$1 break; proxy_http_version 1.1; proxy_set_header Connection \"\"; proxy_pass http://$peer; }
    location /off/$peer/ { rewrite ^/off/$peer(/.*)\$ \$1 break; proxy_pass http://$peer; }
"
done
cp /etc/nginx/fastcgi_params "$D/fastcgi_params"
cat > "$D/nginx.conf" <<CONF
worker_processes 1;
worker_rlimit_nofile 65536;
pid $D/nginx.pid;
error_log $D/logs/error.log warn;
events { worker_connections 32768; }
http {
    access_log off;
    client_body_temp_path $D/tmp/body; fastcgi_temp_path $D/tmp/fastcgi;
    proxy_temp_path $D/tmp/proxy; uwsgi_temp_path $D/tmp/uwsgi; scgi_temp_path $D/tmp/scgi;
    client_max_body_size 200m;
    upstream cpoll { server unix:$D/cpoll.sock; keepalive 64; }
    upstream php   { server unix:$D/php.sock; keepalive 64; }
    upstream go    { server unix:$D/go.sock; keepalive 64; }
    upstream base  { server unix:$D/base.sock; keepalive 64; }
    upstream hello { server unix:$D/hello.sock; keepalive 64; }
    upstream blitz { server unix:$D/blitz.sock; keepalive 64; }
    upstream traced { server unix:$D/traced.sock; keepalive 64; }
    upstream untraced { server unix:$D/untraced.sock; keepalive 64; }
    upstream cpoll_ka16 { server unix:$D/cpoll.sock; keepalive 16; }
    upstream cpoll_ka32 { server unix:$D/cpoll.sock; keepalive 32; }
    upstream hello_ka16 { server unix:$D/hello.sock; keepalive 16; }
    upstream hello_ka32 { server unix:$D/hello.sock; keepalive 32; }
    upstream fixture { server unix:$D/fixture.sock; keepalive 64; }
    upstream node  { server unix:$D/node.sock; keepalive 64; }
    upstream users-sqlite { server unix:$D/users-sqlite.sock; keepalive 64; }
    upstream users-postgres { server unix:$D/users-postgres.sock; keepalive 64; }
    upstream go-pgx { server unix:$D/go-pgx.sock; keepalive 64; }
    upstream hb-postgresnio { server unix:$D/hb-postgresnio.sock; keepalive 64; }
    upstream hb { server unix:$D/hb.sock; keepalive 64; }
    upstream vapor { server unix:$D/vapor.sock; keepalive 64; }
    server {
        listen 127.0.0.1:$port backlog=16384;
        location /io/node/ { proxy_http_version 1.1; proxy_set_header Connection ""; proxy_pass http://node; }
        location = /direct/hello { default_type application/json; return 200 '{"message":"Hello, World!"}'; }
        location = /direct/users { default_type application/json; return 201 '{"received":true}'; }
        location /fixture/ { rewrite ^/fixture(/.*)\$ \$1 break; include $D/fastcgi_params; fastcgi_keep_conn on; fastcgi_pass fixture; }
        location /users-sqlite/ { rewrite ^/users-sqlite(/.*)\$ \$1 break; include $D/fastcgi_params; fastcgi_keep_conn on; fastcgi_pass users-sqlite; }
        location /users-postgres/ { rewrite ^/users-postgres(/.*)\$ \$1 break; include $D/fastcgi_params; fastcgi_keep_conn on; fastcgi_pass users-postgres; }
        location /go-pgx/ { rewrite ^/go-pgx(/.*)\$ \$1 break; include $D/fastcgi_params; fastcgi_keep_conn on; fastcgi_pass go-pgx; }
        location /php-pdo/ { rewrite ^/php-pdo(/.*)\$ \$1 break; include $D/fastcgi_params; fastcgi_param SCRIPT_FILENAME $root/benchmarks/peers/users.php;
            fastcgi_param PDO_DSN "pgsql:host=127.0.0.1;port=${pg_port:-0};dbname=postgres"; fastcgi_keep_conn on; fastcgi_pass php; }
        location /hb-postgresnio/ { rewrite ^/hb-postgresnio(/.*)\$ \$1 break; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_pass http://hb-postgresnio; }
        location /stream/blitz/ { rewrite ^/stream/blitz(/.*)\$ \$1 break; include $D/fastcgi_params; fastcgi_request_buffering off; fastcgi_keep_conn on; fastcgi_pass blitz; }
$locations    }
}
CONF
# The HTTP peers make their sockets as the umask says: nginx's workers need to write to them.
for sock in "${swift_peers[@]}" hb-postgresnio; do
  [[ $sock == hb-postgresnio && " ${db_peers[*]} " != *" hb-postgresnio "* ]] && continue
  for _ in $(seq 100); do [[ -S $D/$sock.sock ]] && break; sleep 0.1; done
  chmod 666 "$D/$sock.sock" 2>/dev/null
done
nginx -p "$D" -c "$D/nginx.conf" -e "$D/logs/error.log" || exit 1
sleep 1

printf '{"name":"Ada Lovelace","email":"ada@example.com","tags":["math","engines"],"bio":"%s"}' \
  "$(head -c 600 /dev/zero | tr '\0' x)" > "$D/body.json"
cat > "$D/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$D/body.json"); wrk.body = f:read("*a"); f:close()
LUA

# Each GET reads one of the first 1,000 users, at random: the URL ends with /users/.
cat > "$D/read-user.lua" <<LUA
request = function() return wrk.format(nil, wrk.path .. math.random(1000)) end
LUA
# Each POST creates a new user: a new email every time, unlike any other responder's or run's.
create_user_script() { # responder
  cat > "$D/create-user-$1.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, '{"name":"Load Test","email":"load-$1-$RANDOM$RANDOM-' .. n .. '@example.com"}')
end
LUA
}

# wrk's latency figures in milliseconds.
to_ms() { awk '{v=$1; if (v ~ /us$/) printf "%.3f", v/1000; else if (v ~ /ms$/) printf "%.3f", v+0; else if (v ~ /s$/) printf "%.3f", v*1000; else print "nan"}' <<<"$1"; }

csv="$results/latest.csv"
echo "keepalive,connections,endpoint,peer,rps,p50_ms,p99_ms,errors" > "$csv"
measure() { # keep conns endpoint peer path
  local keep=$1 conns=$2 endpoint=$3 peer=$4 path=$5 script=() duration=$seconds timeout=2s
  [[ $endpoint == post || $endpoint == codable ]] && script=(-s "$D/post.lua")
  [[ $endpoint == users-get ]] && script=(-s "$D/read-user.lua")
  [[ $endpoint == users-post ]] && script=(-s "$D/create-user-$peer.lua")
  # Requests that wait are given time: a responder that queues them shows it in its latency.
  [[ $keep == io ]] && { duration=$(( seconds > 5 ? seconds : 5 )); timeout=10s; }
  local out rps p50 p99 errors
  out=$(timeout $((duration + 30)) wrk -t1 -c"$conns" -d"${duration}s" --timeout "$timeout" --latency "${script[@]}" "http://127.0.0.1:$port$path")
  rps=$(awk '/Requests\/sec/ {printf "%d", $2}' <<<"$out")
  p50=$(to_ms "$(awk '$1=="50%" {print $2}' <<<"$out")")
  p99=$(to_ms "$(awk '$1=="99%" {print $2}' <<<"$out")")
  errors=$(awk '/Non-2xx/ {n+=$NF} /Socket errors/ {gsub(",",""); n+=$4+$6+$8+$10} END {print n+0}' <<<"$out")
  echo "$keep,$conns,$endpoint,$peer,${rps:-0},$p50,$p99,$errors" >> "$csv"
}

connections=(8 64 256); keeps=(on off)
[[ $quick -eq 1 ]] && { connections=(64); keeps=(on); }
# Every CPU-bound figure once: each endpoint, nginx alone, the peers, then the app.
measure_cpu_bound() {
  for keep in "${keeps[@]}"; do
    for conns in "${connections[@]}"; do
      echo "Measuring keep-alive $keep, $conns connections..." >&2
      for endpoint in get post codable dynamic; do
        case $endpoint in
          get) measure "$keep" "$conns" get direct /direct/hello ;;
          post|codable) measure "$keep" "$conns" "$endpoint" direct /direct/users ;;
        esac
        for peer in "${peers[@]}"; do
          # The peers do not route: their dynamic figure is their plain GET. The baseline is the
          # hello example: GET and POST only. Hummingbird and Vapor decode the POSTed user as a
          # Codable struct ("codable"); the others take it as JSON values or bytes ("post").
          case $peer,$endpoint in
            base,dynamic) continue ;;
            hb,post|vapor,post) continue ;;
            hb,codable|vapor,codable) path=/$keep/$peer/users ;;
            *,codable) continue ;;
            base,post) path=/$keep/base/api/users ;;
            base,*) path=/$keep/base/api/hello ;;
            *,post) path=/$keep/$peer/users ;;
            *) path=/$keep/$peer/hello ;;
          esac
          measure "$keep" "$conns" "$endpoint" "$peer" "$path"
        done
        case $endpoint in
          get)
            measure "$keep" "$conns" get app "/$keep/hello/api/hello"
            measure "$keep" "$conns" get untraced "/$keep/untraced/api/hello"
            measure "$keep" "$conns" get traced "/$keep/traced/api/hello" ;;
          post) measure "$keep" "$conns" post app "/$keep/hello/api/users" ;;
          codable) measure "$keep" "$conns" codable app "/$keep/fixture/api/received" ;;
          dynamic) measure "$keep" "$conns" dynamic app "/$keep/blitz/api/post/abc" ;;
        esac
      done
    done
  done
}
# nginx keeping 16 or 32 idle connections for 64 clients (keep-alive "ka16", "ka32"), beside every
# connection kept ("on") and none ("off"): GET hello, the C responder and the app.
measure_kept() {
  echo "Measuring kept connections fewer than the clients..." >&2
  local keeps_measured=(ka16 ka32)
  [[ $quick -eq 1 ]] && keeps_measured+=(off)
  for keep in "${keeps_measured[@]}"; do
    measure "$keep" 64 get cpoll "/$keep/cpoll/hello"
    measure "$keep" 64 get app "/$keep/hello/api/hello"
  done
}
rounds=${ROUNDS:-$((quick == 1 ? 2 : 1))}
for round in $(seq "$rounds"); do measure_cpu_bound; measure_kept; done
# Each responder's best round, in the order first measured.
keep_best() {
  awk -F, 'NR==1 { print; next }
    { key=$1","$2","$3","$4; if (!(key in best)) { order[++n]=key; best[key]=$0; rps[key]=$5 }
      else if ($5+0 > rps[key]+0) { best[key]=$0; rps[key]=$5 } }
    END { for (i=1; i<=n; i++) print best[order[i]] }' "$csv" > "$csv.best" && mv "$csv.best" "$csv"
}
keep_best

rss() { awk -v f="$2" '$1==f {print $2}' "/proc/$1/status"; }

# The users example: a database behind every request. 1,000 users first, through the app itself
# (the peers on PostgreSQL read the same rows).
for store in "${users_stores[@]}"; do
  echo "Measuring the users example on $store..." >&2
  for n in $(seq 1000); do
    [[ $n -gt 1 ]] && echo next
    printf 'url = "http://127.0.0.1:%s/users-%s/api/users"\nheader = "Content-Type: application/json"\n' "$port" "$store"
    printf 'data = "{\\"name\\":\\"User %d\\",\\"email\\":\\"user%d@example.com\\"}"\noutput = "/dev/null"\n' "$n" "$n"
  done > "$D/seed-$store.curl"
  curl -s -K "$D/seed-$store.curl"
  create_user_script "$store"
  measure db 64 users-get "$store" "/users-$store/api/users/"
  measure db 64 users-post "$store" "/users-$store/api/users"
done
# The database peers, taking turns with the users example on PostgreSQL for ROUNDS rounds.
if [[ ${#db_peers[@]} -gt 0 ]]; then
  echo "Measuring the database peers: ${db_peers[*]}..." >&2
  for round in $(seq "$rounds"); do
    for peer in "${db_peers[@]}" postgres; do
      prefix=/$peer/users; [[ $peer == postgres ]] && prefix=/users-postgres/api/users
      measure db 64 users-get "$peer" "$prefix/"
      # Hummingbird's peer only reads.
      [[ $peer == hb-postgresnio ]] && continue
      create_user_script "$peer"
      measure db 64 users-post "$peer" "$prefix"
    done
  done
  keep_best
fi

# I/O-bound: every request waits 50 ms. The ideal is connections ÷ 50 ms.
io_connections=(256 1000)
for conns in "${io_connections[@]}"; do
  echo "Measuring requests that wait 50 ms, $conns connections..." >&2
  for peer in "${io_peers[@]}"; do
    case $peer in
      node) path=/io/node/slow ;;
      *) path=/on/$peer/slow ;;
    esac
    measure io "$conns" wait50 "$peer" "$path?ms=50"
  done
  measure io "$conns" wait50 app "/fixture/api/slow?ms=50"
done

# 10,000 requests waiting at once in one process: straight to its socket, since through nginx they
# would need 20,000 descriptors in nginx alone. Each connection sends a request that waits 1 s, and
# the next when it is answered.
echo "Measuring 10,000 requests waiting 1 s at once..." >&2
fixture_pid=$(pgrep -f "fixture-app --listen unix:$D/fixture.sock" | head -1)
curl -s -o /dev/null "http://127.0.0.1:$port/fixture/api/slow?ms=1"
many_rss_before=$(rss "$fixture_pid" VmRSS:)
many_out=$(timeout 120 "$D/bin/fastcgi-load" "$D/fixture.sock" 10000 10 /api/slow ms=1000)
many_peak=$(rss "$fixture_pid" VmHWM:)
echo "Measuring memory and CGI..." >&2
curl -s -o /dev/null "http://127.0.0.1:$port/on/hello/api/hello"
idle_rss=$(rss "$hello_pid" VmRSS:)
head -c 100000000 /dev/zero > "$D/upload.bin"
curl -s -o /dev/null "http://127.0.0.1:$port/on/blitz/api/hello"
peak_before=$(rss "$blitz_pid" VmHWM:)
upload=$(curl -s -o "$D/upload.out" -w '%{http_code} %{time_total}' -H 'Content-Type: application/octet-stream' \
  --data-binary @"$D/upload.bin" "http://127.0.0.1:$port/on/blitz/api/limited")
streamed=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -H 'Content-Type: application/octet-stream' \
  -H 'Transfer-Encoding: chunked' --data-binary @"$D/upload.bin" "http://127.0.0.1:$port/stream/blitz/api/limited")
peak_after=$(rss "$blitz_pid" VmHWM:)
rss_before=$(rss "$hello_pid" VmRSS:)
served=0
for _ in $(seq 20); do
  n=$(wrk -t1 -c64 -d2s "http://127.0.0.1:$port/on/hello/api/hello" | awk '/requests in/ {print $1}')
  served=$((served + n))
  [[ $served -ge 100000 ]] && break
done
rss_after=$(rss "$hello_pid" VmRSS:)

cgi_get=$(GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET SCRIPT_NAME=/api/hello \
  hyperfine -N --warmup 20 --runs 300 --export-json "$D/cgi-get.json" "$static_bin/hello" >/dev/null 2>&1 &&
  awk -F: '/"mean"/ {gsub(/[ ,]/,"",$2); printf "%.2f", $2*1000; exit}' "$D/cgi-get.json")
cgi_post=$(GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=POST SCRIPT_NAME=/api/users CONTENT_TYPE=application/json \
  CONTENT_LENGTH=$(wc -c < "$D/body.json") \
  hyperfine -N --warmup 20 --runs 300 --export-json "$D/cgi-post.json" "$D/bin/with-stdin $D/body.json $static_bin/hello" >/dev/null 2>&1 &&
  awk -F: '/"mean"/ {gsub(/[ ,]/,"",$2); printf "%.2f", $2*1000; exit}' "$D/cgi-post.json")
cgi_true=$(hyperfine -N --warmup 20 --runs 300 --export-json "$D/cgi-true.json" "/bin/true" >/dev/null 2>&1 &&
  awk -F: '/"mean"/ {gsub(/[ ,]/,"",$2); printf "%.2f", $2*1000; exit}' "$D/cgi-true.json")
cgi_launcher=$(hyperfine -N --warmup 20 --runs 300 --export-json "$D/cgi-launcher.json" "$D/bin/with-stdin $D/body.json /bin/true" >/dev/null 2>&1 &&
  awk -F: '/"mean"/ {gsub(/[ ,]/,"",$2); printf "%.2f", $2*1000; exit}' "$D/cgi-launcher.json")

# The worst bodies we know, through nginx to the release build: the default limits, and the limits lifted.
mkdir -p "$D/hostile"
"$traced_bin/nozzle-micro-benchmarks" --write-hostile-bodies "$D/hostile"
hostile_rows=""
for body in "$D"/hostile/*.body; do
  base=${body%.body}
  row="| $(cat "$base.name") |"
  for route in echo unlimited; do
    result=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -H "Content-Type: $(cat "$base.type")" \
      --data-binary @"$body" "http://127.0.0.1:$port/fixture/api/$route")
    row+=" ${result%% *} in $(awk -v t="${result##* }" 'BEGIN {printf "%.0f", t*1000}') ms |"
  done
  hostile_rows+="$row"$'\n'
done

micro=$("$traced_bin/nozzle-micro-benchmarks")

# The tables.
{
  echo "## End to end (nginx 1 worker, unix sockets, $workers workers each, ${seconds}s per figure, best of $rounds rounds)"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)."
  echo
  [[ -n $baseline ]] && { echo "base: the hello example built from $(git -C "$root" rev-parse --short "$baseline"), run beside this tree's."; echo; }
  echo "untraced and traced: hello's GET in one binary (benchmarks/TracedHello), without a tracer and with one recording every request's span; app ÷ traced is what tracing costs."
  echo
  echo "| keep-alive | conns | endpoint | peer | rps | p50 ms | p99 ms | errors | app ÷ peer (rps) |"
  echo "|---|---|---|---|---|---|---|---|---|"
  awk -F, 'NR>1 && $1!="io" && $1!="db" { key=$1","$2","$3; rows[NR]=$0; if ($4=="app") app[key]=$5 }
    END { for (i=2; i<=NR; i++) { if (!(i in rows)) continue; split(rows[i], f, ","); key=f[1]","f[2]","f[3];
      ratio = (f[4]=="app" || f[5]==0) ? "" : sprintf("%.2f×", app[key]/f[5]);
      printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], ratio } }' "$csv"
  echo
  echo "## Requests that wait (each waits 50 ms, then answers small JSON; default flags, PHP-FPM with $workers children)"
  echo
  echo "| conns | peer | rps | p50 ms | p99 ms | errors | app ÷ peer (rps) |"
  echo "|---|---|---|---|---|---|---|"
  awk -F, 'NR==FNR { if ($1=="io" && $4=="app") app[$2]=$5; next }
    $1=="io" { ratio = ($4=="app" || $5==0) ? "" : sprintf("%.2f×", app[$2]/$5);
      printf "| %s | %s | %s | %s | %s | %s | %s |\n", $2, $4, $5, $6, $7, $8, ratio }' "$csv" "$csv"
  echo
  echo "## The users example: a database behind each request (64 connections, keep-alive)"
  echo
  echo "GET /api/users/ID reads one row (one of 1,000, at random); POST /api/users inserts one (a new email each time) and answers 201. sqlite and postgres are the users example on each store; go-pgx, php-pdo and hb-postgresnio are peers on the same PostgreSQL table (benchmarks/peers/users.go and users.php, and swift-peers' hb-db-peer), best of $rounds rounds taking turns with the example."
  echo
  echo "| request | responder | rps | p50 ms | p99 ms | errors | postgres ÷ peer (rps) |"
  echo "|---|---|---|---|---|---|---|"
  awk -F, 'NR==FNR { if ($1=="db" && $4=="postgres") app[$3]=$5; next }
    $1=="db" { ratio = ($4=="postgres" || $4=="sqlite" || $5==0 || !($3 in app)) ? "" : sprintf("%.2f×", app[$3]/$5);
      printf "| %s | %s | %s | %s | %s | %s | %s |\n", ($3=="users-get" ? "GET /api/users/ID" : "POST /api/users"), $4, $5, $6, $7, $8, ratio }' "$csv" "$csv"
  echo
  echo "10,000 connections to one app process (benchmarks/peers/fastcgi-load.c), each request waiting 1 s, for 10 s: ${many_out:-no result}; app RSS ${many_rss_before} kB before, peak ${many_peak} kB (+$(( (many_peak - many_rss_before) / 1024 )) MB)."
  echo
  echo "## CGI, one request per process (fully static binary, hyperfine mean)"
  echo
  echo "| request | ms |"
  echo "|---|---|"
  echo "| GET /api/hello | ${cgi_get:-n/a} |"
  echo "| POST /api/users, 700-byte JSON (through a launcher that sets stdin) | ${cgi_post:-n/a} |"
  echo "| for scale: /bin/true | ${cgi_true:-n/a} |"
  echo "| for scale: the stdin launcher running /bin/true | ${cgi_launcher:-n/a} |"
  echo
  echo "## Memory"
  echo
  echo "| measure | figure |"
  echo "|---|---|"
  echo "| idle worker RSS (hello) | $((idle_rss / 1024)) MB |"
  echo "| 100 MB upload to a 500kb route, nginx buffering it first | status ${upload%% *} in ${upload##* } s |"
  echo "| the same, chunked through fastcgi_request_buffering off | status ${streamed%% *} in ${streamed##* } s |"
  echo "| peak RSS of the app across both uploads | ${peak_before} kB → ${peak_after} kB (+$((peak_after - peak_before)) kB) |"
  echo "| RSS before and after $served requests | ${rss_before} kB → ${rss_after} kB |"
  echo
  echo "## Worst-case bodies through nginx (release; one request each)"
  echo
  echo "| body | default limits | limits lifted, parsed whole |"
  echo "|---|---|---|"
  printf '%s' "$hostile_rows"
  echo
  echo "## Micro-benchmarks of the core"
  echo
  echo "$micro"
} | tee "$results/latest.md"
