#!/usr/bin/env bash
# `signet-queue publish --out DIR` served by Debian's nginx on loopback: a
# screen-side fetch of the mirror verifies with the queue's public key, media
# bytes match their names, and conditional GETs answer 304.
# usage: nginx_test.sh SIGNET_QUEUE SIGNET_CLI ASSETS_DIR WORKDIR
set -euo pipefail
queue=$1 cli=$2 assets=$3 work=$4
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
printf '%s' 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==' \
  | base64 -d >"$work/dot.png"
sha=$("$queue" media add --data "$data" "$work/dot.png")
printf '[{"kind": "notice", "title": "Heute", "body": "Mit Bild.", "media": [{"sha256": "%s", "alt": "Punkt"}]}]\n' \
  "$sha" >"$work/notice.json"
"$queue" import --data "$data" --as admin --approve-as admin "$work/notice.json" >/dev/null
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
  access_log off;
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
trap 'kill "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true' EXIT
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

echo "nginx mirror: $failures failures"
[ "$failures" -eq 0 ]
