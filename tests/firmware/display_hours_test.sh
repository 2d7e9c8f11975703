#!/usr/bin/env bash
# Tests firmware/signet-display-hours with a fake "now": the on/off decision
# for day hours and hours across midnight, a simulated day through the fake
# backend (acts only on a change), and the system backend through stub
# systemctl, cec-ctl and cec-client with a fake /sys and /dev.
# Usage: display_hours_test.sh FIRMWARE_DIR WORK_DIR
set -euo pipefail
hours=$1/signet-display-hours work=$2
rm -rf "$work"
mkdir -p "$work"
cd "$work"
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

printf '# test\ndisplay_on=07:00\ndisplay_off=19:00\n' >day.conf
printf 'display_on=22:00\r\ndisplay_off=06:00\r\n' >night.conf # CRLF too

# decide CONF NOW WANT
decide() {
  local got rc=0
  got=$("$hours" --config "$1" --now "$2" --decide 2>&1) || rc=$?
  if [ "$rc" -ne 0 ] || [ "$got" != "$3" ]; then fail "$1 at $2: got \"$got\" (exit $rc), want $3"; fi
}
for case in 00:00=off 06:59=off 07:00=on 07:01=on 12:00=on 18:59=on 19:00=off 23:59=off; do
  decide day.conf "${case%=*}" "${case#*=}"
done
for case in 21:59=off 22:00=on 23:30=on 23:59=on 00:00=on 03:00=on 05:59=on 06:00=off 12:00=off; do
  decide night.conf "${case%=*}" "${case#*=}"
done
decide day.conf "2026-11-23 06:30" off
decide day.conf "2026-11-23T07:30" on
# No hours: always on. A clock that was never set: on.
decide missing.conf 03:00 on
decide day.conf "1970-01-01 03:00" on

# A broken file keeps the screen on and says why (exit 2).
for bad in 'display_on=7:00\ndisplay_off=19:00' 'display_on=07:00' 'display_on=07:00\ndisplay_off=07:00' \
  'display_on=07:00\ndisplay_off=19:00\ndisplay_on=08:00' 'colour=blue\ndisplay_on=07:00\ndisplay_off=19:00'; do
  printf '%b\n' "$bad" >bad.conf
  rc=0
  got=$("$hours" --config bad.conf --now 03:00 --decide 2>/dev/null) || rc=$?
  if [ "$rc" -ne 2 ] || [ "$got" != on ]; then fail "broken hours '$bad': got \"$got\" (exit $rc), want on (exit 2)"; fi
done
rc=0
"$hours" --config day.conf --now 25:00 --decide >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "--now 25:00: exit $rc, want 2"
rc=0
"$hours" --backend fake --now 12:00 >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "fake backend without --fake-log: exit $rc, want 2"

# A simulated day and night through the fake backend: what it was told, and
# only on a change. The first run (no state yet, as after a boot) applies.
# run CONF NOW [ARGS...]
run() { "$hours" --config "$1" --now "$2" --backend fake --fake-log told --state state "${@:3}" >/dev/null; }
rm -f told state
for t in 06:58 06:59 07:00 07:01 12:00 18:59 19:00 19:01 23:59 00:00 06:59 07:00; do run day.conf "$t"; done
[ "$(tr '\n' ' ' <told)" = "off on off on " ] || fail "day: the backend was told: $(tr '\n' ' ' <told)"
rm -f told state
for t in 12:00 21:59 22:00 23:59 00:00 00:01 05:59 06:00 06:01 21:59 22:00; do run night.conf "$t"; done
[ "$(tr '\n' ' ' <told)" = "off on off on " ] || fail "night: the backend was told: $(tr '\n' ' ' <told)"
: >told
run night.conf 23:00
run night.conf 23:00 --force
[ "$(tr '\n' ' ' <told)" = "on " ] || fail "--force: the backend was told: $(tr '\n' ' ' <told)"
# Display hours removed (a new signet.txt without them): the screen comes on.
: >told
run day.conf 20:00
run missing.conf 20:00
[ "$(tr '\n' ' ' <told)" = "off on " ] || fail "hours removed: the backend was told: $(tr '\n' ' ' <told)"

# The system backend, with stubs recording their calls.
mkdir -p stubs sys/class/graphics/fb0 sys/class/graphics/fb1 dev
: >sys/class/graphics/fb0/blank
: >sys/class/graphics/fb1/blank
: >dev/cec0
for c in systemctl cec-ctl; do
  printf '#!/bin/sh\necho "%s $*" >>"%s/calls"\n' "$c" "$work" >"stubs/$c"
  chmod +x "stubs/$c"
done
sysrun() {
  PATH=$work/stubs:$PATH "$hours" --config day.conf --now "$1" --state sysstate \
    --sysfs "$work/sys" --dev "$work/dev" >/dev/null
}
rm -f calls sysstate
sysrun 20:00
want="cec-ctl -d $work/dev/cec0 --skip-info --playback;cec-ctl -d $work/dev/cec0 --skip-info --to 0 --standby;"
[ "$(head -n 1 calls)" = "systemctl stop signet-kiosk.service" ] || fail "off: first call $(head -n 1 calls)"
[ "$(tail -n +2 calls | tr '\n' ';')" = "$want" ] || fail "off: CEC calls $(tr '\n' ';' <calls)"
if [ "$(cat sys/class/graphics/fb0/blank)" != 4 ] || [ "$(cat sys/class/graphics/fb1/blank)" != 4 ]; then
  fail "off: framebuffers not powered down"
fi
rm -f calls
sysrun 08:00
want="cec-ctl -d $work/dev/cec0 --skip-info --playback;cec-ctl -d $work/dev/cec0 --skip-info --to 0 --image-view-on;systemctl start signet-kiosk.service;"
[ "$(tr '\n' ';' <calls)" = "$want" ] || fail "on: calls $(tr '\n' ';' <calls)"
[ "$(cat sys/class/graphics/fb0/blank)" = 0 ] || fail "on: framebuffer still blank"
rm -f calls
sysrun 08:01
[ ! -e calls ] || fail "no change, yet calls: $(cat calls)"
# cec-client when cec-ctl is missing; no CEC tool at all is fine too.
rm stubs/cec-ctl
# shellcheck disable=SC2016 # $* and $(cat) belong to the stub
printf '#!/bin/sh\necho "cec-client $* <$(cat)" >>"%s/calls"\n' "$work" >stubs/cec-client
chmod +x stubs/cec-client
sysrun 20:00
grep -qx "cec-client -s -d 1 <standby 0" calls || fail "cec-client standby: $(tr '\n' ';' <calls)"
rm stubs/cec-client calls
sysrun 08:00
[ "$(cat calls)" = "systemctl start signet-kiosk.service" ] || fail "no CEC tool: $(tr '\n' ';' <calls)"
# A failing systemctl is an error (exit 2) and the state is not recorded.
printf '#!/bin/sh\nexit 1\n' >stubs/systemctl
rc=0
sysrun 20:00 2>/dev/null || rc=$?
[ "$rc" -eq 2 ] || fail "failing systemctl: exit $rc, want 2"
[ "$(cat sysstate)" = on ] || fail "failing systemctl: state says $(cat sysstate)"

if [ "$failures" -gt 0 ]; then
  echo "$failures failure(s)" >&2
  exit 1
fi
echo "display-hours: all checks passed"
