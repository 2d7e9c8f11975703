#!/usr/bin/env bash
# Installs the Debian 12 packages Signet needs, and only those that are missing.
# Usage: toolchain/deps.sh [SET]...
#   host         build the native programs (the default)
#   test         also what the test suite needs (Xvfb, clang's fuzzer runtime, qemu)
#   cross        the arm64 cross compiler and multiarch -dev packages
#   cross-armhf  the same for armhf
# Runs apt-get through sudo when not root. A no-op when everything is there.
set -euo pipefail

host_pkgs=(
  build-essential cmake pkg-config git
  libsdl2-dev libsdl2-ttf-dev libsdl2-image-dev
  libcurl4-openssl-dev libjson-c-dev libsodium-dev libqrencode-dev
  libmicrohttpd-dev libsqlite3-dev libexpat1-dev
  fonts-dejavu-core fonts-symbola
)
# nginx-light serves `signet-queue publish` folders; chromium is driven by
# playwright-core (tests/browser) for the staff page; wrk is the bench's load;
# faketime moves a running kiosk's wall clock (tests/kiosk/offline.test.mjs);
# systemd brings systemd-analyze, -sysusers and -tmpfiles for tests/firmware
# (containers often lack it; nothing here starts it).
test_pkgs=(clang libclang-rt-14-dev clang-format cppcheck shellcheck xvfb xauth qemu-user
  nginx-light wrk chromium curl openssl faketime systemd)

# cross_pkgs ARCH TRIPLET: the cross compiler and the target's -dev packages.
cross_pkgs() {
  local arch=$1 triplet=$2
  printf '%s\n' "gcc-$triplet" "libc6-dev-$arch-cross" qemu-user
  for p in libsdl2-dev libsdl2-ttf-dev libsdl2-image-dev libcurl4-openssl-dev \
    libjson-c-dev libsodium-dev libqrencode-dev libmicrohttpd-dev libsqlite3-dev \
    libexpat1-dev; do
    printf '%s\n' "$p:$arch"
  done
}

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

want=()
foreign=()
for set in "${@:-host}"; do
  case "$set" in
    host) want+=("${host_pkgs[@]}") ;;
    test) want+=("${host_pkgs[@]}" "${test_pkgs[@]}") ;;
    cross) mapfile -t -O "${#want[@]}" want < <(cross_pkgs arm64 aarch64-linux-gnu); foreign+=(arm64) ;;
    cross-armhf) mapfile -t -O "${#want[@]}" want < <(cross_pkgs armhf arm-linux-gnueabihf); foreign+=(armhf) ;;
    *) echo "deps.sh: unknown package set '$set' (host, test, cross, cross-armhf)" >&2; exit 2 ;;
  esac
done

for arch in "${foreign[@]}"; do
  if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
    "${sudo_cmd[@]}" dpkg --add-architecture "$arch"
  fi
done

missing=()
for p in "${want[@]}"; do
  # Only "install ok installed" counts; half-installed packages are retried.
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
# Node.js runs the browser and API tests (playwright-core from npm). Any
# node >= 18 will do, so one already on the PATH (a NodeSource build, say)
# is used as it is; only a machine with none gets Debian's.
for set in "${@:-host}"; do
  if [ "$set" = test ] && ! { command -v node && command -v npm; } >/dev/null; then
    missing+=(nodejs npm)
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

install_missing() {
  # A mirror caught mid-sync fails one index ("File has unexpected size");
  # the others are still fresh, so a failed update is only a warning and the
  # install decides.
  "${sudo_cmd[@]}" apt-get update -qq || echo "deps.sh: apt-get update reported errors" >&2
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

echo "deps.sh: installing ${missing[*]}" >&2
if ! install_missing; then
  echo "deps.sh: install failed; retrying once in 20 s" >&2
  sleep 20
  install_missing
fi
