#!/usr/bin/env bash
# The demo: builds Signet and opens a 1280x720 kiosk window that plays the
# demo health tips from assets/demo, signed on first run with a locally
# generated DEMO key (build/demo/demo.key; not for real screens).
# Extra arguments go to signet-kiosk, e.g. --fullscreen or --rotate 90.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

toolchain/deps.sh host
cmake -S "$root" -B build/native -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/native -j "$(nproc)" --target signet signet-kiosk

demo=build/demo
mkdir -p "$demo/state" "$demo/media"
if [ ! -f "$demo/demo.key" ]; then
  build/native/app/signet keygen --secret "$demo/demo.key" --public "$demo/demo.pub" >/dev/null
  echo "demo: generated a DEMO signing key in $demo/demo.key (for this demo only)"
fi
echo "demo: signing the demo tips with the DEMO key $demo/demo.pub"

# Approvals run from now for 30 days; the version is the current time so a
# re-run always publishes a newer feed than the one the demo state accepted.
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
expires=$(date -u -d '+30 days' +%Y-%m-%dT%H:%M:%SZ)
sed -e "s/@NOW@/$now/g" -e "s/@EXPIRES@/$expires/g" -e "s/@VERSION@/$(date +%s)/" \
  assets/demo/feed.template.json >"$demo/payload.json"
build/native/app/signet sign --key "$demo/demo.key" --out "$demo/feed.json" "$demo/payload.json"

if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [[ " $* " != *" --headless "* ]]; then
  echo "demo: no display found (DISPLAY and WAYLAND_DISPLAY are unset)." >&2
  echo "demo: run it in a desktop session, or try: toolchain/demo.sh --headless --exit-after 5 --screenshot demo.png" >&2
  exit 1
fi
echo "demo: starting the kiosk (close the window or press Ctrl+C to stop)"
exec build/native/app/signet-kiosk --feed-file "$demo/feed.json" --trust "$demo/demo.pub" \
  --screen demo --state-dir "$demo/state" --play-log "$demo/play.log" --size 1280x720 \
  --dwell-min 6000 --dwell-max 12000 "$@"
