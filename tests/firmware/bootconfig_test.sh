#!/usr/bin/env bash
# Tests firmware/signet-bootconfig on folders standing in for the boot
# partition: the stock Raspberry Pi OS files give the expected output (golden
# files in data/), a second run changes nothing, backups keep the originals,
# every user line survives, and the awkward cases (KMS already loaded with
# parameters or only for some boards, the old fake-KMS overlay, init
# arguments after "--", CRLF, a damaged managed block) come out right.
# Usage: bootconfig_test.sh FIRMWARE_DIR DATA_DIR WORK_DIR
set -euo pipefail
bootconfig=$1/signet-bootconfig data=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
cd "$work"
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# board NAME CONFIG CMDLINE: a boot folder from two files (or strings via -).
board() {
  rm -rf "$1"
  mkdir -p "$1"
  cp "$2" "$1/config.txt"
  cp "$3" "$1/cmdline.txt"
}
# apply NAME [ARGS...]: sets rc and out.
apply() {
  local b=$1
  shift
  rc=0
  out=$("$bootconfig" --boot "$b" "$@" 2>&1) || rc=$?
}
# expect CODE REGEX WHAT: checks the last apply.
expect() {
  [ "$rc" -eq "$1" ] || fail "$3: exit $rc, want $1: $out"
  [[ $out =~ $2 ]] || fail "$3: output does not match /$2/: $out"
}
sums() { (cd "$1" && sha256sum ./* | sort); }

for v in bookworm buster; do
  board "$v" "$data/$v-config.txt" "$data/$v-cmdline.txt"
  apply "$v" --check
  [ "$rc" -eq 1 ] || fail "$v: --check before applying: exit $rc, want 1: $out"
  [ "$(sums "$v")" = "$(cd "$v" && sha256sum ./* | sort)" ] || fail "$v: --check wrote something"
  [ ! -e "$v/config.txt.signet-orig" ] || fail "$v: --check made a backup"
  apply "$v"
  [ "$rc" -eq 0 ] || fail "$v: first run: exit $rc: $out"
  [[ $out =~ "reboot to apply" ]] || fail "$v: first run does not ask for a reboot: $out"
  cmp -s "$v/config.txt" "$data/$v-config.expected" || fail "$v: config.txt differs from $v-config.expected: $(diff "$data/$v-config.expected" "$v/config.txt")"
  cmp -s "$v/cmdline.txt" "$data/$v-cmdline.expected" || fail "$v: cmdline.txt differs from $v-cmdline.expected: $(diff "$data/$v-cmdline.expected" "$v/cmdline.txt")"
  cmp -s "$v/config.txt.signet-orig" "$data/$v-config.txt" || fail "$v: config.txt backup is not the original"
  cmp -s "$v/cmdline.txt.signet-orig" "$data/$v-cmdline.txt" || fail "$v: cmdline.txt backup is not the original"
  # Every original line is still there (the fake-KMS overlay commented out).
  while IFS= read -r l; do
    [[ $l == dtoverlay=vc4-fkms-v3d* ]] && l="#signet-bootconfig: $l"
    grep -qxF -- "$l" "$v/config.txt" || fail "$v: user line lost: $l"
  done <"$data/$v-config.txt"
  for p in $(head -n 1 "$data/$v-cmdline.txt"); do
    case $p in console=tty1 | consoleblank=* | quiet) continue ;; esac
    grep -qw -- "$p" "$v/cmdline.txt" || fail "$v: kernel parameter lost: $p"
  done
  # Idempotent: nothing changes, nothing is written, the backups stay.
  before=$(sums "$v")
  touch -d 2001-01-01 "$v"/* "$v"
  apply "$v"
  [ "$rc" -eq 0 ] || fail "$v: second run: exit $rc: $out"
  [[ $out =~ "config.txt is up to date".*"cmdline.txt is up to date" ]] || fail "$v: second run: $out"
  [ "$before" = "$(sums "$v")" ] || fail "$v: second run changed files"
  [ -z "$(find "$v" -newermt 2001-01-02)" ] || fail "$v: second run wrote $(find "$v" -newermt 2001-01-02)"
  apply "$v" --check
  [ "$rc" -eq 0 ] || fail "$v: --check after applying: exit $rc: $out"
  [ "$(find "$v" | wc -l)" -eq 5 ] || fail "$v: stray files: $(ls -A "$v")"
done

# The KMS overlay already loaded with parameters: kept, not doubled.
printf 'dtparam=audio=on\ndtoverlay=vc4-kms-v3d,cma-512\n' >kms-params.txt
board params kms-params.txt "$data/bookworm-cmdline.txt"
apply params
[ "$(grep -c 'vc4-kms-v3d' params/config.txt)" -eq 1 ] || fail "KMS with parameters: $(grep vc4 params/config.txt)"
grep -qx 'dtoverlay=vc4-kms-v3d,cma-512' params/config.txt || fail "KMS parameters lost"
# Loaded only for Pi 4 boards: the managed block loads it for all.
printf '[pi4]\ndtoverlay=vc4-kms-v3d\n[all]\n' >kms-pi4.txt
board pi4 kms-pi4.txt "$data/bookworm-cmdline.txt"
apply pi4
[ "$(grep -cx 'dtoverlay=vc4-kms-v3d' pi4/config.txt)" -eq 2 ] || fail "KMS for [pi4] only: $(cat pi4/config.txt)"
# Later edits to the file: a user who switches KMS on by hand after the block.
printf 'dtoverlay=vc4-kms-v3d\n' >>pi4/config.txt
apply pi4
[ "$(grep -cx 'dtoverlay=vc4-kms-v3d' pi4/config.txt)" -eq 2 ] || fail "user KMS line after the block: $(cat pi4/config.txt)"
if sed -n '/^# BEGIN signet/,/^# END signet/p' pi4/config.txt | grep -q vc4-kms; then
  fail "the block still loads KMS, which the user now loads"
fi
apply pi4
expect 0 "config.txt is up to date" "pi4: idempotent after the user's edit"

# A hand edit inside the managed block is replaced; the block stays where it
# was, so user lines after it keep overriding it.
board edit "$data/bookworm-config.txt" "$data/bookworm-cmdline.txt"
apply edit
sed -i 's/^disable_splash=1$/disable_splash=0/' edit/config.txt
printf 'disable_overscan=0\n' >>edit/config.txt
apply edit
grep -qx 'disable_splash=1' edit/config.txt || fail "hand edit in the block survived"
[ "$(tail -n 1 edit/config.txt)" = disable_overscan=0 ] || fail "the user's override after the block moved"
cmp -s edit/config.txt.signet-orig "$data/bookworm-config.txt" || fail "the backup was overwritten by a later run"

# A damaged block (BEGIN without END) is left for a human.
board damaged "$data/bookworm-config.txt" "$data/bookworm-cmdline.txt"
apply damaged
sed -i '/^# END signet$/d' damaged/config.txt
cp damaged/config.txt damaged.before
apply damaged
expect 2 "fix it by hand" "damaged block"
cmp -s damaged/config.txt damaged.before || fail "damaged block: config.txt was changed"

# CRLF (edited on Windows): user lines keep their line ends; the kernel
# command line loses its carriage return (it would end up in a parameter).
printf 'dtparam=audio=on\r\n[pi4]\r\narm_boost=1\r\n' >crlf.txt
printf 'console=tty1 root=/dev/mmcblk0p2 rootwait\r\n' >crlf-cmdline.txt
board crlf crlf.txt crlf-cmdline.txt
apply crlf
[ "$rc" -eq 0 ] || fail "CRLF: exit $rc: $out"
grep -qx $'arm_boost=1\r' crlf/config.txt || fail "CRLF: a user line lost its line end"
if grep -q $'\r' crlf/cmdline.txt; then fail "CRLF: carriage return left in cmdline.txt"; fi
apply crlf
[[ $out =~ "config.txt is up to date".*"cmdline.txt is up to date" ]] || fail "CRLF: not idempotent: $out"

# Trouble: no boot partition, an empty command line.
mkdir -p empty
apply empty
expect 2 "config.txt not found" "empty folder"
board nocmd "$data/bookworm-config.txt" /dev/null
apply nocmd
expect 2 "cmdline.txt is empty" "empty cmdline.txt"
cmp -s nocmd/config.txt "$data/bookworm-config.txt" || fail "empty cmdline.txt: config.txt was changed anyway"
apply bookworm --frobnicate
[ "$rc" -eq 2 ] || fail "unknown argument: exit $rc"

if [ "$failures" -gt 0 ]; then
  echo "$failures failure(s)" >&2
  exit 1
fi
echo "bootconfig: all checks passed"
