#!/usr/bin/env bash
# Installs the Debian 12 packages Signet needs, and only those that are missing.
# Usage: toolchain/deps.sh [host|test|cross]...
#   host   build the native programs (default)
#   test   also what the test suite needs (Xvfb, clang's fuzzer runtime, qemu)
#   cross  the arm64 multiarch -dev packages and cross compiler
# Runs apt-get through sudo when not root. Safe to run again: a no-op when all is there.
set -euo pipefail

host_pkgs=(
  build-essential cmake pkg-config git
  libsdl2-dev libsdl2-ttf-dev libsdl2-image-dev
  libcurl4-openssl-dev libjson-c-dev libsodium-dev libqrencode-dev
  fonts-dejavu-core fonts-symbola
)
test_pkgs=(clang libclang-rt-14-dev clang-format xvfb xauth qemu-user)
cross_arch=arm64
cross_pkgs=(
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross
  "libsdl2-dev:$cross_arch" "libsdl2-ttf-dev:$cross_arch" "libsdl2-image-dev:$cross_arch"
  "libcurl4-openssl-dev:$cross_arch" "libjson-c-dev:$cross_arch"
  "libsodium-dev:$cross_arch" "libqrencode-dev:$cross_arch"
)

want=()
for set in "${@:-host}"; do
  case "$set" in
    host) want+=("${host_pkgs[@]}") ;;
    test) want+=("${host_pkgs[@]}" "${test_pkgs[@]}") ;;
    cross) want+=("${cross_pkgs[@]}") ;;
    *) echo "deps.sh: unknown package set '$set' (host, test, cross)" >&2; exit 2 ;;
  esac
done

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

for set in "${@:-host}"; do
  if [ "$set" = cross ] && ! dpkg --print-foreign-architectures | grep -qx "$cross_arch"; then
    "${sudo_cmd[@]}" dpkg --add-architecture "$cross_arch"
    need_update=1
  fi
done

missing=()
for p in "${want[@]}"; do
  # dpkg-query prints "install ok installed" only for packages fully installed.
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "deps.sh: installing ${missing[*]}" >&2
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
