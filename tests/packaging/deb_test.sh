#!/usr/bin/env bash
# The Debian packages as CPack makes them in a build folder: names,
# architecture, dependencies (the distribution's libraries found by
# dpkg-shlibdeps, the font packages), contents, conffiles and maintainer
# scripts; then the packages unpacked into a scratch root, where the
# programs run (under qemu-user for a cross build).
# usage: deb_test.sh BUILD_DIR ARCH [QEMU_PREFIX]
#   ARCH: the Debian architecture the packages must have (amd64, arm64, armhf)
#   QEMU_PREFIX: e.g. "qemu-aarch64 -L /usr/aarch64-linux-gnu" for a cross build
set -euo pipefail
build=$1 arch=$2 qemu=${3:-}
failures=0
fail() { echo "deb_test: FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { echo "deb_test: ok: $*"; }
# check WHAT COMMAND...: ok when the command succeeds, else a failure.
check() {
  local what=$1
  shift
  if "$@"; then ok "$what"; else fail "$what"; fi
}

build=$(cd "$build" && pwd)
work=$build/deb-test
rm -rf "$work"
mkdir -p "$work"
(cd "$build" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) ||
  { cat "$work/cpack.log" >&2; echo "deb_test: cpack failed" >&2; exit 1; }

version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
for pkg in signet-kiosk signet-queue; do
  deb=$work/out/${pkg}_${version}_${arch}.deb
  if [ ! -f "$deb" ]; then
    fail "$pkg: no $deb ($(ls "$work/out"))"
    continue
  fi
  field() { dpkg-deb -f "$deb" "$1"; }
  check "$pkg: package name ($(field Package))" [ "$(field Package)" = "$pkg" ]
  check "$pkg: architecture $(field Architecture), want $arch" [ "$(field Architecture)" = "$arch" ]
  depends=$(field Depends)
  want_deps=(libc6 libsodium23 libjson-c5 adduser systemd)
  if [ "$pkg" = signet-kiosk ]; then
    want_deps+=(libsdl2-2.0-0 libsdl2-ttf-2.0-0 libsdl2-image-2.0-0 libcurl4 libqrencode4
      fonts-dejavu-core fonts-symbola)
  else
    want_deps+=(libmicrohttpd12 libsqlite3-0 libexpat1 libcurl4)
  fi
  for d in "${want_deps[@]}"; do
    case ", $depends," in
      *", $d "* | *", $d,"*) ;;
      *) fail "$pkg: Depends lacks $d: $depends" ;;
    esac
  done
  ok "$pkg: Depends: $depends"
  dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\./|/|' >"$work/$pkg.files"
  if [ "$pkg" = signet-kiosk ]; then
    want_files=(/usr/bin/signet-kiosk /usr/bin/signet /usr/sbin/signet-provision
      /usr/sbin/signet-bootconfig /usr/sbin/signet-display-hours
      /usr/lib/systemd/system/signet-kiosk.service /usr/lib/systemd/system/signet-provision.service
      /usr/lib/systemd/system/signet-display-hours.timer /usr/lib/tmpfiles.d/signet.conf
      /usr/lib/systemd/journald.conf.d/signet.conf /etc/default/signet-kiosk)
  else
    want_files=(/usr/bin/signet-queue /usr/lib/systemd/system/signet-queue.service
      /usr/share/signet/tips/tips.json /usr/share/signet/blocklist/de.txt
      /usr/share/signet/blocklist/en.txt /etc/default/signet-queue)
  fi
  for f in "${want_files[@]}"; do
    grep -qx -- "$f" "$work/$pkg.files" || fail "$pkg: does not hold $f"
  done
  ok "$pkg: holds ${#want_files[@]} expected files"
  # Nothing of the build tree or the tests sneaks in.
  if grep -Eq '^/(home|work|tmp|root)|/tests/|\.o$|\.a$' "$work/$pkg.files"; then
    fail "$pkg: holds files it should not: $(grep -E '^/(home|work|tmp|root)|/tests/|\.o$|\.a$' "$work/$pkg.files")"
  fi
  mkdir -p "$work/$pkg.ctl"
  dpkg-deb -e "$deb" "$work/$pkg.ctl"
  check "$pkg: conffiles ($(tr '\n' ' ' <"$work/$pkg.ctl/conffiles"))" \
    [ "$(cat "$work/$pkg.ctl/conffiles")" = "/etc/default/$pkg" ]
  for s in postinst prerm postrm; do
    if [ ! -x "$work/$pkg.ctl/$s" ] || ! sh -n "$work/$pkg.ctl/$s"; then fail "$pkg: $s missing or not sh"; fi
  done
  grep -q 'purge' "$work/$pkg.ctl/postrm" || fail "$pkg: postrm does not purge"
  dpkg-deb -x "$deb" "$work/root"
done

# The unpacked programs run (their libraries come from the system, or from
# the cross sysroot under qemu).
run() { if [ -n "$qemu" ]; then read -ra q <<<"$qemu"; "${q[@]}" "$@"; else "$@"; fi; }
if run "$work/root/usr/bin/signet-kiosk" --help >"$work/kiosk-help.txt" 2>&1 &&
  grep -q -- '--queue URL' "$work/kiosk-help.txt"; then
  ok "the packaged signet-kiosk runs (--help)"
else
  fail "the packaged signet-kiosk does not run: $(head -5 "$work/kiosk-help.txt")"
fi
if run "$work/root/usr/bin/signet" keygen --secret "$work/k.key" --public "$work/k.pub" >/dev/null 2>&1; then
  ok "the packaged signet makes a key pair"
else
  fail "the packaged signet does not run"
fi
run "$work/root/usr/bin/signet-queue" --help >"$work/queue-help.txt" 2>&1 || true
check "the packaged signet-queue runs (--help)" grep -q 'signet-queue serve' "$work/queue-help.txt"
# Stripped: no symbol table left (readelf reads any architecture).
check "signet-kiosk is stripped" \
  test -z "$(readelf -S "$work/root/usr/bin/signet-kiosk" | grep -E '\.symtab|\.debug_info' || true)"
size=$(stat -c %s "$work/root/usr/bin/signet-kiosk")
echo "deb_test: $arch signet-kiosk binary (stripped): $size bytes;" \
  "installed size of the packages: $(dpkg-deb -f "$work/out/signet-kiosk_${version}_${arch}.deb" Installed-Size) KiB" \
  "(signet-kiosk), $(dpkg-deb -f "$work/out/signet-queue_${version}_${arch}.deb" Installed-Size) KiB (signet-queue)"
if [ "$failures" -ne 0 ]; then
  echo "deb_test: $failures failed" >&2
  exit 1
fi
echo "deb_test: 1 passed, 0 failed"
