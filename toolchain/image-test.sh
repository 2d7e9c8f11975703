#!/usr/bin/env bash
# firmware/signet-image on a stand-in for a Raspberry Pi OS Lite image: a
# two-partition disk image (FAT32 boot, ext4 root) made from the arm64
# Debian root that toolchain/board-root-test.sh built, without Signet. Then
# the image is checked from outside: the package is installed in its root,
# the units are enabled, config.txt and cmdline.txt carry the boot
# configuration, and signet.txt sits on the boot partition.
# Run toolchain/board-root-test.sh first (it makes the root and the .deb).
# Needs root, fdisk, dosfstools, mtools, e2fsprogs, qemu-user-static.
# usage: toolchain/image-test.sh [WORKDIR]   (default build/board-root)
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-build/board-root}
work=$(cd "$work" && pwd)
rootfs=$work/rootfs deb=$(ls "$work"/debs/signet-kiosk_*_arm64.deb)
[ -x "$rootfs/usr/bin/apt-get" ] || { echo "image-test: run toolchain/board-root-test.sh first" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "image-test: needs root" >&2; exit 2; }
for p in fdisk dosfstools mtools; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$p" >/dev/null
done
started=$SECONDS
failures=0
fail() { echo "image-test: FAIL: $*" >&2; failures=$((failures + 1)); }

# A root like a stock image's: the board root without Signet.
base=$work/image-root
rm -rf "$base"
cp -a "$rootfs" "$base"
for m in proc sys dev; do umount -l "$base/$m" 2>/dev/null || true; done
chroot "$base" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin dpkg --purge signet-kiosk >/dev/null
rm -rf "$base/boot/firmware"
mkdir -p "$base/boot/firmware"
# What Raspberry Pi OS has on its boot partition, as far as Signet cares.
printf '[all]\ndtoverlay=vc4-fkms-v3d\n' >"$work/config.txt"
printf 'console=serial0,115200 console=tty1 root=PARTUUID=abcd-02 rootfstype=ext4 fsck.repair=yes rootwait\n' \
  >"$work/cmdline.txt"

# The disk: 256 MiB FAT32 from sector 8192, then ext4 for the root.
img=$work/raspios-standin.img out=$work/signet.img
root_mib=$(($(du -sm "$base" | cut -f1) * 3 / 2 + 200))
rm -f "$img" "$out"
truncate -s $((4 + 256 + root_mib))M "$img"
printf 'label: dos\nstart=8192, size=524288, type=c\nstart=532480, type=83\n' | sfdisk -q "$img"
mkfs.fat -F 32 -s 1 --offset 8192 -n BOOTFS "$img" $((256 * 1024)) >/dev/null
mnt=$work/mnt
mkdir -p "$mnt"
fat_in="$img@@$((8192 * 512))"
mcopy -i "$fat_in" "$work/config.txt" "$work/cmdline.txt" ::
mkfs.ext4 -q -F -E offset=$((532480 * 512)) -d "$base" -L rootfs "$img" "${root_mib}M"
echo "image-test: stand-in image of $(du -h --apparent-size "$img" | cut -f1) made in $((SECONDS - started)) s"

# The recipe.
cat >"$work/signet.txt.image" <<EOF
queue_url=https://signet.praxis.example
screen_id=wartezimmer-1
token=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
trusted_key=$(head -c 32 /dev/urandom | base64)
timezone=Europe/Berlin
EOF
input_sum=$(sha256sum "$img" | cut -d' ' -f1)
t0=$SECONDS
firmware/signet-image --image "$img" --deb "$deb" --signet-txt "$work/signet.txt.image" --out "$out"
echo "image-test: signet-image took $((SECONDS - t0)) s"

# Checked from outside.
mount -o loop,ro,offset=$((532480 * 512)) "$out" "$mnt"
[ -x "$mnt/usr/bin/signet-kiosk" ] || fail "no signet-kiosk in the image's root"
grep -q '^Status: install ok installed' <(chroot "$mnt" dpkg -s signet-kiosk 2>/dev/null || true) ||
  fail "the package is not installed in the image"
for u in signet-kiosk.service signet-provision.service; do
  ls "$mnt"/etc/systemd/system/*.wants/"$u" >/dev/null 2>&1 || fail "$u is not enabled"
done
ls "$mnt"/etc/systemd/system/timers.target.wants/signet-display-hours.timer >/dev/null 2>&1 ||
  fail "the display-hours timer is not enabled"
grep -q '^signet-kiosk:' "$mnt/etc/passwd" || fail "no signet-kiosk user"
[ ! -e "$mnt/tmp/signet-kiosk.deb" ] || fail "the package file was left in the image"
umount "$mnt"
fat_out="$out@@$((8192 * 512))"
mtype -i "$fat_out" ::config.txt | grep -q 'dtoverlay=vc4-kms-v3d' || fail "config.txt lacks the KMS overlay"
mtype -i "$fat_out" ::config.txt | grep -q 'disable_overscan=1' || fail "config.txt lacks disable_overscan"
mtype -i "$fat_out" ::cmdline.txt | grep -q 'consoleblank=0' || fail "cmdline.txt lacks consoleblank=0"
cmp -s <(mtype -i "$fat_out" ::signet.txt) "$work/signet.txt.image" ||
  fail "signet.txt is not on the boot partition"
mdir -i "$fat_out" -b :: | grep -q 'config.txt.signet-orig' || fail "no backup of config.txt"
[ "$(sha256sum "$img" | cut -d' ' -f1)" = "$input_sum" ] || fail "the input image was changed"
if [ "$failures" -ne 0 ]; then
  echo "image-test: $failures failed" >&2
  exit 1
fi
echo "image-test: 1 passed, 0 failed ($((SECONDS - started)) s)"
