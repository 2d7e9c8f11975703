#!/usr/bin/env bash
# The demo: builds Signet, starts the moderation queue with a demo database
# on 127.0.0.1 (a demo admin whose password is printed, a few pending posts,
# the starter tips approved) and opens a 1280x720 kiosk window that shows
# the demo screen's signed feed.
#
# The kiosk fetches the demo screen's feed from the queue over HTTP (long
# poll, so an approval or a revocation shows within about a second), sends
# status reports with the screen's token, and keeps the last accepted feed
# in build/demo/kiosk-state for a start without the queue.
# Extra arguments go to signet-kiosk, e.g. --fullscreen or --rotate 90.
# SIGNET_DEMO_PORT picks the queue's port (default 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
port=${SIGNET_DEMO_PORT:-8080}

toolchain/deps.sh host
cmake -S "$root" -B build/native -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/native -j "$(nproc)" --target signet signet-kiosk signet-queue

demo=build/demo
data=$demo/queue
queue=build/native/server/signet-queue
mkdir -p "$demo/kiosk-state"
if [ ! -f "$data/signing.key" ]; then
  # The password is kept (0600) so that every run of the demo can print it.
  (umask 077 && head -c 10 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$demo/admin-password")
  "$queue" init --data "$data" --admin admin --password-stdin \
    --clinic "Hausarztpraxis am Markt" <"$demo/admin-password" >/dev/null
  (umask 077 && "$queue" screen add --data "$data" --id demo --name "Demo-Wartezimmer" \
    --group praxis --location "Erdgeschoss" >"$demo/screen.token")
  "$queue" import --data "$data" --as admin --approve-as admin assets/demo/tips.json
  "$queue" import --data "$data" --as admin assets/demo/posts.json
  echo "demo: created a DEMO queue in $data (its signing key is for this demo only)"
fi

if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [[ " $* " != *" --headless "* ]]; then
  echo "demo: no display found (DISPLAY and WAYLAND_DISPLAY are unset)." >&2
  echo "demo: run it in a desktop session, or try: toolchain/demo.sh --headless --exit-after 5 --screenshot demo.png" >&2
  exit 1
fi

rm -f "$demo/queue.port"
"$queue" serve --data "$data" --listen "127.0.0.1:$port" --port-file "$demo/queue.port" \
  2>"$demo/queue.log" &
queue_pid=$!
trap 'kill "$queue_pid" 2>/dev/null || true; wait "$queue_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  [ -s "$demo/queue.port" ] && break
  if ! kill -0 "$queue_pid" 2>/dev/null; then
    cat "$demo/queue.log" >&2
    echo "demo: the queue did not start (is port $port in use? set SIGNET_DEMO_PORT)" >&2
    exit 1
  fi
  sleep 0.1
done
if [ ! -s "$demo/queue.port" ]; then
  echo "demo: the queue did not start within 10 s; see $demo/queue.log" >&2
  exit 1
fi

echo
echo "  Staff page:  http://127.0.0.1:$port/"
echo "  Sign in as:  admin"
echo "  Password:    $(cat "$demo/admin-password")"
echo "  Approve a pending post there and watch it appear in the kiosk window."
echo
echo "demo: starting the kiosk (close the window or press Ctrl+C to stop)"
build/native/app/signet-kiosk --queue "http://127.0.0.1:$port" --token-file "$demo/screen.token" \
  --trust "$data/signing.pub" --screen demo --group praxis --state-dir "$demo/kiosk-state" \
  --play-log "$demo/play.log" --size 1280x720 --dwell-min 6000 --dwell-max 12000 "$@"
