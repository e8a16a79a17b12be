#!/usr/bin/env bash
# Where a hello request's time goes: the hello example's GET /api/hello beside the C libfcgi epoll
# responder (benchmarks/peers/epoll-responder.c), both behind one nginx (1 worker, unix sockets, every
# connection kept), in three measures:
#
#   cpu        each responder's CPU per request, user and kernel (/proc/PID/stat), with WORKERS
#              threads under wrk at 64 connections for SECONDS
#   syscalls   its system calls and context switches per request in a second run right after (perf
#              stat on the syscall tracepoints, which cost the traced process CPU of their own; left
#              out when perf is missing or may not trace)
#   callgrind  its instructions per request in user space, by part, and the calls per request that
#              allocate (malloc), hand a job to an executor (swift_task_enqueue) or switch tasks,
#              with one worker thread under valgrind's callgrind, REQUESTS requests at 8 connections
#              after a warm-up (the counters are zeroed between)
#
# Instructions are a proxy for time: the account in the README scales each part's share of the
# instructions to the user CPU the first measure found. valgrind does not offer the x86 SHA
# extensions to the program it runs, so under callgrind the entity tag's SHA-1 takes the Swift block
# function (about 2,000 instructions per 64 bytes) where a real run uses the extensions.
#
# Usage: benchmarks/profile.sh [SECONDS] [REQUESTS]   (defaults 5 and 20000; env WORKERS, default 4)
# Needs: nginx, wrk, gcc, libfcgi-dev, valgrind; perf for the syscall counts. Writes
# benchmarks/results/profile.md and prints it.
set -uo pipefail
seconds=${1:-5}
requests=${2:-20000}
workers=${WORKERS:-4}
root=$(cd "$(dirname "$0")/.." && pwd)
results="$root/benchmarks/results"
mkdir -p "$results"
for tool in wrk gcc valgrind; do
  command -v "$tool" >/dev/null || { [[ $(id -u) -eq 0 ]] && apt-get install -y -qq "$tool" >/dev/null; }
  command -v "$tool" >/dev/null || { echo "profile.sh needs $tool" >&2; exit 2; }
done
[[ -f /usr/include/fcgiapp.h ]] || { [[ $(id -u) -eq 0 ]] && apt-get install -y -qq libfcgi-dev >/dev/null; }

echo "Building hello in release..." >&2
swift build --package-path "$root" -c release --product hello >&2 || exit 1
bin=$(swift build --package-path "$root" -c release --show-bin-path)

D=$(mktemp -d "${TMPDIR:-/tmp}/nozzle-profile.XXXXXX")
chmod 755 "$D"
mkdir -p "$D/logs" "$D/tmp"
pids=()
cleanup() {
  nginx -p "$D" -c "$D/nginx.conf" -s stop 2>/dev/null
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  sleep 0.3
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null; done
  rm -rf "$D"
}
trap cleanup EXIT
gcc -O2 -g -o "$D/epoll-responder" "$root/benchmarks/peers/epoll-responder.c" -lfcgi -lpthread || exit 1

port=${PORT:-18490}
cp /etc/nginx/fastcgi_params "$D/fastcgi_params"
cat > "$D/nginx.conf" <<CONF
worker_processes 1;
pid $D/nginx.pid;
error_log $D/logs/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $D/tmp/body; fastcgi_temp_path $D/tmp/fastcgi;
    proxy_temp_path $D/tmp/proxy; uwsgi_temp_path $D/tmp/uwsgi; scgi_temp_path $D/tmp/scgi;
    upstream cpoll { server unix:$D/cpoll.sock; keepalive 64; }
    upstream app   { server unix:$D/app.sock; keepalive 64; }
    server {
        listen 127.0.0.1:$port;
        location /cpoll/ { rewrite ^/cpoll(/.*)\$ \$1 break; include $D/fastcgi_params; fastcgi_keep_conn on; fastcgi_pass cpoll; }
        location /app/ { rewrite ^/app(/.*)\$ \$1 break; include $D/fastcgi_params; fastcgi_keep_conn on; fastcgi_pass app; }
    }
}
CONF
nginx -p "$D" -c "$D/nginx.conf" -e "$D/logs/error.log" || exit 1

# Starts a responder on $D/NAME.sock (the C one through spawn-fcgi), its command after the name, and
# waits for its socket; its PID in $pid.
start() { # name command...
  local name=$1; shift
  rm -f "$D/$name.sock"
  if [[ $name == cpoll ]]; then
    spawn-fcgi -n -s "$D/$name.sock" -M 0666 -- "$@" >"$D/logs/$name.log" 2>&1 &
  else
    "$@" >"$D/logs/$name.log" 2>&1 &
  fi
  pid=$!
  pids+=("$pid")
  for _ in $(seq 300); do [[ -S $D/$name.sock ]] && break; sleep 0.1; done
}
# libfcgi's responder does not end on SIGTERM while its threads wait in accept: SIGKILL after 2 s.
stop() {
  kill "$1" 2>/dev/null
  for _ in $(seq 20); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$1" 2>/dev/null
  wait "$1" 2>/dev/null
}
path_of() { [[ $1 == cpoll ]] && echo /cpoll/hello || echo /app/api/hello; }
ticks=$(getconf CLK_TCK)

# CPU and system calls per request, at full load.
perf_ok=0
command -v perf >/dev/null && perf stat -e raw_syscalls:sys_enter -- true >/dev/null 2>&1 && perf_ok=1
declare -A cpu_user cpu_sys rps syscalls switches
events=raw_syscalls:sys_enter,context-switches,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_read,syscalls:sys_enter_readv,syscalls:sys_enter_write,syscalls:sys_enter_writev,syscalls:sys_enter_futex
for who in cpoll app; do
  echo "Measuring $who's CPU per request..." >&2
  if [[ $who == cpoll ]]; then
    start cpoll "$D/epoll-responder" "$workers"
  else
    start app "$bin/hello" --listen "unix:$D/app.sock" --socket-mode 0666 --workers "$workers"
  fi
  path=$(path_of "$who")
  wrk -t1 -c64 -d1s "http://127.0.0.1:$port$path" >/dev/null
  # CPU with nothing attached: tracing each system call, as perf stat does below, costs the traced
  # process kernel time of its own, more for one that makes more calls.
  before=$(awk '{print $14, $15}' "/proc/$pid/stat")
  out=$(wrk -t1 -c64 -d"${seconds}s" "http://127.0.0.1:$port$path")
  after=$(awk '{print $14, $15}' "/proc/$pid/stat")
  served=$(awk '/requests in/ {print $1}' <<<"$out")
  if [[ $perf_ok -eq 1 ]]; then
    perf stat -x, -e "$events" -p "$pid" -o "$D/perf-$who.csv" -- sleep $((seconds + 1)) & perf_pid=$!
    traced=$(wrk -t1 -c64 -d"${seconds}s" "http://127.0.0.1:$port$path" | awk '/requests in/ {print $1}')
    wait "$perf_pid"
  fi
  rps[$who]=$(awk '/Requests\/sec/ {printf "%d", $2}' <<<"$out")
  read -r u0 s0 <<<"$before"; read -r u1 s1 <<<"$after"
  cpu_user[$who]=$(awk -v t=$((u1 - u0)) -v n="$served" -v hz="$ticks" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')
  cpu_sys[$who]=$(awk -v t=$((s1 - s0)) -v n="$served" -v hz="$ticks" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')
  if [[ $perf_ok -eq 1 ]]; then
    # perf counted for a second longer than wrk ran; the responder was idle then.
    syscalls[$who]=$(awk -F, -v n="$traced" '{ gsub(/^syscalls:sys_enter_/, "", $3); if ($3 == "raw_syscalls:sys_enter") $3 = "all";
      if ($1 ~ /^[0-9]+$/) printf "%s %.2f, ", $3, $1 / n }' "$D/perf-$who.csv" | sed 's/, $//')
  fi
  stop "$pid"
done

# Instructions per request in user space, one worker thread under callgrind.
declare -A instructions account dumps
for who in cpoll app; do
  echo "Measuring $who under callgrind ($requests requests)..." >&2
  out_file="$D/callgrind-$who.out"
  # spawn-fcgi runs its program without searching PATH.
  grind=("$(command -v valgrind)" --tool=callgrind --callgrind-out-file="$out_file" --dump-instr=no)
  if [[ $who == cpoll ]]; then
    start cpoll "${grind[@]}" "$D/epoll-responder" 1
  else
    start app "${grind[@]}" "$bin/hello" --listen "unix:$D/app.sock" --socket-mode 0666 --workers 1
  fi
  path=$(path_of "$who")
  # Warm up, then count from zero for exactly $requests answers.
  wrk -t1 -c8 -d3s "http://127.0.0.1:$port$path" >/dev/null
  callgrind_control -z "$pid" >/dev/null 2>&1 || { echo "callgrind_control could not reach $who" >&2; exit 1; }
  # Eight clients, each sending its share one after another on a kept connection.
  for i in $(seq $((requests / 8))); do
    [[ $i -gt 1 ]] && echo next
    printf 'url = "http://127.0.0.1:%s%s"\noutput = "/dev/null"\n' "$port" "$path"
  done > "$D/share.curl"
  clients=()
  for _ in $(seq 8); do curl -s -K "$D/share.curl" & clients+=($!); done
  wait "${clients[@]}"
  callgrind_control -d "$pid" >/dev/null 2>&1
  stop "$pid"
  dump=$(ls -t "$out_file"* | grep -v "^$out_file$" | head -1)
  [[ -n $dump ]] || dump=$out_file
  dumps[$who]=$dump
  # Self cost of every function: "IR<tab>file:function [object]", as callgrind_annotate lists it.
  # It lists a thread's entry functions (clone, start_thread, the worker loop's closure) with the
  # thread's whole cost, so any line over half the total is left out: no function's own cost is.
  callgrind_annotate --threshold=100 --inclusive=no "$dump" 2>/dev/null > "$D/self-$who.txt"
  total=$(awk '/PROGRAM TOTALS/ { v = $1; gsub(",", "", v); print v }' "$D/self-$who.txt")
  sed -n '/file:function/,/Auto-annotated/p' "$D/self-$who.txt" |
    awk -v total="$total" '/^ *[0-9,]+ +\(/ { v = $1; gsub(",", "", v); if (v + 0 > total / 2) next
      sub(/^ *[0-9,]+ +\( *[0-9.]+%\) +/, ""); print v "\t" $0 }' > "$D/self-$who.tsv"
  instructions[$who]=$(awk -v t="$total" -v n="$requests" 'BEGIN {printf "%.0f", t / n}')
  # Parts, by the function's name and the object it is in (Swift's mangled names carry their module).
  account[$who]=$(awk -F'\t' -v n="$requests" '
    { f = $2; part = "other" }
    f ~ /libc\.so/ { part = "libc: other" }
    f ~ /libc\.so/ && f ~ /malloc|free|tcache|unlink_chunk|realloc|calloc|memalign/ { part = "allocator (malloc, free)" }
    f ~ /libc\.so/ && f ~ /mem(cpy|move|set|cmp|chr)|str(len|chr|cmp)/ { part = "memory copies and compares (libc)" }
    f ~ /libc\.so/ && f ~ /pthread|lll_|futex|sem_/ { part = "locks (libc)" }
    f ~ /libc\.so/ && f ~ /:(__GI_)?_*(libc_)?(epoll_wait|epoll_ctl|read|readv|write|writev|accept4|close|syscall|sendmsg|recvmsg) / { part = "system call wrappers (libc)" }
    f ~ /ld-linux/ { part = "thread-local lookups (ld.so)" }
    f ~ /libswiftCore\.so/ { part = "Swift standard library (strings, arrays)" }
    f ~ /libswiftCore\.so/ && f ~ /swift_(retain|release|bridgeObject|unknownObject|nonatomic|isUniquelyReferenced|tryRetain|arrayDestroy)|RefCounts|HeapObjectSideTable/ { part = "reference counting (Swift runtime)" }
    f ~ /libswiftCore\.so/ && f ~ /swift_(allocObject|deallocObject|slowAlloc|slowDealloc|allocBox|deallocClassInstance|deallocUninitialized|allocEmptyBox)/ { part = "object allocation (Swift runtime)" }
    f ~ /libswiftCore\.so/ && f ~ /swift_(beginAccess|endAccess)|AccessSet|SwiftTLSContext/ { part = "exclusivity checks (Swift runtime)" }
    f ~ /libswiftCore\.so/ && f ~ /swift_(getGenericMetadata|conformsTo|dynamicCast|checkMetadataState)|Metadata/ && part == "Swift standard library (strings, arrays)" { part = "metadata and casts (Swift runtime)" }
    f ~ /libswift_Concurrency\.so/ { part = "tasks and executors (Swift runtime)" }
    f ~ /libswiftSynchronization|libswift_Synchronization/ { part = "locks (Swift Synchronization)" }
    f ~ /libdispatch\.so/ { part = "Dispatch" }
    f ~ /libfcgi\.so/ { part = "libfcgi" }
    f ~ /epoll-responder/ { part = "the responder" }
    f !~ /\.so/ && f ~ /\$s6Nozzle/ { part = "Nozzle core (request, routing, response)" }
    f !~ /\.so/ && f ~ /\$s13NozzleFastCGI/ { part = "Nozzle host (FastCGI, threads, executor)" }
    f !~ /\.so/ && f ~ /\$s5hello/ { part = "the app" }
    f !~ /\.so/ && part == "other" && f ~ /\$s(s|S)/ { part = "standard library code built into the app" }
    f !~ /\.so/ && part == "other" && f ~ /shim\.h|nozzle_/ { part = "Nozzle host (FastCGI, threads, executor)" }
    { cost[part] += $1 }
    END { for (p in cost) printf "%s\t%.0f\n", p, cost[p] / n }' "$D/self-$who.tsv" | sort -t$'\t' -k2,2nr)
done

# Calls per request, from the dump's call records: the sum of "calls=N" lines into each function.
calls_per_request() { # dump function
  awk -v fn="$2" '
    /^fn=/ { }
    /^c?fn=\([0-9]+\)/ { match($0, /\([0-9]+\)/); id = substr($0, RSTART, RLENGTH); rest = substr($0, RSTART + RLENGTH); sub(/^ /, "", rest); if (rest != "") name[id] = rest }
    /^cfn=/ { match($0, /\([0-9]+\)/); target = substr($0, RSTART, RLENGTH) }
    /^calls=/ { split(substr($0, 7), c, " "); count[target] += c[1] }
    END { for (id in name) if (name[id] == fn) total += count[id]; print total + 0 }' "$1"
}

{
  echo "## Where a hello request goes ($(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(uname -r))"
  echo
  echo "GET /api/hello through nginx (1 worker, unix socket, keep-alive) to the hello example, beside the C libfcgi epoll responder's GET; $workers threads each, wrk at 64 connections for ${seconds}s."
  echo
  echo "| measure | C responder | Nozzle |"
  echo "|---|---|---|"
  echo "| requests per second | ${rps[cpoll]} | ${rps[app]} |"
  echo "| user CPU per request | ${cpu_user[cpoll]} µs | ${cpu_user[app]} µs |"
  echo "| kernel CPU per request | ${cpu_sys[cpoll]} µs | ${cpu_sys[app]} µs |"
  [[ $perf_ok -eq 1 ]] && echo "| system calls per request (all, then by kind) | ${syscalls[cpoll]} | ${syscalls[app]} |"
  echo "| instructions per request in user space (callgrind, 1 thread) | ${instructions[cpoll]} | ${instructions[app]} |"
  for fn in malloc swift_allocObject swift_task_enqueue swift_task_switch swift_continuation_resume; do
    c=$(calls_per_request "${dumps[cpoll]}" "$fn")
    a=$(calls_per_request "${dumps[app]}" "$fn")
    echo "| calls to $fn per request | $(awk -v c="$c" -v n="$requests" 'BEGIN {printf "%.1f", c / n}') | $(awk -v c="$a" -v n="$requests" 'BEGIN {printf "%.1f", c / n}') |"
  done
  for who in cpoll app; do
    echo
    echo "### $([[ $who == cpoll ]] && echo "The C responder" || echo "Nozzle"): instructions per request by part, and the user CPU each share comes to"
    echo
    echo "| part | instructions | share | ≈ µs of user CPU |"
    echo "|---|---|---|---|"
    awk -F'\t' -v total="${instructions[$who]}" -v us="${cpu_user[$who]}" '{ printf "| %s | %d | %.0f%% | %.2f |\n", $1, $2, 100 * $2 / total, us * $2 / total }' <<<"${account[$who]}"
  done
} | tee "$results/profile.md"
