#!/usr/bin/env bash
# Tests firmware/signet-provision on folders standing in for the boot
# partition, /etc, the kiosk's state and /run: valid and broken signet.txt
# files, exit codes, messages, the files written and their modes, that a
# refused file changes nothing, that the token leaves the boot partition, and
# that the real kiosk accepts what was written (the setup-message
# configuration included).
# Usage: provision_test.sh FIRMWARE_DIR SIGNET KIOSK|- WORK_DIR
set -euo pipefail
firmware=$1 signet=$2 kiosk=$3 work=$4
provision=$firmware/signet-provision
rm -rf "$work"
mkdir -p "$work"
cd "$work"
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# A time zone database of two zones and the country table (tests pass
# --zoneinfo, so no tzdata is needed).
mkdir -p zoneinfo/Europe zoneinfo/America
printf 'TZif2 fake zone\n' >zoneinfo/Europe/Berlin
printf 'TZif2 fake zone\n' >zoneinfo/America/New_York
printf 'not a zone\n' >zoneinfo/zone.tab
printf '#code\tname\nDE\tGermany\nAT\tAustria\n' >zoneinfo/iso3166.tab

"$signet" keygen --secret queue.key --public queue.pub >/dev/null
"$signet" keygen --secret other.key --public other.pub >/dev/null
key=$(cat queue.pub)
other_key=$(cat other.pub)
token=5f0e6a1d9c2b47e8a3f1c0d2b4e6f8a1c3e5f7a9b1d3f5e7c9a2b4d6f8e0a1c3
me=$(id -un)

# valid [EXTRA LINES...]: a complete signet.txt on stdout.
valid() {
  printf '%s\n' "# a Signet screen" "queue_url=http://127.0.0.1:9/signet" "screen_id=wz-1" \
    "token=$token" "trusted_key=$key" "timezone=Europe/Berlin" "$@"
}
# with KEY VALUE: stdin with KEY's line set to KEY=VALUE, byte for byte.
with() {
  local l
  while IFS= read -r l; do
    if [[ $l == "$1="* ]]; then printf '%s=%s\n' "$1" "$2"; else printf '%s\n' "$l"; fi
  done
}
# fresh NAME: an empty board at NAME/ (boot etc state run).
fresh() {
  rm -rf "$1"
  mkdir -p "$1/boot" "$1/etc" "$1/state" "$1/run"
}
# prov NAME [ARGS...]: runs the provisioner on board NAME; sets rc and out.
prov() {
  local b=$1
  shift
  rc=0
  out=$("$provision" --boot "$b/boot" --etc "$b/etc" --state "$b/state" --run "$b/run" \
    --zoneinfo "$work/zoneinfo" --user "$me" "$@" 2>&1) || rc=$?
}
# expect CODE PATTERN WHAT: checks the last prov.
expect() {
  [ "$rc" -eq "$1" ] || fail "$3: exit $rc, want $1; output: $out"
  [[ $out =~ $2 ]] || fail "$3: output does not match /$2/: $out"
}
# snapshot NAME: a listing with contents of NAME/etc and NAME/state, to prove
# that a refusal changed nothing.
snapshot() { (cd "$1" && find etc state -print0 | sort -z | xargs -0 ls -ld --time-style=+ && find etc state -type f -print0 | sort -z | xargs -0 -r sha256sum); }
# refused NAME WHAT: signet.txt kept, setup mode written, etc/state untouched.
refused() {
  [ -f "$1/boot/signet.txt" ] || fail "$2: a refused signet.txt was removed"
  [ -f "$1/boot/signet-error.txt" ] || fail "$2: no signet-error.txt"
  [ -f "$1/run/setup.conf" ] || fail "$2: no setup.conf"
  grep -qx "SIGNET_KIOSK_CONFIG=$work/$1/run/setup.conf" "$1/run/kiosk.env" || fail "$2: kiosk.env does not name setup.conf"
  grep -q '^clinic = signet.txt' "$1/run/setup.conf" || fail "$2: setup.conf shows no problem"
  if find "$1/etc" "$1/state" -name '.*' | grep -q .; then fail "$2: temp files left behind"; fi
}

# --- a valid file ---------------------------------------------------------
fresh ok
valid "display_on=07:00" "display_off=19:00" >ok/boot/signet.txt
prov ok
expect 0 "applied signet.txt: screen wz-1" "valid"
expect 0 "plain http" "valid (http warning)"
conf=ok/etc/signet/kiosk.conf
for want in "queue = http://127.0.0.1:9/signet" "screen = wz-1" \
  "token-file = $work/ok/etc/signet/kiosk.token" "trust = $work/ok/etc/signet/trusted.pub" \
  "timezone = Europe/Berlin" "state-dir = $work/ok/state" "fullscreen = yes"; do
  grep -qxF "$want" "$conf" || fail "kiosk.conf lacks \"$want\""
done
[ "$(stat -c %a ok/etc/signet/kiosk.token)" = 600 ] || fail "token file mode $(stat -c %a ok/etc/signet/kiosk.token), want 600"
[ "$(stat -c %U ok/etc/signet/kiosk.token)" = "$me" ] || fail "token file not owned by $me"
[ "$(cat ok/etc/signet/kiosk.token)" = "$token" ] || fail "token file content"
[ "$(stat -c %a "$conf")" = 644 ] || fail "kiosk.conf mode $(stat -c %a "$conf")"
[ "$(stat -c %a ok/etc/signet)" = 755 ] || fail "etc/signet mode $(stat -c %a ok/etc/signet)"
cmp -s ok/etc/signet/trusted.pub queue.pub || fail "trusted.pub differs from the queue's key file"
[ "$(readlink ok/etc/localtime)" = "$work/zoneinfo/Europe/Berlin" ] || fail "localtime -> $(readlink ok/etc/localtime)"
[ "$(cat ok/etc/timezone)" = Europe/Berlin ] || fail "etc/timezone"
printf '%s\n' "display_on=07:00" "display_off=19:00" | cmp -s - <(grep -v '^#' ok/etc/signet/display-hours.conf) ||
  fail "display-hours.conf: $(cat ok/etc/signet/display-hours.conf)"
[ ! -e ok/boot/signet.txt ] || fail "signet.txt still on the boot partition"
if grep -rqF "$token" ok/boot; then fail "the token is still readable on the boot partition"; fi
grep -qx "screen_id=wz-1" ok/boot/signet-applied.txt || fail "signet-applied.txt lacks the screen id"
[ ! -e ok/boot/signet-error.txt ] || fail "signet-error.txt after success"
[ -z "$(ls -A ok/run)" ] || fail "setup files in run/ after success: $(ls ok/run)"
if find ok/etc -name '.*' | grep -q .; then fail "temp files left in etc"; fi
[ ! -e ok/etc/NetworkManager ] || fail "a Wi-Fi connection without wifi_ssid"

# The real kiosk takes the configuration: key, token file, time zone.
if [ "$kiosk" != - ]; then
  krc=0
  kout=$(SDL_VIDEODRIVER=offscreen "$kiosk" --config "$conf" --headless --exit-after 1 2>&1) || krc=$?
  [ "$krc" -eq 0 ] || fail "signet-kiosk refused the written kiosk.conf (exit $krc): $kout"
  [[ $kout =~ "trusting key" ]] || fail "signet-kiosk did not load the trusted key: $kout"
else
  echo "note: signet-kiosk not built (SIGNET_APP=OFF): kiosk checks left out" >&2
fi

# Run again with no signet.txt: a configured board keeps its configuration.
before=$(snapshot ok)
prov ok
expect 0 "keeps its configuration" "no signet.txt on a configured board"
[ "$before" = "$(snapshot ok)" ] || fail "no signet.txt: the configuration changed"
[ -z "$(ls -A ok/run)" ] || fail "no signet.txt on a configured board: setup mode written"

# --- the example: refused as shipped (placeholders), applied once filled in ---
fresh example
cp "$firmware/signet.txt.example" example/boot/signet.txt
prov example
expect 1 "token is still the placeholder.*trusted_key is still the placeholder" "signet.txt.example as shipped"
with token "$token" <"$firmware/signet.txt.example" | with trusted_key "$key" >example/boot/signet.txt
prov example
expect 0 "applied signet.txt: screen wartezimmer-1" "signet.txt.example filled in"
grep -qx "display_off=19:00" example/etc/signet/display-hours.conf || fail "example: display hours"

# --- nothing at all: setup message, not a black screen ------------------------
fresh none
prov none
expect 1 "missing" "no signet.txt, no configuration"
grep -qx 'clinic = signet.txt fehlt' none/run/setup.conf || fail "no signet.txt: setup.conf says $(grep clinic none/run/setup.conf)"

# --- refusals keep the previous configuration -----------------------------------
# check_refused NAME PATTERN WHAT: signet.txt on board "prev" (configured
# from ok) is refused with PATTERN, and nothing under etc or state changed.
fresh prev0
valid >prev0/boot/signet.txt
prov prev0
[ "$rc" -eq 0 ] || fail "setting up the previous configuration: $out"
echo '{"previous":"state"}' >prev0/state/accepted-wz-1.json
setup_prev() {
  rm -rf prev
  cp -a prev0 prev
}
check_refused() {
  local pattern=$1 what=$2
  setup_prev
  cat >prev/boot/signet.txt
  local before
  before=$(snapshot prev)
  prov prev
  expect 1 "$pattern" "$what"
  [ "$before" = "$(snapshot prev)" ] || fail "$what: the previous configuration changed"
  refused prev "$what"
  if [[ $out == *"$token"* ]] || grep -qF "$token" prev/boot/signet-error.txt prev/run/*; then
    fail "$what: the token appears in a message"
  fi
}

valid | grep -v '^token=' | check_refused "token is missing" "missing token"
valid | grep -v -e '^screen_id=' -e '^timezone=' | check_refused "screen_id is missing.*timezone is missing|timezone is missing.*screen_id is missing" "two fields missing"
grep -qx 'clinic = signet.txt: screen_id fehlt' prev/run/setup.conf || fail "missing fields: screen text $(grep clinic prev/run/setup.conf)"
printf '# nothing\n' | check_refused "queue_url is missing" "comments only"
for url in "ftp://queue.example.org" "queue.example.org" "https://" "https://user:pw@queue.example.org" \
  "https://queue.example.org/?screen=1" "https://queue.example.org/#x" "https://queue example.org" \
  'https://queue.example.org\x' "javascript:alert(1)" "https://-bad-.example.org" "https://queue.example.org:123456"; do
  valid | with queue_url "$url" | check_refused "line 2: queue_url must be an http:// or https:// address" "bad URL ${url:0:40}"
done
for k in "${key:0:43}" "${key}A" "${key:0:42}B=" "${key:0:42}!=" "$(head -c 33 /dev/urandom | base64)" \
  "$(head -c 32 /dev/urandom | base64 | tr '+/' '-_')x" "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="; do
  valid | with trusted_key "$k" | check_refused "line 5: trusted_key (must be the queue's public key|is still the placeholder)" "bad key $k"
done
for t in "${token:0:63}" "${token}0" "${token:0:63}g" "0000000000000000000000000000000000000000000000000000000000000000"; do
  valid | with token "$t" | check_refused "line 4: token (must be the 64 hexadecimal|is still the placeholder)" "bad token"
done
for id in "wz 1" ".hidden" "$(printf 'x%.0s' $(seq 65))" "wz/1" "wartezimmer-ü"; do
  valid | with screen_id "$id" | check_refused "line 3: screen_id must be" "bad screen id $id"
done
for tz in "Mars/Olympus" "../../etc/passwd" "/etc/passwd" "zone.tab" "Europe" ""; do
  valid | with timezone "$tz" | check_refused "line 6: timezone" "bad time zone \"$tz\""
done
valid "colour=blue" | check_refused "line 7: unknown key \"colour\"" "unknown key"
grep -qx 'clinic = signet.txt: Zeile 7' prev/run/setup.conf || fail "unknown key: screen text $(grep clinic prev/run/setup.conf)"
valid "Queue_URL=https://x.example" | check_refused "line 7: unknown key" "key in capitals"
valid "screen_id=wz-2" | check_refused "line 7: screen_id is given twice \(first on line 3\)" "duplicate key"
grep -qx 'clinic = signet.txt: screen_id doppelt' prev/run/setup.conf || fail "duplicate key: screen text"
valid "$token" | check_refused "line 7: expected key=value" "a bare token line"
valid "display_on=7:00" "display_off=19:00" | check_refused "display_on must be a time HH:MM" "bad time"
valid "display_on=07:00" "display_off=24:00" | check_refused "display_off must be a time HH:MM" "time 24:00"
valid "display_on=07:00" | check_refused "display_on needs display_off" "one display time"
valid "display_on=07:00" "display_off=07:00" | check_refused "the same time" "equal display times"
valid "wifi_ssid=Praxis" "wifi_psk=kurz" "wifi_country=DE" | check_refused "wifi_psk must be 8 to 63" "short Wi-Fi password"
[[ $out == *kurz* ]] && fail "the Wi-Fi password appears in a message"
valid "wifi_ssid=Praxis" "wifi_psk=langes-passwort" | check_refused "wifi_ssid needs wifi_country" "Wi-Fi without country"
valid "wifi_psk=langes-passwort" | check_refused "wifi_psk needs wifi_ssid" "Wi-Fi password alone"
valid "wifi_ssid=Praxis" "wifi_country=XX" | check_refused "wifi_country must be a two-letter" "unknown country"
{ valid; printf 'x%.0s' $(seq 1100); echo; } | check_refused "line 7: longer than 1024 bytes" "long line"
{ valid; printf 'screen_id\0=x\n'; } | check_refused "NUL bytes" "NUL byte"
{ valid; printf 'clinic=\001\n'; } | check_refused "line 7: holds a control character" "control character"
{ valid; printf '# caf\351\n'; } | check_refused "not UTF-8" "Latin-1 text"
valid | sed '3s/$/\r/;3s/wz-1/wz\r-1/' | check_refused "line 3: holds a control character" "stray carriage return"
: | check_refused "is empty" "empty file"

# A huge file is refused after reading at most the limit.
setup_prev
before=$(snapshot prev)
{ valid; head -c 10000000 /dev/zero | tr '\0' '#'; } >prev/boot/signet.txt
start=$SECONDS
prov prev
expect 1 "larger than 16384 bytes" "huge file"
[ $((SECONDS - start)) -le 5 ] || fail "huge file took $((SECONDS - start)) s"
[ "$before" = "$(snapshot prev)" ] || fail "huge file: the previous configuration changed"
refused prev "huge file"

# A file just under the limit (comments) is fine.
fresh big
valid >big/boot/signet.txt
comment="# $(printf 'c%.0s' $(seq 97))" # 100 bytes with its newline
while [ $(($(wc -c <big/boot/signet.txt) + 100)) -le 16384 ]; do echo "$comment" >>big/boot/signet.txt; done
fill=$((16384 - $(wc -c <big/boot/signet.txt) - 2))
printf '#%s\n' "$(printf 'c%.0s' $(seq "$fill"))" >>big/boot/signet.txt
[ "$(wc -c <big/boot/signet.txt)" -eq 16384 ] || fail "test set-up: the 16 KiB file has $(wc -c <big/boot/signet.txt) bytes"
prov big
expect 0 "applied" "exactly 16 KiB"
fresh big
valid >big/boot/signet.txt
while [ $(($(wc -c <big/boot/signet.txt) + 100)) -le 16384 ]; do echo "$comment" >>big/boot/signet.txt; done
fill=$((16385 - $(wc -c <big/boot/signet.txt) - 2))
printf '#%s\n' "$(printf 'c%.0s' $(seq "$fill"))" >>big/boot/signet.txt
prov big
expect 1 "larger than 16384 bytes" "16 KiB and one byte"

# Not a regular file.
fresh dir
mkdir dir/boot/signet.txt
prov dir
expect 1 "not a regular file" "signet.txt is a folder"

# --- line ends and byte order marks --------------------------------------------
fresh crlf
valid "display_on=07:00" "display_off=19:00" | sed 's/$/\r/' >crlf/boot/signet.txt
prov crlf
expect 0 "applied" "CRLF line ends"
if grep -q $'\r' crlf/etc/signet/kiosk.conf crlf/etc/signet/kiosk.token crlf/etc/signet/display-hours.conf; then
  fail "CRLF: a carriage return reached the configuration"
fi
grep -qx "screen = wz-1" crlf/etc/signet/kiosk.conf || fail "CRLF: screen id"
fresh bom
{ printf '\357\273\277'; valid; } >bom/boot/signet.txt
prov bom
expect 0 "applied" "byte order mark"
grep -qx "queue = http://127.0.0.1:9/signet" bom/etc/signet/kiosk.conf || fail "BOM: queue"
fresh bomfirst # the BOM directly before the first key
{ printf '\357\273\277'; valid | grep -v '^#'; } | sed 's/$/\r/' >bomfirst/boot/signet.txt
prov bomfirst
expect 0 "applied" "BOM and CRLF before the first key"
fresh spaces
valid | sed 's/=/ = /; s/^/  /; s/$/\t/' >spaces/boot/signet.txt
prov spaces
expect 0 "applied" "spaces around keys and values"
grep -qx "screen = wz-1" spaces/etc/signet/kiosk.conf || fail "spaces: screen id"

# --- Wi-Fi -------------------------------------------------------------------------
fresh wifi
valid 'wifi_ssid=Praxis WLAN' 'wifi_psk=geheim\123;x=y' "wifi_country=de" >wifi/boot/signet.txt
prov wifi
expect 0 "applied" "Wi-Fi"
nm=wifi/etc/NetworkManager/system-connections/signet-wifi.nmconnection
[ "$(stat -c %a "$nm")" = 600 ] || fail "Wi-Fi connection mode $(stat -c %a "$nm")"
grep -qx 'ssid=Praxis WLAN' "$nm" || fail "Wi-Fi ssid"
grep -qxF 'psk=geheim\\123;x=y' "$nm" || fail "Wi-Fi psk not escaped for a key file: $(grep psk= "$nm")"
grep -qx 'wifi_country=DE' wifi/boot/signet-applied.txt || fail "country not upper-cased"
if grep -rq geheim wifi/boot; then fail "the Wi-Fi password is still on the boot partition"; fi
# A new file without Wi-Fi removes the connection this tool wrote.
valid >wifi/boot/signet.txt
prov wifi
[ ! -e "$nm" ] || fail "the old Wi-Fi connection stayed"
[ ! -e wifi/etc/signet/display-hours.conf ] || fail "display hours stayed without display_on"

# --- a move to another queue or key forgets the accepted feeds ------------------
fresh move
valid >move/boot/signet.txt
prov move
echo '{}' >move/state/accepted-wz-1.json
echo x >move/state/feed-wz-1.dsse
mkdir -p move/state/media && echo m >move/state/media/abc
valid >move/boot/signet.txt
prov move
[ -e move/state/accepted-wz-1.json ] || fail "same queue and key: accepted feeds were forgotten"
valid | with trusted_key "$other_key" >move/boot/signet.txt
prov move
expect 0 "feeds accepted before were forgotten" "new key"
if [ -e move/state/accepted-wz-1.json ] || [ -e move/state/feed-wz-1.dsse ]; then fail "new key: accepted feeds kept"; fi
[ -e move/state/media/abc ] || fail "new key: the media cache (content-addressed) was removed"

# --- fixing a refused file ------------------------------------------------------------
fresh fix
valid | grep -v '^token=' >fix/boot/signet.txt
prov fix
expect 1 "token is missing" "before the fix"
valid >fix/boot/signet.txt
prov fix
expect 0 "applied" "after the fix"
[ -z "$(ls -A fix/run)" ] || fail "setup mode left after the fix: $(ls fix/run)"
[ ! -e fix/boot/signet-error.txt ] || fail "signet-error.txt left after the fix"

# --- the kiosk shows the setup message -------------------------------------------
if [ "$kiosk" != - ]; then
  mkdir -p kstate
  krc=0
  kout=$(SDL_VIDEODRIVER=offscreen "$kiosk" --config prev/run/setup.conf --state-dir kstate --headless \
    --exit-after 1 --screenshot setup.png 2>&1) || krc=$?
  [ "$krc" -eq 0 ] || fail "signet-kiosk refused setup.conf (exit $krc): $kout"
  [[ $kout =~ "screen signet-setup" ]] || fail "signet-kiosk did not start in setup mode: $kout"
  [ -s setup.png ] || fail "no screenshot of the setup message"
fi

# --- a file that changes while it is read ---------------------------------------------
# A writer keeps rewriting signet.txt the way a slow editor saves: truncate,
# then line by line, then a pause; it alternates version A (display hours on
# its last lines) and version B (another queue and time zone, no hours). A
# copy taken mid-write is a prefix of one version, and a prefix of A that
# ends before display_on would be a valid file. Each run must apply exactly A
# or exactly B, or refuse; never a prefix, never a mix.
version_a=$(valid "display_on=07:00" "display_off=19:00")
version_b=$(valid | with queue_url "http://127.0.0.1:8/b" | with timezone "America/New_York")
fresh race
printf '%s\n' "$version_b" >race/boot/signet.txt
prov race
writer() {
  local v l
  while :; do
    for v in "$version_a" "$version_b"; do
      : >race/boot/signet.txt
      while IFS= read -r l; do
        printf '%s\n' "$l" >>race/boot/signet.txt
        sleep 0.01
      done <<<"$v"
      sleep 0.15
    done
  done
}
applied=0 refusals=0
for round in $(seq 10); do
  writer &
  wpid=$!
  sleep "0.0$round"
  prov race
  kill "$wpid"
  wait "$wpid" 2>/dev/null || true
  q=$(sed -n 's/^queue = //p' race/etc/signet/kiosk.conf)
  z=$(sed -n 's/^timezone = //p' race/etc/signet/kiosk.conf)
  h=none
  [ ! -f race/etc/signet/display-hours.conf ] || h=$(grep -c '^display_' race/etc/signet/display-hours.conf)
  case "$q|$z|$h" in
    "http://127.0.0.1:9/signet|Europe/Berlin|2" | "http://127.0.0.1:8/b|America/New_York|none") ;;
    "http://127.0.0.1:9/signet|Europe/Berlin|none") fail "race round $round: version A applied without its display hours (a torn copy)" ;;
    *) fail "race round $round: a mixed configuration: queue $q, time zone $z, hours $h" ;;
  esac
  if [ "$rc" -eq 0 ]; then
    applied=$((applied + 1))
  elif [ "$rc" -eq 1 ]; then
    refusals=$((refusals + 1))
    [[ $out =~ "kept changing while it was read" ]] || fail "race round $round: refused a torn copy instead of reading again: $out"
  else
    fail "race round $round: exit $rc: $out"
  fi
done
echo "race: $applied applied, $refusals refused as still changing, never torn or mixed"
[ "$applied" -gt 0 ] || fail "race: no round applied a stable copy"

# --- live mode: the system commands, through stubs ----------------------------------
mkdir -p stubs
for c in raspi-config nmcli systemctl; do
  printf '#!/bin/sh\necho "%s $*" >>"%s/calls"\n' "$c" "$work" >"stubs/$c"
  chmod +x "stubs/$c"
done
fresh live
valid "wifi_ssid=Praxis" "wifi_psk=langes-passwort" "wifi_country=AT" >live/boot/signet.txt
: >calls
PATH=$work/stubs:$PATH prov live --live
expect 0 "applied" "live mode"
for want in "raspi-config nonint do_wifi_country AT" "nmcli connection reload" \
  "systemctl --no-block try-restart signet-kiosk.service"; do
  grep -qxF "$want" calls || fail "live mode did not run \"$want\" (calls: $(tr '\n' ';' <calls))"
done
: >calls
prov live
[ ! -s calls ] || fail "without --live, system commands ran: $(cat calls)"

# --- trouble ------------------------------------------------------------------------------
fresh bad
valid >bad/boot/signet.txt
rm -rf bad/etc
echo "not a folder" >bad/etc
prov bad
expect 2 "cannot" "--etc is a file"
[ -f bad/boot/signet.txt ] || fail "a failed apply removed signet.txt"
prov ok --frobnicate
expect 2 "unknown argument" "unknown argument"
fresh nouser
valid >nouser/boot/signet.txt
rc=0
out=$("$provision" --boot nouser/boot --etc nouser/etc --state nouser/state --run nouser/run \
  --zoneinfo "$work/zoneinfo" --user signet-no-such-user 2>&1) || rc=$?
expect 1 "kiosk user \"signet-no-such-user\" does not exist" "missing kiosk user"

if [ "$failures" -gt 0 ]; then
  echo "$failures failure(s)" >&2
  exit 1
fi
echo "provision: all checks passed"
