#!/usr/bin/env bash
# Tests the firmware's systemd side in a throw-away root: signet-firmware-install
# lays the files out, `systemctl --root` enables the board's units,
# `systemd-analyze verify --root` checks every unit (the programs are stub
# executables at their installed paths; systemd's own units are copied from
# this machine), systemd-sysusers and systemd-tmpfiles take the sysusers.d and
# tmpfiles.d files. Any warning from verify fails the test (verify itself
# exits 0 on unknown keys and bad values), and a broken unit is shown to fail.
# Also checks the properties the units promise (hardening, restart, ordering).
# Usage: systemd_test.sh FIRMWARE_DIR WORK_DIR
set -euo pipefail
firmware=$1 work=$2
rm -rf "$work"
mkdir -p "$work"
cd "$work"
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

for tool in systemd-analyze systemctl systemd-sysusers systemd-tmpfiles; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool not found: install Debian's systemd package (toolchain/deps.sh test)" >&2; exit 1; }
done
units=(signet-kiosk.service signet-queue.service signet-provision.service
  signet-display-hours.service signet-display-hours.timer)

root=$work/root
mkdir -p "$root/usr/lib/systemd/system" "$root/usr/bin" "$root/etc"
cp -a /usr/lib/systemd/system/. "$root/usr/lib/systemd/system/"
for b in signet-kiosk signet-queue; do
  printf '#!/bin/sh\nexit 0\n' >"$root/usr/bin/$b"
  chmod 0755 "$root/usr/bin/$b"
done
rc=0
out=$("$firmware/signet-firmware-install" --root "$root" --enable 2>&1) || rc=$?
[ "$rc" -eq 0 ] || fail "signet-firmware-install: exit $rc: $out"
for f in usr/sbin/signet-provision usr/sbin/signet-bootconfig usr/sbin/signet-display-hours; do
  [ -x "$root/$f" ] || fail "not installed as an executable: /$f"
done
for f in usr/lib/sysusers.d/signet.conf usr/lib/tmpfiles.d/signet.conf \
  usr/lib/systemd/journald.conf.d/signet.conf usr/share/doc/signet/firmware/README.md \
  usr/share/doc/signet/firmware/signet.txt.example; do
  [ -f "$root/$f" ] || fail "not installed: /$f"
done
for link in multi-user.target.wants/signet-kiosk.service multi-user.target.wants/signet-provision.service \
  timers.target.wants/signet-display-hours.timer; do
  [ -L "$root/etc/systemd/system/$link" ] || fail "not enabled: $link"
done
if [ -e "$root/etc/systemd/system/multi-user.target.wants/signet-queue.service" ]; then
  fail "the queue's unit was enabled on a board"
fi

# verify_quiet WHAT UNIT...: verify must pass without a single message.
verify_quiet() {
  local what=$1 vrc=0 vout
  shift
  vout=$(systemd-analyze verify --root="$root" "$@" 2>&1) || vrc=$?
  if [ "$vrc" -ne 0 ] || [ -n "$vout" ]; then
    fail "$what: systemd-analyze verify (exit $vrc): $vout"
  fi
}
verify_quiet "the units" "${units[@]}"

# The check itself catches mistakes: a typo and a bad value, and a missing
# program (the stubs are what make the real run pass).
unitdir=$root/usr/lib/systemd/system
cp "$unitdir/signet-kiosk.service" kiosk.good
sed -i 's/^Restart=always/Restartt=always/; s/^ProtectSystem=strict/ProtectSystem=strictly/' "$unitdir/signet-kiosk.service"
vout=$(systemd-analyze verify --root="$root" signet-kiosk.service 2>&1 || true)
if [[ ! $vout =~ Restartt ]] || [[ ! $vout =~ strictly ]]; then fail "verify did not report a broken unit: $vout"; fi
cp kiosk.good "$unitdir/signet-kiosk.service"
mv "$root/usr/bin/signet-kiosk" stub
vrc=0
systemd-analyze verify --root="$root" signet-kiosk.service >/dev/null 2>&1 || vrc=$?
[ "$vrc" -ne 0 ] || fail "verify passed without /usr/bin/signet-kiosk"
mv stub "$root/usr/bin/signet-kiosk"

# Exposure as systemd rates it (0 to 10, shown as "OK" up to 3.9); the
# threshold is in tenths. The services stay at or below 2.5, the two root
# helpers at or below 3.0.
for ut in signet-kiosk.service:25 signet-queue.service:25 signet-provision.service:30 \
  signet-display-hours.service:30; do
  srun=0
  sout=$(systemd-analyze security --offline=yes --root="$root" --threshold="${ut#*:}" "${ut%:*}" 2>&1) || srun=$?
  [ "$srun" -eq 0 ] || fail "${ut%:*}: exposure above ${ut#*:}/100: $(tail -n 1 <<<"$sout")"
done

# Users and the runtime folder.
rc=0
out=$(systemd-sysusers --root="$root" 2>&1) || rc=$?
[ "$rc" -eq 0 ] || fail "systemd-sysusers: exit $rc: $out"
for u in signet-kiosk signet-queue; do
  grep -q "^$u:x:[0-9]*:[0-9]*:[^:]*:/var/lib/$u:/usr/sbin/nologin$" "$root/etc/passwd" ||
    fail "user $u not created as a system user without a shell: $(grep "^$u:" "$root/etc/passwd")"
done
rc=0
out=$(systemd-tmpfiles --root="$root" --create signet.conf 2>&1) || rc=$?
[ "$rc" -eq 0 ] || fail "systemd-tmpfiles: exit $rc: $out"
[ "$(stat -c %a "$root/run/signet" 2>/dev/null)" = 755 ] || fail "/run/signet not created 0755"

# What the units promise.
# prop UNIT KEY VALUE: the unit file sets KEY=VALUE (exactly, as a line).
prop() { grep -qxF "$2=$3" "$unitdir/$1" || fail "$1 lacks $2=$3"; }
noprop() { if grep -q "^$2=" "$unitdir/$1"; then fail "$1 sets $2 ($(grep "^$2=" "$unitdir/$1"))"; fi; }
for u in signet-kiosk.service signet-queue.service; do
  for kv in ProtectSystem=strict NoNewPrivileges=yes PrivateTmp=yes ProtectHome=yes Restart=always \
    CapabilityBoundingSet= UMask=0077; do
    prop "$u" "${kv%%=*}" "${kv#*=}"
  done
  noprop "$u" ReadWritePaths
done
# The kiosk tells systemd it is up and feeds the watchdog (sd_notify); the
# queue is a plain service.
prop signet-kiosk.service Type notify
prop signet-kiosk.service NotifyAccess main
prop signet-kiosk.service WatchdogSec 30s
prop signet-queue.service Type simple
noprop signet-queue.service WatchdogSec
prop signet-kiosk.service User signet-kiosk
prop signet-kiosk.service StateDirectory signet-kiosk
prop signet-kiosk.service DevicePolicy closed
prop signet-kiosk.service DeviceAllow "char-drm rw"
prop signet-kiosk.service DeviceAllow "char-input r"
prop signet-kiosk.service Environment SDL_VIDEODRIVER=kmsdrm
prop signet-kiosk.service Environment SDL_RENDER_DRIVER=opengles2
# shellcheck disable=SC2016 # systemd expands it, not this shell
prop signet-kiosk.service ExecStart '/usr/bin/signet-kiosk --config ${SIGNET_KIOSK_CONFIG}'
prop signet-kiosk.service StartLimitIntervalSec 0
if grep -E '^(After|Wants|Requires)=.*network-online' "$unitdir/signet-kiosk.service"; then
  fail "the kiosk waits for network-online.target"
fi
grep -qE '^After=.*network\.target' "$unitdir/signet-kiosk.service" || fail "the kiosk is not ordered after network.target"
grep -qE '^After=.*signet-provision\.service' "$unitdir/signet-kiosk.service" || fail "the kiosk may start before provisioning"
prop signet-queue.service User signet-queue
prop signet-queue.service StateDirectory signet-queue
prop signet-queue.service PrivateDevices yes
grep -qE '^ExecStart=/usr/bin/signet-queue serve --data /var/lib/signet-queue( |$)' "$unitdir/signet-queue.service" ||
  fail "the queue's ExecStart"
prop signet-provision.service Type oneshot
prop signet-provision.service ConditionPathExists '|/boot/firmware/signet.txt'
grep -qE '^Before=.*signet-kiosk\.service' "$unitdir/signet-provision.service" || fail "provisioning not before the kiosk"
prop signet-display-hours.timer OnCalendar '*-*-* *:*:00'
prop signet-display-hours.service ExecStart /usr/sbin/signet-display-hours
prop signet-display-hours.service LogLevelMax notice

# The kiosk environment: the unit's default, and the setup mode's override,
# resolved as systemd would (EnvironmentFile= after Environment=).
env_of() { # prints the SIGNET_KIOSK_CONFIG the kiosk would get with FILE as kiosk.env
  (
    set -a
    eval "$(grep '^Environment=SIGNET_KIOSK_CONFIG=' "$unitdir/signet-kiosk.service" | sed 's/^Environment=//')"
    # shellcheck disable=SC1090
    [ ! -f "$1" ] || . "$1"
    echo "$SIGNET_KIOSK_CONFIG"
  )
}
[ "$(env_of /nonexistent)" = /etc/signet/kiosk.conf ] || fail "kiosk default config: $(env_of /nonexistent)"
echo 'SIGNET_KIOSK_CONFIG=/run/signet/setup.conf' >kiosk.env
[ "$(env_of kiosk.env)" = /run/signet/setup.conf ] || fail "setup override: $(env_of kiosk.env)"
# Both files are read, /run/signet/kiosk.env last (the later file wins).
[ "$(sed -n 's/^EnvironmentFile=//p' "$unitdir/signet-kiosk.service" | tr '\n' ' ')" = \
  "-/etc/default/signet-kiosk -/run/signet/kiosk.env " ] || fail "kiosk EnvironmentFile= lines or their order"

# journald keeps logs in RAM.
journald=$root/usr/lib/systemd/journald.conf.d/signet.conf
grep -qx 'Storage=volatile' "$journald" || fail "journald: not Storage=volatile"
grep -qE '^RuntimeMaxUse=[0-9]+M$' "$journald" || fail "journald: no RuntimeMaxUse cap"
grep -qx '\[Journal\]' "$journald" || fail "journald: no [Journal] section"

if [ "$failures" -gt 0 ]; then
  echo "$failures failure(s)" >&2
  exit 1
fi
echo "systemd: all checks passed"
