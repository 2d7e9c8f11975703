#!/usr/bin/env bash
# The kiosk under systemd's notification protocol: READY=1 once its first
# frame is up, then WATCHDOG=1 about every half WatchdogSec (here 1 s, so
# every 500 ms), and nothing at all without $NOTIFY_SOCKET.
# usage: kiosk_notify.sh SIGNET SIGNET_KIOSK NOTIFY_LISTEN WORKDIR
set -euo pipefail
signet=$1 kiosk=$2 listen=$3 work=$4
rm -rf "$work"
mkdir -p "$work/state"
cd "$work"
"$signet" keygen --secret k.key --public k.pub >/dev/null
sock=$work/notify.sock
"$listen" "$sock" 5 >notify.log &
listener=$!
for _ in $(seq 1 50); do [ -S "$sock" ] && break; sleep 0.05; done
NOTIFY_SOCKET=$sock WATCHDOG_USEC=1000000 "$kiosk" --headless --size 320x180 --trust k.pub \
  --screen s1 --state-dir state --queue http://127.0.0.1:9 --net-timeout 1 --exit-after 3.2 \
  2>kiosk.log
wait "$listener"
failures=0
fail() { echo "kiosk_notify: FAIL: $*" >&2; failures=$((failures + 1)); }
ready=$(grep -c ' READY=1$' notify.log || true)
pings=$(grep -c ' WATCHDOG=1$' notify.log || true)
[ "$ready" -eq 1 ] || fail "READY=1 sent $ready times, want once: $(cat notify.log)"
# 3.2 s at one ping per 500 ms is about 6 (printed below). Checked loosely,
# a loaded machine shifts them: pings keep coming, and they do not flood.
if [ "$pings" -lt 2 ] || [ "$pings" -gt 20 ]; then
  fail "$pings watchdog pings in 3.2 s, want about 6"
fi
first_ready=$(grep -m1 ' READY=1$' notify.log | cut -d' ' -f1)
first_ping=$(grep -m1 ' WATCHDOG=1$' notify.log | cut -d' ' -f1)
if [ -z "$first_ready" ] || [ -z "$first_ping" ]; then fail "no READY or no ping"; fi
grep -q "systemd watchdog: a ping every 500 ms" kiosk.log || fail "the log does not name the interval"
# Another process's watchdog (WATCHDOG_PID) is not ours.
WATCHDOG_USEC=1000000 WATCHDOG_PID=1 "$kiosk" --headless --size 320x180 --trust k.pub --screen s1 \
  --state-dir state --queue http://127.0.0.1:9 --net-timeout 1 --exit-after 0.5 2>other.log
! grep -q "systemd watchdog" other.log || fail "took another process's watchdog"
echo "kiosk_notify: READY $ready, $pings pings in 3.2 s"
[ "$failures" -eq 0 ] || exit 1
echo "kiosk_notify: 1 passed, 0 failed"
