#!/usr/bin/env bash
# What a package costs a board: its own installed size, and the installed
# size of everything it pulls into a minimal Debian root of the same
# architecture (the closure of Depends and Pre-Depends, less the packages of
# priority required and important that every Debian root already has), next
# to the same figure for Debian's chromium (the usual way to build a kiosk).
# Reads apt's package lists for ARCH (dpkg --add-architecture ARCH and
# apt-get update first; toolchain/deps.sh cross does both for arm64).
# usage: deb_footprint.sh ARCH PACKAGE.deb [OTHER_PACKAGE...]
set -euo pipefail
arch=$1 deb=$2
shift 2
others=("${@:-chromium}")

# closure PKG...: every package (name:arch) reached through Depends and
# Pre-Depends, the first alternative of each.
closure() {
  apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
    --no-replaces --no-enhances "$@" 2>/dev/null |
    sed -n 's/^ *\(Pre\)\{0,1\}Depends: \([^<>][^ ]*\)$/\2/p; s/^\([a-z0-9][^ ]*\)$/\1/p' |
    sed "s/:$arch\$//; s/:any\$//" | sort -u
}
# sizes PKG...: "name size priority" per package of ARCH (or all), one
# apt-cache call for the lot.
sizes() {
  local args=() p
  for p in "$@"; do args+=("$p:$arch"); done
  apt-cache show --no-all-versions "${args[@]}" 2>/dev/null |
    awk -F': ' '/^Package:/ {if (n) print n, s, p; n=$2; s=0; p="?"}
      /^Installed-Size:/ {s=$2} /^Priority:/ {p=$2} END {if (n) print n, s, p}'
}
# cost PKG...: "KiB count" of the closure outside the required/important base.
cost() {
  local -a pkgs
  mapfile -t pkgs < <(closure "$@")
  [ "${#pkgs[@]}" -gt 0 ] || { echo "0 0"; return; }
  sizes "${pkgs[@]}" | sort -u -k1,1 |
    awk '$3 != "required" && $3 != "important" {t += $2; n++} END {print t + 0, n + 0}'
}
size_of() { sizes "$1" | head -1 | cut -d' ' -f2-; }

own=$(dpkg-deb -f "$deb" Installed-Size)
name=$(dpkg-deb -f "$deb" Package)
# The package's own dependencies, as names for this architecture.
mapfile -t deps < <(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/ //g' |
  grep -v '^$' | sed "s/\$/:$arch/")
read -r dep_kib dep_n < <(cost "${deps[@]}")
printf '%-14s own %6d KiB; with what it pulls into a minimal %s root: %7d KiB (%d packages)\n' \
  "$name" "$own" "$arch" "$((own + dep_kib))" "$dep_n"
for o in "${others[@]}"; do
  read -r o_own _ < <(size_of "$o")
  read -r o_kib o_n < <(cost "$o:$arch")
  printf '%-14s own %6d KiB; with what it pulls into a minimal %s root: %7d KiB (%d packages)\n' \
    "$o" "$o_own" "$arch" "$o_kib" "$o_n"
done
