#!/usr/bin/env bash
# Queue benchmark (figures, not a test; README.md here):
#  1. conditional feed GETs answered 304 per second, signet-queue and nginx
#     serving the same feed file, side by side with wrk on loopback;
#  2. N (default 2,000) screens long-polling at once: the server's RSS while
#     it holds them, and the time from one approve call until every screen
#     has its new feed.
# usage: tests/bench/bench_queue.sh [BUILD_DIR] [N_SCREENS]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build/native}
n=${2:-2000}
duration=${BENCH_DURATION:-10}
connections=${BENCH_CONNECTIONS:-50}
queue=$build/server/signet-queue
for tool in wrk nginx node curl; do
  command -v "$tool" >/dev/null || { echo "bench: $tool not found (toolchain/deps.sh test)" >&2; exit 1; }
done
# Every held poll is a socket on both ends.
ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -gt $((2 * n + 200)) ] || { echo "bench: open-file limit too low for $n screens" >&2; exit 1; }

work=$(mktemp -d)
pids=()
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

printf 'bench-admin-password\n' >"$work/password"
"$queue" init --data "$work/data" --password-stdin <"$work/password" >/dev/null
"$queue" screen add --data "$work/data" --id bench-wrk --name "wrk" >/dev/null
"$queue" import --data "$work/data" --as admin --approve-as admin assets/demo/tips.json >/dev/null
# nginx serves the same feed from a `publish` folder (written once: the
# 304 comparison needs no updates, and the long-poll figures should measure
# the server, not 2,000 fsync'd file writes of --publish-dir).
"$queue" publish --data "$work/data" --out "$work/pub" >/dev/null
"$queue" serve --data "$work/data" --listen 127.0.0.1:0 --port-file "$work/port" \
  --per-ip-limit $((n + 200)) --max-connections $((n + 500)) \
  2>"$work/queue.log" &
queue_pid=$!
pids+=("$queue_pid")
for _ in $(seq 1 100); do [ -s "$work/port" ] && break; sleep 0.1; done
qport=$(cat "$work/port")
qbase=http://127.0.0.1:$qport

# nginx serving the queue's published folder.
mkdir -p "$work/nginx"
nport=$((qport + 1))
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server { listen 127.0.0.1:$nport; root $work/pub; default_type application/json; }
}
CONF
user_directive=()
[ "$(id -u)" -eq 0 ] && user_directive=(-g "user root;")
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" "${user_directive[@]}" &
pids+=("$!")
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$nport/" && break; sleep 0.1; done

feed_path=/v1/screens/bench-wrk/feed
qetag=$(curl -s -D - -o /dev/null "$qbase$feed_path" | tr -d '\r' | sed -n 's/^[Ee][Tt]ag: //p')
netag=$(curl -s -D - -o /dev/null "http://127.0.0.1:$nport$feed_path" | tr -d '\r' | sed -n 's/^[Ee][Tt]ag: //p')
qcode=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $qetag" "$qbase$feed_path")
ncode=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $netag" "http://127.0.0.1:$nport$feed_path")
echo "conditional GET check: queue $qcode, nginx $ncode (both must be 304)"

run_wrk() { # NAME URL ETAG
  local out
  out=$(wrk -t2 -c"$connections" -d"${duration}s" -H "If-None-Match: $3" "$2")
  printf '%s\n' "$out" | sed "s/^/  [$1] /"
  printf '%s\n' "$out" | awk '/Requests\/sec/ {print $2}'
}
echo "wrk: 2 threads, $connections connections, ${duration}s each, If-None-Match of the current version"
qrate=$(run_wrk queue "$qbase$feed_path" "$qetag" | tee /dev/stderr | tail -1)
nrate=$(run_wrk nginx "http://127.0.0.1:$nport$feed_path" "$netag" | tee /dev/stderr | tail -1)
echo "RESULT feed_304_per_s queue $qrate nginx $nrate ratio $(awk -v a="$qrate" -v b="$nrate" 'BEGIN {printf "%.2f", a / b}')"

echo "long polls: registering $n screens"
node tests/bench/register_screens.mjs "$qbase" "$work/password" "$n"
status=0
if [ -n "${BENCH_PERF:-}" ]; then
  perf record -o "$BENCH_PERF" -p "$queue_pid" -- sleep 25 >/dev/null 2>&1 &
fi
node tests/bench/longpoll.mjs "$qbase" "$work/password" "$queue_pid" "$n" || status=$?
# The server's own account of the rounds that signed the new versions.
grep 'event=publish-round' "$work/queue.log" | tail -2 | sed 's/^/server: /'
exit "$status"
