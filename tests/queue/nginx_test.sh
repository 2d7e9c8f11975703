#!/usr/bin/env bash
# `signet-queue publish --out DIR` served by Debian's nginx on loopback: a
# screen-side fetch of the mirror verifies with the queue's public key, media
# bytes match their names, and conditional GETs answer 304. Then a real
# headless signet-kiosk follows the mirror (`--queue` pointed at nginx): it
# shows the published approved items (and never the pending one), notices
# that nginx answers its long polls at once and falls back to conditional
# polling (If-None-Match, 304 in nginx's access log), and after a re-publish
# with a new priority notice shows that within a few poll intervals.
# usage: nginx_test.sh SIGNET_QUEUE SIGNET_CLI ASSETS_DIR WORKDIR SIGNET_KIOSK
set -euo pipefail
queue=$1 cli=$2 assets=$3 work=$4 kiosk=$5
rm -rf "$work"
mkdir -p "$work/nginx"
data=$work/data pub=$work/pub
failures=0
fail() { echo "FAIL $*" >&2; failures=$((failures + 1)); }
ok() { echo "ok   $*"; }
# check MESSAGE COMMAND...: ok when the command succeeds, else a failure.
check() {
  local what=$1
  shift
  if "$@"; then ok "$what"; else fail "$what"; fi
}

command -v nginx >/dev/null || { echo "nginx not found: run toolchain/deps.sh test" >&2; exit 1; }

printf 'nginx-test-password\n' | "$queue" init --data "$data" --password-stdin --clinic "Praxis Mirror" >/dev/null
"$queue" screen add --data "$data" --id mirror-1 --name "Mirror 1" --group g >/dev/null
"$queue" screen add --data "$data" --id other --name "Other" >/dev/null
"$queue" import --data "$data" --as admin --approve-as admin "$assets/demo/tips.json" >/dev/null
# A notice with an image, so the mirror carries media too. (A 1x1 PNG.)
# Priority 0: it takes its turn with the tips instead of pre-empting them.
printf '%s' 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==' \
  | base64 -d >"$work/dot.png"
sha=$("$queue" media add --data "$data" "$work/dot.png")
notice_sha=$sha
printf '[{"kind": "notice", "title": "Heute", "body": "Mit Bild.", "priority": 0, "media": [{"sha256": "%s", "alt": "Punkt"}]}]\n' \
  "$sha" >"$work/notice.json"
"$queue" import --data "$data" --as admin --approve-as admin "$work/notice.json" >/dev/null
# A pending item: in the store, never in a feed, never on a screen.
printf '[{"kind": "post", "title": "Entwurf", "body": "Noch nicht freigegeben."}]\n' >"$work/pending.json"
"$queue" import --data "$data" --as admin "$work/pending.json" >/dev/null
"$queue" publish --data "$data" --out "$pub" >/dev/null
check "publish wrote the feed" test -f "$pub/v1/screens/mirror-1/feed"

# nginx needs a free port; it cannot report one it picked itself.
port=
for _ in 1 2 3 4 5 6 7 8; do
  candidate=$((20000 + (RANDOM % 20000)))
  cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 64; }
http {
  log_format signet '\$status "\$request" "\$http_if_none_match" "\$http_user_agent"';
  access_log $work/nginx/access.log signet;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server {
    listen 127.0.0.1:$candidate;
    root $pub;
    location /v1/screens/ { default_type application/json; add_header Cache-Control no-cache; }
    location /v1/media/ { default_type application/octet-stream;
                          add_header Cache-Control "public, max-age=31536000, immutable"; }
  }
}
CONF
  # As root the workers would drop to nobody; keep them as the caller so the
  # build folder needs no other permissions.
  user_directive=()
  [ "$(id -u)" -eq 0 ] && user_directive=(-g "user root;")
  nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" "${user_directive[@]}" 2>>"$work/nginx/start.log" &
  nginx_pid=$!
  for _ in $(seq 1 50); do
    curl -s -o /dev/null "http://127.0.0.1:$candidate/" && break
    kill -0 "$nginx_pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$nginx_pid" 2>/dev/null; then port=$candidate; break; fi
done
[ -n "$port" ] || { cat "$work/nginx/start.log" "$work/nginx/error.log" >&2; echo "nginx did not start" >&2; exit 1; }
kiosk_pid=
cleanup() {
  local pid
  for pid in $kiosk_pid $nginx_pid; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT
base=http://127.0.0.1:$port

# The screen's fetch: the feed, then every media file it names.
check "nginx serves the feed" curl -sf -D "$work/headers" -o "$work/feed.json" "$base/v1/screens/mirror-1/feed"
mkdir -p "$work/media"
"$cli" inspect "$work/feed.json" >"$work/inspect.txt" 2>&1 || true
for file in "$pub"/v1/media/*; do
  [ -f "$file" ] || continue
  sha=$(basename "$file")
  curl -sf -o "$work/media/$sha" "$base/v1/media/$sha"
  check "media $sha matches its name" test "$(sha256sum "$work/media/$sha" | cut -d' ' -f1)" = "$sha"
done
if "$cli" verify --trust "$data/signing.pub" --screen mirror-1 --group g --media-dir "$work/media" \
  "$work/feed.json" >"$work/verify.txt" 2>&1; then
  ok "the mirrored feed verifies for its screen"
else
  fail "verify: $(cat "$work/verify.txt")"
fi
shown=$(grep -c 'shown' "$work/verify.txt" || true)
check "5 approved tips and the notice shown (got $shown)" test "$shown" -ge 6
check "the notice's image was mirrored" test -f "$work/media/$sha"
if "$cli" verify --trust "$data/signing.pub" --screen other "$work/feed.json" >/dev/null 2>&1; then
  fail "a feed for mirror-1 verified for another screen"
else
  ok "another screen refuses it"
fi
other_key=$work/other
"$cli" keygen --secret "$other_key.key" --public "$other_key.pub" >/dev/null
if "$cli" verify --trust "$other_key.pub" --screen mirror-1 "$work/feed.json" >/dev/null 2>&1; then
  fail "verified with a key the queue never used"
else
  ok "an untrusted key refuses it"
fi

# Conditional polling, as a screen behind a mirror does it.
etag=$(grep -i '^etag:' "$work/headers" | cut -d' ' -f2 | tr -d '\r')
code=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$base/v1/screens/mirror-1/feed")
check "conditional GET answers 304 (got $code)" test "$code" = 304

# A second publish with nothing changed keeps the version (no churn), so
# mirrors and screens keep answering 304.
"$queue" publish --data "$data" --out "$pub" >/dev/null
check "re-publish without change keeps the bytes" cmp -s "$work/feed.json" "$pub/v1/screens/mirror-1/feed"

# --- a real kiosk follows the mirror ------------------------------------
# wait_for SECONDS COMMAND...: polls the command every 50 ms until it
# succeeds (true) or SECONDS passed (false). Never longer while the kiosk
# is dead: then the last try decides at once.
wait_for() {
  local tries=$(($1 * 20)) i
  shift
  for ((i = 0; i < tries; i++)); do
    "$@" && return 0
    [ -z "$kiosk_pid" ] || kill -0 "$kiosk_pid" 2>/dev/null || break
    sleep 0.05
  done
  "$@"
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# ids_of VERIFY_OUTPUT: the ids of the items `signet verify` showed.
ids_of() { sed -n 's/^item \([^ ]*\) rev [0-9]* [a-z]*: shown$/\1/p' "$1" | sort -u; }

kdir=$work/kiosk
mkdir -p "$kdir/state"
kplay=$kdir/play.log klog=$kdir/kiosk.log access=$work/nginx/access.log
ids_of "$work/verify.txt" >"$work/ids-1.txt"
check "the first version names 6 items" test "$(wc -l <"$work/ids-1.txt")" -eq 6
SDL_VIDEODRIVER=offscreen SDL_FRAMEBUFFER_ACCELERATION=0 SDL_AUDIODRIVER=dummy \
  "$kiosk" --headless --queue "$base" --screen mirror-1 --group g --trust "$data/signing.pub" \
  --long-poll 25 --poll-interval 0.5 --net-timeout 5 --retry-max 2 \
  --size 640x360 --fade 0 --dwell-min 300 --dwell-max 300 \
  --state-dir "$kdir/state" --play-log "$kplay" >"$klog" 2>&1 &
kiosk_pid=$!
kiosk_t0=$(now_ms)

# played_all IDS_FILE: every id in the file is in the play log.
played_all() {
  local id
  [ -f "$kplay" ] || return 1
  while read -r id; do
    grep -qF "\"item\":\"$id\"" "$kplay" || return 1
  done <"$1"
}
log_has() { grep -qF -- "$1" "$klog"; }
# kiosk_304s: how many of the kiosk's conditional long polls nginx answered
# 304 (the kiosk named a version it holds; nginx ignores ?wait=25).
kiosk_304s() {
  grep -cE '^304 "GET /v1/screens/mirror-1/feed\?wait=25 HTTP/1\.1" "[^"-][^"]*" "signet-kiosk/1"$' \
    "$access" || true
}
at_least_304s() { [ "$(kiosk_304s)" -ge "$1" ]; }

if wait_for 30 played_all "$work/ids-1.txt"; then
  ok "the kiosk shows all 6 approved items of the mirror (play log)"
else
  fail "the kiosk did not show every published item: $(cat "$kplay" 2>/dev/null)"
fi
check "the kiosk says it falls back to polling" \
  wait_for 10 log_has "server answers at once (no long poll): polling every 0.5 s"
check "the kiosk fetched the notice's image from the mirror" \
  grep -qE "^200 \"GET /v1/media/$notice_sha HTTP/1\.1\" \"-\" \"signet-kiosk/1\"$" "$access"
if wait_for 10 at_least_304s 3; then
  ok "the kiosk polls with If-None-Match and nginx answers 304 ($(kiosk_304s) so far)"
else
  fail "no 304s for the kiosk in nginx's access log: $(grep signet-kiosk "$access" | tail -5)"
fi
old_etag=$(grep -E '^304 "GET /v1/screens/mirror-1/feed' "$access" | grep 'signet-kiosk' | tail -1 | cut -d'"' -f4)

# A change on the queue side, published again: a priority notice, which
# takes the screen at once once the kiosk has the new version.
printf '[{"kind": "notice", "title": "Praxis geschlossen", "body": "Heute ab 14 Uhr.", "priority": 80}]\n' \
  >"$work/closed.json"
"$queue" import --data "$data" --as admin --approve-as admin "$work/closed.json" >/dev/null
before_304s=$(kiosk_304s)
t0=$(now_ms)
"$queue" publish --data "$data" --out "$pub" >/dev/null
if "$cli" verify --trust "$data/signing.pub" --screen mirror-1 --group g --media-dir "$pub/v1/media" \
  "$pub/v1/screens/mirror-1/feed" >"$work/verify-2.txt" 2>&1; then
  ok "the re-published feed verifies"
else
  fail "verify after re-publish: $(cat "$work/verify-2.txt")"
fi
ids_of "$work/verify-2.txt" >"$work/ids-2.txt"
new_id=$(comm -13 "$work/ids-1.txt" "$work/ids-2.txt")
check "the re-published feed adds exactly the new notice (got '$new_id')" \
  test "$(printf '%s\n' "$new_id" | grep -c .)" -eq 1
new_version=$(sed -n 's/^envelope accepted: version \([0-9]*\),.*/\1/p' "$work/verify-2.txt")
# shown_new: the new notice is in the play log, with the new version.
shown_new() { grep -qE "\"item\":\"$new_id\",\"rev\":1,\"version\":$new_version\}" "$kplay"; }
if [ -n "$new_id" ] && wait_for 10 shown_new; then
  elapsed=$(($(now_ms) - t0))
  ok "the kiosk shows the re-published notice (version $new_version) $elapsed ms after publish started"
  # The issue: "within a few poll intervals" (0.5 s each); only reported here,
  # a timed assertion would fail on a loaded machine for no fault.
  if [ "$elapsed" -le 2000 ]; then
    echo "     within 4 poll intervals: yes"
  else
    echo "     within 4 poll intervals: NO ($elapsed ms)"
  fi
else
  fail "the kiosk did not pick up the re-published feed: $(tail -5 "$kplay" 2>/dev/null)"
fi
check "the kiosk logs the new version" log_has "feed version $new_version accepted"
# After the change the kiosk polls with the new validator, and gets 304s
# again for that one.
new_etag_304() {
  grep -E '^304 "GET /v1/screens/mirror-1/feed' "$access" | grep 'signet-kiosk' | tail -1 \
    | cut -d'"' -f4 | grep -qvxF -- "$old_etag"
}
check "the kiosk polls the new version conditionally (304, new If-None-Match)" wait_for 10 new_etag_304
check "the kiosk's requests went on meanwhile ($before_304s 304s before, $(kiosk_304s) now)" \
  test "$(kiosk_304s)" -gt "$before_304s"

# Nothing but published approved items and the idle card ever showed.
sed -n 's/.*"item":"\([^"]*\)".*/\1/p' "$kplay" | sort -u >"$work/played.txt"
unexpected=$(cat "$work/ids-1.txt" "$work/ids-2.txt" <(echo idle) | sort -u | comm -23 "$work/played.txt" -)
check "the play log holds only approved items (unexpected: '${unexpected}')" test -z "$unexpected"
no_refusal() { ! grep -qE 'feed refused|fetch failed' "$klog"; }
check "no feed was refused, no fetch failed" no_refusal
if kill -0 "$kiosk_pid" 2>/dev/null; then
  kill -TERM "$kiosk_pid"
  kiosk_ms=$(($(now_ms) - kiosk_t0))
  kiosk_rc=0
  wait "$kiosk_pid" || kiosk_rc=$?
  kiosk_pid=
  check "the kiosk exits cleanly on SIGTERM (status $kiosk_rc)" test "$kiosk_rc" -eq 0
  # A mirror that answers at once must not be asked again at once: about
  # one feed request per poll interval (0.5 s), plus the first two (the
  # second tells the kiosk it faces a mirror) and some slack. A slow machine
  # only makes fewer; a kiosk that hammers the mirror makes hundreds.
  feed_requests=$(grep -c '"GET /v1/screens/mirror-1/feed[ ?].*"signet-kiosk/1"$' "$access" || true)
  most=$((kiosk_ms / 500 + 5))
  check "the kiosk asked for the feed $feed_requests times in $kiosk_ms ms (at most $most)" \
    test "$feed_requests" -le "$most"
else
  fail "the kiosk died: $(tail -20 "$klog")"
fi

echo "nginx mirror: $failures failures"
[ "$failures" -eq 0 ]
