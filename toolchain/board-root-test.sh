#!/usr/bin/env bash
# The whole board path on an emulated arm64 Debian 12 root, without a Pi:
#   1. debootstrap a minimal arm64 root (qemu-user-static runs its binaries
#      through binfmt_misc);
#   2. install the arm64 signet-kiosk .deb in it with apt (dependencies from
#      Debian's archive: the ones a board would pull);
#   3. start a real signet-queue on loopback (the host's native build), add a
#      screen and an approved tip, write a signet.txt on the root's boot
#      partition and run signet-provision inside the root;
#   4. start the root's signet-kiosk headless with the provisioned config and
#      find the approved tip in its play log.
# Not part of toolchain/test.sh: the first run downloads about 150 MB and
# took 9 minutes here on two cores (README: "Board root test").
# Needs root (debootstrap, chroot, binfmt_misc). Re-runs reuse the root.
# usage: toolchain/board-root-test.sh [WORKDIR]   (default build/board-root)
set -euo pipefail
cd "$(dirname "$0")/.."
root_dir=$PWD
work=${1:-build/board-root}
mkdir -p "$work"
work=$(cd "$work" && pwd)
rootfs=$work/rootfs
started=$SECONDS
step() { printf '\n==== %s (%ss)\n' "$*" "$((SECONDS - started))"; }
if [ "$(id -u)" -ne 0 ]; then
  echo "board-root-test: needs root (debootstrap, chroot, binfmt_misc)" >&2
  exit 2
fi

step "packages: debootstrap, qemu-user-static, the arm64 build"
toolchain/deps.sh test cross
for p in debootstrap qemu-user-static; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$p" >/dev/null
done
cmake -S . -B build/native -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/native -j "$(nproc)" --target signet signet-queue >/dev/null
cmake -S . -B build/arm64 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_TOOLCHAIN_FILE="$root_dir/toolchain/aarch64-linux-gnu.cmake" >/dev/null
cmake --build build/arm64 -j "$(nproc)" >/dev/null
(cd build/arm64 && cpack -G DEB -B "$work/debs" >/dev/null)
deb=$(ls "$work"/debs/signet-kiosk_*_arm64.deb)

step "binfmt_misc: arm64 binaries run through qemu-aarch64-static"
if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
  mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
fi
if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
  # The package's systemd-binfmt line, registered by hand (no systemd here).
  conf=/usr/lib/binfmt.d/qemu-aarch64.conf
  [ -f "$conf" ] || { echo "board-root-test: no $conf" >&2; exit 1; }
  grep -v '^#' "$conf" >/proc/sys/fs/binfmt_misc/register
fi

step "debootstrap: a minimal arm64 Debian 12 root"
if [ ! -x "$rootfs/usr/bin/apt-get" ]; then
  rm -rf "$rootfs"
  debootstrap --arch=arm64 --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian \
    >"$work/debootstrap.log" 2>&1 || { tail -30 "$work/debootstrap.log"; exit 1; }
fi
mounts=()
cleanup() {
  local i
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -l "${mounts[i]}" 2>/dev/null || true; done
  [ -z "${queue_pid:-}" ] || kill "$queue_pid" 2>/dev/null || true
}
trap cleanup EXIT
for m in proc sys dev; do
  mountpoint -q "$rootfs/$m" || { mount --rbind "/$m" "$rootfs/$m" && mounts+=("$rootfs/$m"); }
done
cp /etc/resolv.conf "$rootfs/etc/resolv.conf" 2>/dev/null || true
in_root() { chroot "$rootfs" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }

step "apt: install the arm64 signet-kiosk package"
cp "$deb" "$rootfs/tmp/signet-kiosk.deb"
in_root apt-get update -qq
t0=$SECONDS
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  /tmp/signet-kiosk.deb >"$work/apt.log" 2>&1 || { tail -30 "$work/apt.log"; exit 1; }
echo "board-root-test: installed in $((SECONDS - t0)) s; root is $(du -sm "$rootfs" | cut -f1) MiB"
in_root dpkg -s signet-kiosk | grep -E '^(Status|Version|Installed-Size)'
in_root getent passwd signet-kiosk >/dev/null || { echo "board-root-test: no signet-kiosk user" >&2; exit 1; }

step "a queue on loopback with one approved tip"
qdata=$work/queue
rm -rf "$qdata"
printf 'board-root-test-password\n' | build/native/server/signet-queue init --data "$qdata" \
  --admin admin --password-stdin --clinic "Praxis im Emulator" >/dev/null
token=$(build/native/server/signet-queue screen add --data "$qdata" --id board-1 --name "Board")
printf '[{"kind":"tip","title":"Aus dem Emulator","body":"Signiert, geprüft, gezeigt."}]\n' \
  >"$work/tip.json"
build/native/server/signet-queue import --data "$qdata" --as admin --approve-as admin \
  "$work/tip.json" >/dev/null
rm -f "$work/port"
build/native/server/signet-queue serve --data "$qdata" --listen 127.0.0.1:0 \
  --port-file "$work/port" 2>"$work/queue.log" &
queue_pid=$!
for _ in $(seq 1 100); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")

step "signet.txt on the boot partition, provisioned inside the root"
mkdir -p "$rootfs/boot/firmware"
{
  echo "queue_url=http://127.0.0.1:$port"
  echo "screen_id=board-1"
  echo "token=$token"
  echo "trusted_key=$(cat "$qdata/signing.pub")"
  echo "timezone=Europe/Berlin"
} >"$rootfs/boot/firmware/signet.txt"
in_root /usr/sbin/signet-provision --boot /boot/firmware
[ ! -e "$rootfs/boot/firmware/signet.txt" ] || { echo "board-root-test: signet.txt still there" >&2; exit 1; }
! grep -rq "$token" "$rootfs/boot/firmware" || { echo "board-root-test: token left on the boot partition" >&2; exit 1; }

step "the root's kiosk, headless, against the queue"
rm -f "$rootfs/var/lib/signet-kiosk/play.log"
in_root env SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy \
  setpriv --reuid=signet-kiosk --regid=signet-kiosk --init-groups \
  /usr/bin/signet-kiosk --config /etc/signet/kiosk.conf --headless --size 640x360 \
  --play-log /var/lib/signet-kiosk/play.log --exit-after 20 2>"$work/kiosk.log" || true
if grep -q '"item":"it-' "$rootfs/var/lib/signet-kiosk/play.log" 2>/dev/null; then
  grep -m1 '"item":"it-' "$rootfs/var/lib/signet-kiosk/play.log"
  echo "board-root-test: the approved tip is in the arm64 kiosk's play log"
  echo "board-root-test: 1 passed, 0 failed ($((SECONDS - started)) s)"
else
  tail -20 "$work/kiosk.log"
  echo "board-root-test: 0 passed, 1 failed: no approved item in the play log" >&2
  exit 1
fi
