#!/usr/bin/env bash
# Black-box test of signet-kiosk: starts the real binary headless on real
# signed feeds and checks what it showed through its play log, its log and
# its screenshot.
#   1. A feed mixing approved, unapproved, expired-approval, not-yet-approved
#      and missing-media items: the play log holds only the approved ids.
#   2. While it runs the feed file is replaced by a feed signed with another
#      key, then by a feed for another screen (both refused, nothing of them
#      shown), then by a newer valid feed (shown within 2 s).
#   3. The screenshot of a pinned clock matches its golden image.
#   4. After a restart an older feed version is refused (rollback), with the
#      settings read from a --config file.
#   5. Bad network settings (--queue URL, token file, pin, intervals) are
#      refused with a message; a token never reaches the log.
# Usage: kiosk_blackbox.sh SIGNET KIOSK PNG_COMPARE GOLDEN_DIR WORK_DIR
# SIGNET_UPDATE_GOLDEN=1 rewrites the golden screenshot.
set -euo pipefail
signet=$1 kiosk=$2 png_compare=$3 golden_dir=$4 work=$5
rm -rf "$work"
mkdir -p "$work/media" "$work/state"
cd "$work"
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

"$signet" keygen --secret board.key --public board.pub >/dev/null
"$signet" keygen --secret evil.key --public evil.pub >/dev/null

approval='"approval":{"by":"anna","at":"2026-11-20T08:00:00Z","until":"2026-12-01T00:00:00Z"}'
# payload VERSION SCREEN ITEMS...
payload() {
  local version=$1 screen=$2
  shift 2
  local IFS=,
  printf '{"signet_feed":"1.0","screen":"%s","version":%s,"issued":"2026-11-20T08:00:00Z",' "$screen" "$version"
  printf '"expires":"2026-12-20T08:00:00Z","clinic":"Praxis am Markt","items":[%s]}' "$*"
}
tip() { printf '{"id":"%s","rev":1,"kind":"tip","title":"%s","body":"%s"%s}' "$1" "$2" "$3" "${4:+,$4}"; }

ok1=$(tip tip-hands "Hände waschen" "Mindestens 20 Sekunden mit Seife, auch zwischen den Fingern." "$approval")
ok2=$(tip tip-water "Trinken Sie genug" "Anderthalb Liter Wasser am Tag – bei Hitze mehr. Prost! 🥤" "$approval")
unapproved=$(tip post-unapproved "Nicht freigegeben" "Darf nie erscheinen.")
expired=$(tip tip-expired "Abgelaufen" "Freigabe vorbei." '"approval":{"by":"anna","at":"2026-11-01T08:00:00Z","until":"2026-11-10T00:00:00Z"}')
notyet=$(tip tip-notyet "Noch nicht" "Freigabe ab Dezember." '"approval":{"by":"anna","at":"2026-12-01T08:00:00Z","until":"2026-12-10T00:00:00Z"}')
nomedia=$(tip tip-nomedia "Ohne Bild" "Das Bild fehlt." "$approval,\"media\":[{\"sha256\":\"$(printf 'ab%.0s' $(seq 32))\",\"type\":\"image/png\"}]")
newer=$(tip tip-newer "Neu" "Kam mit Version 6." "$approval")
# Media: a real PNG stored under its hash (shown), and a file whose bytes do
# not match the hash it is stored under (dropped).
image=$golden_dir/../render/card_1280x720.png
good_sha=$(sha256sum "$image" | cut -d' ' -f1)
cp "$image" "media/$good_sha"
bad_sha=$(printf 'cd%.0s' $(seq 32))
cp "$image" "media/$bad_sha"
withimage=$(tip tip-image "Mit Bild" "Bild geprüft." "$approval,\"media\":[{\"sha256\":\"$good_sha\",\"type\":\"image/png\",\"alt\":\"Karte\"}]")
badimage=$(tip tip-badimage "Falsches Bild" "Hash passt nicht." "$approval,\"media\":[{\"sha256\":\"$bad_sha\",\"type\":\"image/png\"}]")

payload 5 wz1 "$ok1" "$unapproved" "$expired" "$ok2" "$notyet" "$nomedia" "$withimage" "$badimage" >v5.json
payload 6 wz1 "$ok1" "$newer" >v6.json
payload 7 wz1 "$(tip evil-key "Fremd" "Falscher Schlüssel." "$approval")" >evil.json
payload 8 wz2 "$(tip evil-screen "Fremd" "Anderer Bildschirm." "$approval")" >other.json
"$signet" sign --key board.key --out v5.env v5.json
"$signet" sign --key board.key --out v6.env v6.json
"$signet" sign --key evil.key --out evil.env evil.json
"$signet" sign --key board.key --out other.env other.json

run_kiosk() { # LOG EXIT_AFTER [extra flags]; with background=1 the shell becomes the kiosk
  local log=$1 seconds=$2
  shift 2
  local cmd=("$kiosk" --headless --feed-file feed.env --trust board.pub --screen wz1
    --state-dir state --play-log play.log --clock-start 2026-11-23T09:00:00Z
    --size 1280x720 --dwell-min 700 --dwell-max 700 --fade 100 --timezone Europe/Berlin
    --exit-after "$seconds" "$@")
  # A function run with & is a subshell: exec so that $! is the kiosk itself.
  if [ "${background:-0}" = 1 ]; then exec "${cmd[@]}" 2>"$log"; fi
  "${cmd[@]}" 2>"$log"
}

# --- 1 and 2: one run, feed file replaced while it runs ---------------------
cp v5.env feed.env
started=$(date +%s.%N)
background=1 run_kiosk run1.log 9 --screenshot signal.png &
pid=$!
sleep 2
# SIGUSR1 asks for a screenshot while running (the exit one comes later).
kill -USR1 "$pid"
sleep 1
[ -s signal.png ] || fail "no screenshot written on SIGUSR1"
cp evil.env feed.env.new && mv feed.env.new feed.env
sleep 1.5
cp other.env feed.env.new && mv feed.env.new feed.env
sleep 1.5
cp v6.env feed.env.new && mv feed.env.new feed.env
swapped=$(date +%s.%N)
wait "$pid" || fail "kiosk exited with $?"

shown=$(sed -n 's/.*"item":"\([^"]*\)".*/\1/p' play.log | sort -u | tr '\n' ' ')
echo "shown: $shown"
for id in tip-hands tip-water tip-image tip-newer; do
  grep -q "\"item\":\"$id\"" play.log || fail "$id never shown"
done
for id in post-unapproved tip-expired tip-notyet tip-nomedia tip-badimage evil-key evil-screen idle; do
  ! grep -q "\"item\":\"$id\"" play.log || fail "$id must not be shown"
done
for want in "post-unapproved rev 1 dropped: no-approval" "tip-expired rev 1 dropped: approval-expired" \
  "tip-notyet rev 1 dropped: approval-not-yet-valid" "tip-nomedia rev 1 waits for its media (media-missing)" \
  "tip-badimage rev 1 dropped: media-hash-mismatch" \
  "feed refused (unknown-key)" "feed refused (wrong-screen)" "feed version 6 accepted"; do
  [ "$(grep -c -- "$want" run1.log)" -eq 1 ] || fail "expected exactly one log line with '$want'"
done
# Every play-log line is complete JSON with the wire fields.
while IFS= read -r line; do
  [[ $line =~ ^\{\"time\":\"2026-11-23T[0-9:]{8}Z\",\"screen\":\"wz1\",\"item\":\"[a-z-]+\",\"rev\":[0-9]+,\"version\":[56]\}$ ]] ||
    fail "malformed play-log line: $line"
done <play.log
# The newer feed reached the screen within 2 s of the swap. The play log is
# on the pinned clock, which started at 09:00:00 when the kiosk did, so the
# swap happened at 09:00:00 + (swapped - started) on that clock.
first_newer=$(sed -n 's/.*"time":"2026-11-23T09:\([0-9][0-9]\):\([0-9][0-9]\)Z".*"item":"tip-newer".*/\1 \2/p' play.log | head -1)
if [ -z "$first_newer" ]; then
  fail "tip-newer never shown"
else
  # One extra second for the play log's whole-second timestamps.
  awk -v ms="$first_newer" -v s="$started" -v w="$swapped" 'BEGIN {
    split(ms, p, " "); shown = p[1] * 60 + p[2]; swap = w - s
    printf "feed swap at %.2fs, new card on screen by %ds\n", swap, shown
    exit !(shown <= swap + 2 + 1) }' || fail "new feed took longer than 2 s to reach the screen"
fi

# --- 3: golden screenshots at three screen sizes ---------------------------------
# German text with umlauts, ß, a long compound and emoji (one from the
# fallback font, one with a skin tone that must not leave a tofu box).
shot_item=$(tip tip-shot "Grippeschutzimpfung für Groß und Klein 👍🏽" \
  "Die Grippeschutzimpfungsempfehlungskommission rät: jetzt impfen lassen! Fragen Sie am Empfang – wir beraten Sie gern. 🌻" \
  "$approval")
payload 9 wz1 "$shot_item" >shot.json
"$signet" sign --key board.key --out feed.env shot.json
for size in 1920x1080 1080x1920 1280x720; do
  rm -rf state/* play.log
  run_kiosk "run2-$size.log" 1.2 --screenshot "shot-$size.png" --size "$size"
  [ -s "shot-$size.png" ] || fail "no screenshot written at $size"
  golden="$golden_dir/kiosk_tip_$size.png"
  if [ "${SIGNET_UPDATE_GOLDEN:-0}" = 1 ]; then
    cp "shot-$size.png" "$golden"
    echo "golden updated: $golden"
  elif ! "$png_compare" "shot-$size.png" "$golden" "shot-$size.diff.png"; then
    fail "screenshot at $size differs from $golden (see $work/shot-$size.diff.png)"
  fi
done

# --- 4: rollback refused after a restart -----------------------------------------
rm -rf state/* play.log
cp v6.env feed.env
run_kiosk run3.log 1.2
cp v5.env feed.env
# This run takes its settings from a config file written on Windows (BOM,
# CRLF), as an installer might.
printf '\xef\xbb\xbf# Signet kiosk\r\nfeed-file = feed.env\r\ntrust = board.pub\r\nscreen = wz1\r\nstate-dir = state\r\nplay-log = play.log\r\nheadless = yes\r\n' >kiosk.conf
"$kiosk" --config kiosk.conf --clock-start 2026-11-23T09:00:00Z --exit-after 1.2 2>run4.log
grep -q "feed refused (rollback)" run4.log || fail "older feed not refused after restart"
grep -q '"item":"idle","rev":0,"version":0' play.log || fail "idle card not shown after refusal"
! grep -q '"version":5' play.log || fail "rolled-back version 5 was shown"

# --- 5: settings that must be refused before anything starts ---------------------
printf '%s\n' 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff >token.ok
printf 'not-a-token\n' >token.bad
# refused EXPECTED-MESSAGE ARGS...: exit status 2 or 1 and the message on stderr.
refused() {
  local want=$1 rc=0
  shift
  "$kiosk" --headless --trust board.pub --screen wz1 --state-dir state "$@" 2>refused.log && rc=0 || rc=$?
  if [ "$rc" -eq 0 ] || ! grep -qF -- "$want" refused.log; then
    fail "kiosk $* should be refused with \"$want\" (rc $rc): $(head -c 300 refused.log)"
  fi
}
refused "exactly one of --queue" --exit-after 0.1
refused "exactly one of --queue" --queue http://127.0.0.1:9 --feed-file feed.env
refused "http:// or https://" --queue ftp://127.0.0.1/
refused "http:// or https://" --queue file:///etc/
refused "user name or password" --queue https://user:pw@127.0.0.1/
refused "query or a fragment" --queue "http://127.0.0.1/?x=1"
refused "sha256//" --queue http://127.0.0.1:9 --pin-key md5//abc
refused "--long-poll" --queue http://127.0.0.1:9 --long-poll 61
refused "--poll-interval" --queue http://127.0.0.1:9 --poll-interval 0
refused "64 hex digits" --queue http://127.0.0.1:9 --token-file token.bad --exit-after 0.1
! grep -q "not-a-token" refused.log || fail "a bad token file's text was echoed"
refused "--token-file" --queue http://127.0.0.1:9 --token-file missing.token --exit-after 0.1
# A good token with an unreachable queue starts and keeps running.
"$kiosk" --headless --trust board.pub --screen wz1 --state-dir state --queue http://127.0.0.1:9 \
  --token-file token.ok --net-timeout 1 --retry-max 1 --exit-after 1.5 2>unreachable.log ||
  fail "kiosk with an unreachable queue did not run to --exit-after"
grep -q "feed fetch failed" unreachable.log || fail "unreachable queue not logged"
! grep -q "00112233445566778899" unreachable.log || fail "the token reached the log"

if [ "$failures" -ne 0 ]; then
  echo "kiosk_blackbox: $failures failed" >&2
  exit 1
fi
echo "kiosk_blackbox: all checks passed"
