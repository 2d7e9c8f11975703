#!/usr/bin/env bash
# Tests the signet command-line tool as a user would call it: every command,
# its exit code (0 ok, 1 refused, 2 usage or I/O) and that errors say what is
# wrong. Usage: cli_test.sh SIGNET WORK_DIR
set -euo pipefail
signet=$1 work=$2
rm -rf "$work"
mkdir -p "$work"
cd "$work"
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# expect CODE PATTERN -- ARGS...: runs signet, checks exit code and that
# stdout+stderr match PATTERN (extended regex).
expect() {
  local code=$1 pattern=$2
  shift 3
  local out rc=0
  out=$("$signet" "$@" 2>&1) || rc=$?
  [ "$rc" -eq "$code" ] || fail "signet $*: exit $rc, want $code; output: $out"
  [[ $out =~ $pattern ]] || fail "signet $*: output does not match /$pattern/: $out"
}

expect 2 "usage: signet" --
expect 0 "keygen +--secret FILE" -- --help
expect 2 "unknown command \"frobnicate\"" -- frobnicate
expect 2 "needs --secret FILE and --public FILE" -- keygen
expect 0 "^keyid [0-9a-f]{16}$" -- keygen --secret a.key --public a.pub
[ "$(stat -c %a a.key)" = 600 ] || fail "secret key is not mode 0600"
[ "$(wc -l <a.pub)" -eq 1 ] || fail "public key file is not one line"
expect 2 "already exists" -- keygen --secret a.key --public b.pub
"$signet" keygen --secret other.key --public other.pub >/dev/null

cat >payload.json <<'JSON'
{"signet_feed":"1.0","screen":"wz1","version":2,"issued":"2026-11-20T08:00:00Z","expires":"2026-12-20T08:00:00Z",
 "items":[{"id":"ok","rev":1,"kind":"tip","title":"Hände","approval":{"by":"anna","at":"2026-11-20T08:00:00Z","until":"2026-12-01T00:00:00Z"}},
          {"id":"draft","rev":1,"kind":"tip","title":"Entwurf"}]}
JSON
expect 0 "^$" -- sign --key a.key --out feed.env payload.json
expect 2 "needs --key SECRET and one PAYLOAD" -- sign payload.json
expect 2 "missing.key: No such file" -- sign --key missing.key payload.json
printf 'not a key\n' >bad.key
expect 2 "bad.key: not a secret Ed25519 key" -- sign --key bad.key payload.json
printf '{"signet_feed":"1.0","screen":"wz1","version":2}' >incomplete.json
expect 1 "missing \"issued\"" -- sign --key a.key incomplete.json
printf '{"signet_feed":"1.0","signet_feed":"1.0"}' >dup.json
expect 1 "duplicate key" -- sign --key a.key dup.json
expect 0 "^\\{\"payloadType\":\"application/vnd.signet.feed\\+json\"" -- sign --key a.key payload.json

expect 0 "envelope accepted: version 2.*item ok rev 1 tip: shown.*item draft rev 1 tip: no-approval" -- \
  verify --trust a.pub --screen wz1 --now 2026-11-23T10:00:00Z feed.env
expect 1 "envelope refused: unknown-key" -- verify --trust other.pub --screen wz1 feed.env
expect 1 "envelope refused: wrong-screen" -- verify --trust a.pub --screen wz9 feed.env
expect 1 "envelope refused: feed-expired" -- verify --trust a.pub --screen wz1 --now 2027-01-01T00:00:00Z feed.env
expect 0 "item ok rev 1 tip: approval-expired" -- verify --trust a.pub --screen wz1 --now 2026-12-02T00:00:00Z feed.env
expect 2 "needs --trust, --screen and one ENVELOPE" -- verify feed.env
expect 2 "is not like 2026-11-22T08:00:00Z" -- verify --trust a.pub --screen wz1 --now tomorrow feed.env
expect 2 "nope.pub: No such file" -- verify --trust nope.pub --screen wz1 feed.env
head -c 100 feed.env >truncated.env
expect 1 "envelope refused: envelope-malformed" -- verify --trust a.pub --screen wz1 truncated.env
# One flipped payload character: the signature no longer verifies.
sed 's/"payload":"eyJ/"payload":"eyK/' feed.env >tampered.env
expect 1 "envelope refused: bad-signature" -- verify --trust a.pub --screen wz1 tampered.env

expect 0 "UNVERIFIED.*keyid [0-9a-f]{16}.*version 2.*item ok rev 1 tip approval anna" -- inspect feed.env
expect 1 "envelope malformed" -- inspect truncated.env
expect 2 "needs one ENVELOPE" -- inspect

if [ "$failures" -ne 0 ]; then
  echo "cli_test: $failures failed" >&2
  exit 1
fi
echo "cli_test: all checks passed"
