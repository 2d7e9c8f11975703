// Crash consistency of signet-kiosk's cache (state folder): the accepted
// envelope feed-s1.dsse, the rollback record accepted-s1.json and the media
// files media/<sha256>, all replaced atomically by lib/fileio.c.
//
// Phase 1, kill -9: a server publishes a new signed feed every 20-50 ms, each
// naming a new PNG, and the kiosk (same state folder every time) is killed at
// a random moment, 200 times: some early, during start and cache load; the
// rest shortly after it accepted a feed from the network. After every kill:
//   - accepted-s1.json parses, and its version never goes down (rollback
//     protection is never lost); it is at least every version the log called
//     accepted (the record is written before the log line);
//   - feed-s1.dsse verifies with `signet verify` and is byte for byte a feed
//     the server published, not older than the record (envelope first);
//   - every media file hashes to its name; temp files a kill left are
//     never taken for content and are gone after the next start (state
//     folder) or accepted feed (media folder);
//   - every play-log line is an item of the feed version it names, that
//     version is <= the record, and not older than the record at start.
// faultfs (phase 2) only traces the write calls here (nothing fails): it tells
// how many kills hit a write in flight.
// Every 20th time the kiosk restarts with the server refusing connections and
// must show the cached feed at once (its first play-log line is a cached
// item of the cached version); the time from spawn to that line is printed.
//
// Phase 2, failing writes: faultfs.c (LD_PRELOAD) makes the Nth write-path
// call in the state folder fail with ENOSPC or EIO, for every N that
// accepting a feed with a new PNG takes (and "from N on", a full disk). The
// kiosk starts from a good cache (version 10) and is served version 11,
// which revokes an item and names a new PNG. It must keep running, log one
// clear line per failed file, still show version 11 (a revocation takes
// effect even on a full disk), never the revoked item after it; each file on
// disk is exactly the old or the new copy, as fileio's steps predict, and no
// temp file is left. Restarted without the shim and offline, it shows only
// verified content: the cached feed, or the idle card when the cached
// envelope is older than the record (after a failed envelope write).
//
// usage: node crash.test.mjs SIGNET SIGNET_KIOSK LIBFAULTFS WORKDIR
// Environment: SIGNET_CRASH_ITERATIONS (200), SIGNET_CRASH_SEED (random),
// SIGNET_SANITIZE=ON and SIGNET_ASAN_RUNTIME=<libasan.so> in the ASan build
// (set by CMake), SIGNET_CRASH_ASAN_WAY=preload|option to choose how the shim
// is loaded next to ASan (default: preload libasan first when known),
// SIGNET_CRASH_PHASES=1 or 2 to run one phase only.
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { checker } from '../queue/queue.mjs';
import { closedPort, startHostile } from './hostile_server.mjs';
import { iso, makePng, sha256 } from './feeds.mjs';
import { sleep, startKiosk } from './kiosk.mjs';

const [signet, kioskBin, faultfs, work] = process.argv.slice(2);
if (!work) {
  console.error('usage: node crash.test.mjs SIGNET SIGNET_KIOSK LIBFAULTFS WORKDIR');
  process.exit(2);
}
const t = checker('kiosk-crash');
const started = Date.now();
const ITERATIONS = Number(process.env.SIGNET_CRASH_ITERATIONS || 200);
const SEED = Number(process.env.SIGNET_CRASH_SEED || crypto.randomInt(1, 2 ** 31));
const SANITIZE = process.env.SIGNET_SANITIZE === 'ON';
console.log(`seed ${SEED} (SIGNET_CRASH_SEED=${SEED} repeats the kill moments)`);
fs.rmSync(work, { recursive: true, force: true });
fs.mkdirSync(work, { recursive: true });
const fx = path.join(work, 'fixtures');
fs.mkdirSync(fx);

// A small seeded generator (mulberry32), so a failing run can be repeated.
let rngState = SEED >>> 0;
function random() {
  rngState = (rngState + 0x6d2b79f5) >>> 0;
  let x = rngState;
  x = Math.imul(x ^ (x >>> 15), x | 1);
  x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
  return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
}
const randInt = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));

// Waits until fn() is truthy; returns its value, or null after ms.
async function waitFor(fn, ms, step = 10) {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() >= end) return null;
    await sleep(step);
  }
}
// t.ok with the detail computed only on failure.
const check = (cond, what, detail) => t.ok(cond, what, cond ? undefined : detail());
const readOr = (file, dflt = null) => {
  try { return fs.readFileSync(file); } catch { return dflt; }
};

// --- fixtures: keys, PNGs, envelopes signed in Node -------------------------
const now = Date.now();
const HOUR = 3600e3, DAY = 24 * HOUR;

execFileSync(signet, ['keygen', '--secret', path.join(fx, 'board.key'), '--public', path.join(fx, 'board.pub')]);
const trust = path.join(fx, 'board.pub');

// The secret key file is the base64 of libsodium's seed || public key
// (lib/keys.c); Node signs with the seed. The envelope text is laid out as
// keys_sign_envelope() writes it, checked against the CLI below.
const PAYLOAD_TYPE = 'application/vnd.signet.feed+json';
const skBytes = Buffer.from(fs.readFileSync(path.join(fx, 'board.key'), 'utf8').trim(), 'base64');
const signKey = crypto.createPrivateKey({ format: 'der', type: 'pkcs8',
  key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), skBytes.subarray(0, 32)]) });
const keyid = sha256(skBytes.subarray(32)).slice(0, 16);
function envelope(payload) {
  const pae = Buffer.concat([Buffer.from(`DSSEv1 ${PAYLOAD_TYPE.length} ${PAYLOAD_TYPE} ${payload.length} `), payload]);
  const sig = crypto.sign(null, pae, signKey).toString('base64');
  return Buffer.from(`{"payloadType":"${PAYLOAD_TYPE}","payload":"${payload.toString('base64')}",` +
    `"signatures":[{"keyid":"${keyid}","sig":"${sig}"}]}\n`);
}
const approval = { by: 'anna', at: iso(now - HOUR), until: iso(now + DAY) };
const textItem = (id, title) => ({ id, rev: 1, kind: 'tip', title, lang: 'de', approval,
  body: 'Hände waschen, mindestens 20 Sekunden.' });
const imgItem = (id, sha) => ({ ...textItem(id, `Bild ${id}`),
  media: [{ sha256: sha, type: 'image/png', alt: 'Bild' }] });
function payloadFor(version, items) {
  return Buffer.from(JSON.stringify({ signet_feed: '1.0', screen: 's1', version, issued: iso(now - 60e3),
    expires: iso(now + DAY), clinic: 'Praxis am Markt', items }));
}

// Everything published, by version: its envelope, payload hash and the
// play-log entries ("item@rev") it allows.
// play-log entries ("item@rev") it allows. One map per phase: both phases
// publish versions 10 and 11.
const killPublished = new Map(), faultPublished = new Map();
const publishedMedia = new Set();
function publish(published, version, items) {
  const payload = payloadFor(version, items);
  const env = envelope(payload);
  published.set(version, { env, sha: sha256(payload), allowed: new Set(items.map((i) => `${i.id}@${i.rev}`)) });
  return env;
}
const envVersion = (bytes) => {
  try { return JSON.parse(Buffer.from(JSON.parse(bytes).payload, 'base64')).version; } catch { return null; }
};

{ // Node's envelope is byte for byte the CLI's (Ed25519 is deterministic).
  const p = path.join(fx, 'check.json');
  const payload = payloadFor(1, [textItem('tip-a', 'Tipp')]);
  fs.writeFileSync(p, payload);
  execFileSync(signet, ['sign', '--key', path.join(fx, 'board.key'), '--out', `${p}.dsse`, p]);
  t.ok(fs.readFileSync(`${p}.dsse`).equals(envelope(payload)), 'envelopes signed in Node equal the CLI\'s',
    fs.readFileSync(`${p}.dsse`, 'utf8'));
}

// `signet verify` on a file; results remembered by content hash.
const verified = new Map();
function verifyEnvelope(file, bytes) {
  const h = sha256(bytes);
  if (!verified.has(h)) {
    try {
      execFileSync(signet, ['verify', '--trust', trust, '--screen', 's1', file], { stdio: 'pipe' });
      verified.set(h, true);
    } catch {
      verified.set(h, false);
    }
  }
  return verified.get(h);
}

// The kiosk's play log: parsed lines, and whether the last one is torn.
function readPlays(file) {
  const text = readOr(file, Buffer.alloc(0)).toString('utf8');
  const parts = text.split('\n');
  const tail = parts.pop();
  const lines = [];
  let bad = tail !== '' ? 1 : 0;
  for (const l of parts) {
    try { lines.push(JSON.parse(l)); } catch { bad++; }
  }
  return { lines, bad };
}
const playOk = (published, l) => l.item === 'idle' || published.get(l.version)?.allowed.has(`${l.item}@${l.rev}`);

// How the kiosk is started under the shim; ASan wants its runtime first in
// the library list: preload it ahead of the shim, or switch the check off.
const asanRuntime = process.env.SIGNET_ASAN_RUNTIME || '';
const asanWay = !SANITIZE ? 'none' : (process.env.SIGNET_CRASH_ASAN_WAY || (asanRuntime ? 'preload' : 'option'));
function shimEnv(extra) {
  const env = { ...extra };
  if (asanWay === 'preload') {
    env.LD_PRELOAD = `${asanRuntime}:${faultfs}`;
  } else {
    env.LD_PRELOAD = faultfs;
    if (asanWay === 'option') {
      env.ASAN_OPTIONS = [process.env.ASAN_OPTIONS, 'verify_asan_link_order=0'].filter(Boolean).join(':');
    }
  }
  return env;
}
const kioskArgs = (base) => ['--queue', base, '--screen', 's1', '--trust', trust, '--long-poll', '5',
  '--poll-interval', '0.3', '--net-timeout', '2', '--retry-max', '1'];
const tail = (log, n = 10) => log.split('\n').slice(-n).join('\n');
const sanitizerReport = (log) => /AddressSanitizer|LeakSanitizer|runtime error:/.test(log);
const tmpName = /\.tmp-[A-Za-z0-9]{6}$/;
const listDir = (d) => (fs.existsSync(d) ? fs.readdirSync(d) : []);

// The state folder's files as the checks see them.
function readState(stateDir) {
  const rec = readOr(path.join(stateDir, 'accepted-s1.json'));
  let state = null, stateError = null;
  if (rec) {
    try {
      state = JSON.parse(rec);
      if (state.screen !== 's1' || !Number.isInteger(state.version) || !/^[0-9a-f]{64}$/.test(state.sha256)) {
        stateError = `bad record ${rec}`;
      }
    } catch (e) {
      stateError = `accepted-s1.json does not parse (${e.message}): ${JSON.stringify(rec.toString('latin1'))}`;
    }
  }
  const envFile = path.join(stateDir, 'feed-s1.dsse');
  const env = readOr(envFile);
  return { state, stateError, env, envFile, envVersion: env ? envVersion(env) : null };
}
// Media files: {good, bad: [names], tmp: [names]}.
function checkMedia(stateDir) {
  const dir = path.join(stateDir, 'media');
  const out = { good: [], bad: [], tmp: [] };
  for (const name of listDir(dir)) {
    if (tmpName.test(name)) { out.tmp.push(name); continue; }
    const bytes = readOr(path.join(dir, name));
    if (bytes && /^[0-9a-f]{64}$/.test(name) && sha256(bytes) === name && publishedMedia.has(name)) out.good.push(name);
    else out.bad.push(name);
  }
  return out;
}

// =============================================================================
// Phase 1: kill -9 while feeds and media are being written.
// =============================================================================
const killFigures = { iterations: 0, early: 0, inFlight: 0, inFlightSteps: {}, tmpLeft: 0, offline: [],
  firstFrame: [], versions: 0, tornPlayLines: 0, mediaFiles: 0 };
async function killPhase() {
  const media = {};
  const server = await startHostile({ mode: { kind: 'status', code: 503 }, media });
  let version = 0;
  let timer = null;
  const pngFor = (v) => makePng(4, 4, [v & 255, (v >> 8) & 255, 0x5a]);
  const next = () => {
    version++;
    const png = pngFor(version);
    const sha = sha256(png);
    media[sha] = png;
    publishedMedia.add(sha);
    const old = pngFor(version - 40);
    if (version > 40) delete media[sha256(old)];
    imgShas.set(version, sha);
    // The new PNG and the two before it: media are kept across versions too.
    const items = [textItem('tip-text', 'Tipp')];
    for (let j = version; j > Math.max(0, version - 3); j--) items.push(imgItem(`img-${j}`, imgShas.get(j)));
    server.setMode({ kind: 'feed', body: publish(killPublished, version, items), etag: `"${version}"` });
  };
  const imgShas = new Map();
  const tick = () => { next(); timer = setTimeout(tick, randInt(20, 50)); };
  tick();

  const dir = path.join(work, 'kill');
  fs.rmSync(dir, { recursive: true, force: true });
  const stateDir = path.join(dir, 'state');
  const trace = path.join(dir, 'faultfs.trace');
  let lastState = 0;
  const seenTmp = new Set();
  let mediaTmp = []; // media temp files the last kill left: the next accept prunes them
  let stateTmp = []; // and those of the record and envelope: the next start removes them
  const failDump = (k, what) => {
    const keep = path.join(work, `kill-failure-${killFigures.iterations}`);
    fs.cpSync(dir, keep, { recursive: true });
    return `${what}; state folder and logs kept in ${keep}; log tail:\n${k.log().split('\n').slice(-12).join('\n')}`;
  };
  try {
    for (let i = 0; i < ITERATIONS; i++) {
      killFigures.iterations = i + 1;
      const tag = `[kill ${i + 1}]`;
      for (const f of ['play.log', 'kiosk.log', 'faultfs.trace']) fs.rmSync(path.join(dir, f), { force: true });
      const before = readState(stateDir).state?.version ?? 0;
      // The shim only traces here (nothing fails): which write step the kill hit.
      const k = startKiosk(kioskBin, dir, kioskArgs(server.base),
        { fresh: false, env: shimEnv({ SIGNET_FAULTFS_DIR: stateDir, SIGNET_FAULTFS_LOG: trace }) });
      const early = random() < 0.2;
      if (early) {
        killFigures.early++;
        await sleep(randInt(0, 400));
      } else {
        const seen = await waitFor(() => /feed version \d+ accepted/.test(k.log()) || !k.alive(), 20000);
        if (!check(seen && k.alive(), `${tag} the kiosk accepts a feed from the network`,
          () => failDump(k, 'none accepted'))) {
          await k.kill();
          break;
        }
        await sleep(randInt(0, 250));
      }
      const alive = k.alive();
      await k.kill();
      if (!check(alive, `${tag} the kiosk was running when killed (it did not crash)`,
        () => failDump(k, JSON.stringify(k.exited())))) break;

      // Was a write in flight? The last traced call is not a folder fsync.
      const calls = readOr(trace, Buffer.alloc(0)).toString('utf8').split('\n').filter(Boolean);
      const last = calls.at(-1);
      if (last && !/^\d+ fsync \S+\/state(\/media)?$/.test(last)) {
        killFigures.inFlight++;
        const step = last.split(' ')[1];
        killFigures.inFlightSteps[step] = (killFigures.inFlightSteps[step] || 0) + 1;
      }

      const log = k.log();
      const s = readState(stateDir);
      const problems = [];
      if (s.stateError) problems.push(s.stateError);
      const sv = s.state?.version ?? 0;
      if (sv < lastState) problems.push(`the record went down from ${lastState} to ${sv} (rollback protection lost)`);
      const logged = [...log.matchAll(/feed version (\d+) (?:accepted|loaded)/g)].map((m) => Number(m[1]));
      if (logged.length && Math.max(...logged) > sv) {
        problems.push(`the log accepted version ${Math.max(...logged)} but the record says ${sv}`);
      }
      if (s.state && !s.env) problems.push('a record but no cached envelope');
      if (s.env) {
        const pub = killPublished.get(s.envVersion);
        if (!pub || !pub.env.equals(s.env)) {
          problems.push(`feed-s1.dsse is not a published envelope (torn?): ${s.env.length} bytes`);
        }
        else if (!verifyEnvelope(s.envFile, s.env)) problems.push('feed-s1.dsse does not verify');
        if (s.envVersion < sv) problems.push(`cached envelope ${s.envVersion} is older than the record ${sv}`);
        if (s.envVersion === sv && pub && pub.sha !== s.state.sha256) {
          problems.push('record and envelope of one version disagree on its hash');
        }
      }
      const m = checkMedia(stateDir);
      if (m.bad.length) problems.push(`media files that do not hash to their name: ${m.bad.join(', ')}`);
      killFigures.mediaFiles += m.good.length;
      const tmps = [...listDir(stateDir), ...m.tmp.map((n) => `media/${n}`)].filter((n) => tmpName.test(n));
      for (const n of tmps) seenTmp.add(n);
      if (/feed version \d+ (?:accepted|loaded)/.test(log)) {
        const kept = mediaTmp.filter((n) => m.tmp.includes(n));
        if (kept.length) problems.push(`media temp files survived an accepted feed: ${kept.join(', ')}`);
      }
      mediaTmp = m.tmp;
      if (/: screen s1, /.test(log)) { // logged after the source started
        const kept = stateTmp.filter((n) => fs.existsSync(path.join(stateDir, n)));
        if (kept.length) problems.push(`temp files survived a start: ${kept.join(', ')}`);
      }
      stateTmp = listDir(stateDir).filter((n) => tmpName.test(n));
      const plays = readPlays(k.playLog);
      killFigures.tornPlayLines += plays.bad;
      const wrong = plays.lines.filter((l) => !playOk(killPublished, l) || l.version > sv ||
        (l.item !== 'idle' && l.version < before));
      if (wrong.length) {
        problems.push(`play-log lines not allowed (record ${sv}, at start ${before}): ${JSON.stringify(wrong.slice(0, 3))}`);
      }
      if (/could not (cache|record)/.test(log)) problems.push('a write failed without a fault injected');
      if (/ignored the rollback record/.test(log)) problems.push('the rollback record was found corrupt');
      if (sanitizerReport(log)) problems.push('sanitizer report');
      if (!check(problems.length === 0, `${tag} the state folder is consistent after kill -9`,
        () => failDump(k, problems.join('; ')))) break;
      lastState = sv;

      if ((i + 1) % 20 === 0) {
        const ok = await offlineStart(dir, stateDir, `${tag} offline`);
        if (!ok) break;
        lastState = Math.max(lastState, readState(stateDir).state?.version ?? 0);
      }
      if ((i + 1) % 50 === 0) {
        console.log(`  ${i + 1} kills, record at version ${lastState}, ${killFigures.inFlight} with a write in flight`);
      }
    }
  } finally {
    clearTimeout(timer);
    await server.close();
  }
  killFigures.versions = version;
  killFigures.tmpLeft = [...listDir(stateDir), ...listDir(path.join(stateDir, 'media'))]
    .filter((n) => tmpName.test(n)).length;
  killFigures.tmpSeen = seenTmp.size;
  t.ok(lastState > 0, 'the kill phase got feeds accepted', lastState);
}

// Restarts the kiosk with the server refusing connections: the first card
// must be a cached item of the cached version. Returns false on failure.
async function offlineStart(dir, stateDir, tag) {
  for (const f of ['play.log', 'kiosk.log']) fs.rmSync(path.join(dir, f), { force: true });
  const s = readState(stateDir);
  const port = await closedPort();
  const spawned = Date.now();
  const k = startKiosk(kioskBin, dir, kioskArgs(`http://127.0.0.1:${port}`), { fresh: false });
  const first = await waitFor(() => readPlays(k.playLog).lines[0] || !k.alive(), 15000, 2);
  const ms = Date.now() - spawned;
  const frame = await waitFor(() => /first frame presented (\d+) ms/.exec(k.log()), 5000);
  await sleep(150);
  const stopped = await k.stop().catch((e) => ({ error: e.message }));
  const ok = t.ok(first && first.item !== 'idle' && first.version === s.envVersion && playOk(killPublished, first),
    `${tag}: the first card is a cached item of version ${s.envVersion}`, { first, log: tail(k.log()) }) &&
    t.ok(ms < 10000, `${tag}: it shows within 10 s`, ms) &&
    t.ok(stopped?.code === 0, `${tag}: exits 0 on SIGTERM`, stopped) &&
    t.ok(!sanitizerReport(k.log()), `${tag}: no sanitizer report`, tail(k.log(), 40));
  killFigures.offline.push(ms);
  if (frame) killFigures.firstFrame.push(Number(frame[1]));
  return ok;
}

// =============================================================================
// Phase 2: the Nth write-path call fails with ENOSPC or EIO.
// =============================================================================
const V = 10;
const pngA = makePng(6, 6, [0x20, 0x80, 0xc0]), pngB = makePng(6, 6, [0xc0, 0x40, 0x20]);
const shaA = sha256(pngA), shaB = sha256(pngB);
publishedMedia.add(shaA);
publishedMedia.add(shaB);
const envOld = publish(faultPublished, V,
  [textItem('tip-text', 'Tipp'), imgItem('img-a', shaA), textItem('revoke-me', 'Widerrufen')]);
const envNew = publish(faultPublished, V + 1, [textItem('tip-text', 'Tipp'), imgItem('img-b', shaB)]);
const FILES = ['feed', 'state', 'media']; // in the order the kiosk writes them
const STEPS = ['mkstemp', 'write', 'fsync', 'close', 'rename', 'dirsync'];
const STEP_TEXT = { mkstemp: 'cannot create temporary file', write: 'write failed', fsync: 'fsync failed',
  close: 'close failed', rename: 'rename failed', dirsync: 'dirsync failed' };
const ERRNO_TEXT = { ENOSPC: 'No space left on device', EIO: 'Input/output error' };

// What lib/fileio.c's fileio_write_atomic() does when call number n fails
// (fails(n) true), file after file: the step that failed (or null) and
// whether the new bytes are in place. A failed write or fsync still closes
// the temp file (a counted call) before giving up.
function predict(fails) {
  let n = 0;
  const out = {};
  for (const f of FILES) {
    let failed = null;
    if (fails(++n)) {
      failed = 'mkstemp';
    } else {
      const w = fails(++n);
      const s = !w && fails(++n);
      const c = fails(++n);
      failed = w ? 'write' : s ? 'fsync' : c ? 'close' : null;
      if (!failed && fails(++n)) failed = 'rename';
      if (!failed && fails(++n)) failed = 'dirsync';
    }
    out[f] = { failed, fresh: failed === null || failed === 'dirsync' };
  }
  return out;
}

// Copies the good cache (version V, media A) made once by a clean kiosk.
async function makeTemplate() {
  const dir = path.join(work, 'template');
  const server = await startHostile({ mode: { kind: 'feed', body: envOld, etag: `"${V}"` }, media: { [shaA]: pngA } });
  const k = startKiosk(kioskBin, dir, kioskArgs(server.base));
  const ready = await waitFor(() => readState(k.stateDir).state?.version === V &&
    fs.existsSync(path.join(k.stateDir, 'media', shaA)), 20000, 20);
  const e = await k.stop().catch((err) => ({ error: err.message }));
  await server.close();
  t.ok(ready && e.code === 0, 'a clean kiosk caches version 10 and its PNG', tail(k.log()));
  return k.stateDir;
}

async function faultCase(template, errno, at, sticky, { calibrate = false } = {}) {
  const name = calibrate ? 'calibration' : `${errno}-${at}${sticky ? '+' : ''}`;
  const tag = `[fault ${name}]`;
  const dir = path.join(work, 'fault', name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const stateDir = path.join(dir, 'state');
  fs.cpSync(template, stateDir, { recursive: true });
  const trace = path.join(dir, 'faultfs.trace');
  const server = await startHostile({ mode: { kind: 'feed', body: envNew, etag: `"${V + 1}"` },
    media: { [shaA]: pngA, [shaB]: pngB } });
  const row = { name, failed: '', disk: '', restart: '', calls: [] };
  const k = startKiosk(kioskBin, dir, kioskArgs(server.base), { fresh: false, env: shimEnv({
    SIGNET_FAULTFS_DIR: stateDir, SIGNET_FAULTFS_LOG: trace, SIGNET_FAULTFS_ERRNO: errno,
    SIGNET_FAULTFS_AT: calibrate ? '0' : `${at}${sticky ? '+' : ''}` }) });
  const fails = (n) => !calibrate && (n === at || (sticky && n > at));
  const expect = predict(fails);
  const traced = () => readOr(trace, Buffer.alloc(0)).toString('utf8').split('\n').filter(Boolean);
  try {
    // Version 11 with its PNG on screen: the feed is shown whatever the disk says.
    const shown = await waitFor(() => !k.alive() ||
      readPlays(k.playLog).lines.some((l) => l.item === 'img-b' && l.version === V + 1), 20000, 20);
    t.ok(shown && k.alive(), `${tag} version 11 and its new PNG are shown`, tail(k.log()));
    // Every write the acceptance takes is over: the PNG's folder fsync was
    // traced, or its chain stopped at the failure.
    const wantLines = FILES.filter((f) => expect[f].failed);
    const logLine = (f) => (f === 'feed' ? `could not cache feed version ${V + 1}: `
      : f === 'state' ? `could not record accepted version ${V + 1} (rollback protection holds only until restart): `
        : `could not cache media ${shaB}: `);
    await waitFor(() => wantLines.every((f) => k.log().includes(logLine(f))) &&
      (wantLines.includes('media') || traced().some((l) => / fsync \S+\/media$/.test(l))), 10000, 20);
    await sleep(400); // a little more rotation, to see it keeps running
    row.calls = traced();
    const log = k.log();
    if (calibrate) return row;
    const failLines = row.calls.filter((l) => / FAIL /.test(l));
    t.ok(failLines.length >= 1 && failLines[0].startsWith(`${at} `), `${tag} call ${at} was made and failed`,
      row.calls);
    const errorLines = log.split('\n').filter((l) => /: error: /.test(l));
    row.failed = wantLines.map((f) => `${f} ${expect[f].failed}`).join(', ');
    t.ok(errorLines.length === wantLines.length, `${tag} one error line per failed file (${wantLines.join(', ')})`,
      errorLines);
    for (const f of wantLines) {
      const line = errorLines.find((l) => l.includes(logLine(f)));
      t.ok(line && line.includes(STEP_TEXT[expect[f].failed]) && line.includes(ERRNO_TEXT[errno]),
        `${tag} the ${f} line says "${STEP_TEXT[expect[f].failed]}: ${ERRNO_TEXT[errno]}"`, line ?? errorLines);
    }
    t.ok(k.alive(), `${tag} the kiosk keeps running`, k.exited());
    const plays = readPlays(k.playLog).lines;
    const firstNew = plays.findIndex((l) => l.version === V + 1);
    t.ok(plays.every((l) => playOk(faultPublished, l)), `${tag} only validly offered items are shown`, plays);
    t.ok(firstNew >= 0 && plays.slice(firstNew).every((l) => l.version === V + 1 && l.item !== 'revoke-me'),
      `${tag} once version 11 is shown, the revoked item never comes back`, plays);

    // The files: exactly the new copy, the old one, or (envelope) none; no
    // temp files. When the envelope write fails at any step, persist()
    // removes the cached envelope and still records version 11 (so a revoked
    // item cannot come back after a restart): an older envelope must never
    // sit beside a newer record, where a later corrupt record would let it
    // lower the floor. An offline restart then shows the idle card.
    const s = readState(stateDir);
    const envRemoved = expect.feed.failed !== null;
    const wantState = expect.state.fresh ? V + 1 : V;
    if (envRemoved) {
      t.ok(!s.env, `${tag} the failed envelope write removed the older cached envelope`, s.envVersion);
    } else {
      t.ok(s.env && s.env.equals(envNew) && verifyEnvelope(s.envFile, s.env),
        `${tag} feed-s1.dsse is the complete new envelope and verifies`, s.envVersion);
    }
    t.ok(!s.stateError && s.state?.version === wantState && s.state.sha256 === faultPublished.get(wantState).sha,
      `${tag} accepted-s1.json is the complete record of version ${wantState}`,
      s.stateError ?? { state: s.state, want: faultPublished.get(wantState).sha });
    const m = checkMedia(stateDir);
    const wantMedia = expect.media.fresh ? [shaB] : [];
    t.ok(m.bad.length === 0 && m.good.filter((x) => x === shaB).length === wantMedia.length,
      `${tag} media: ${expect.media.fresh ? 'the new PNG, complete' : 'no copy of the new PNG'}; nothing torn`, m);
    row.disk = `envelope ${s.env ? `v${s.envVersion}` : "none"}, record v${s.state?.version}, ` +
      `new PNG ${m.good.includes(shaB) ? 'cached' : 'not cached'}`;
    const tmps = [...listDir(stateDir), ...m.tmp].filter((n) => tmpName.test(n));
    t.ok(tmps.length === 0, `${tag} no temp file is left behind`, tmps);
    const e = await k.stop().catch((err) => ({ error: err.message }));
    t.ok(e?.code === 0, `${tag} exits 0 on SIGTERM`, e);
    t.ok(!sanitizerReport(k.log()), `${tag} no sanitizer report`, tail(k.log(), 40));

    // Offline restart without the shim: only verified content.
    for (const f of ['play.log', 'kiosk.log']) fs.rmSync(path.join(dir, f), { force: true });
    const port = await closedPort();
    const r = startKiosk(kioskBin, dir, kioskArgs(`http://127.0.0.1:${port}`), { fresh: false });
    const cachedShows = s.env !== null && s.envVersion >= s.state.version;
    const ok = await waitFor(() => readPlays(r.playLog).lines.length >= 1 || !r.alive(), 15000, 20);
    await sleep(700); // two dwell times: what rotates, and that the idle card stays
    const rp = readPlays(r.playLog).lines;
    const after = readState(stateDir);
    const er = await r.stop().catch((err) => ({ error: err.message }));
    row.restart = cachedShows ? `cached v${s.envVersion}` : 'idle card (no cached envelope)';
    if (cachedShows) {
      t.ok(ok && rp.length >= 1 &&
        rp.every((l) => l.item !== 'idle' && l.version === s.envVersion && playOk(faultPublished, l)),
        `${tag} restarted offline, it shows cached version ${s.envVersion}`, { rp, log: tail(r.log()) });
      t.ok(rp.every((l) => l.item !== (s.envVersion === V + 1 ? 'revoke-me' : 'img-b')),
        `${tag} restarted offline, nothing beyond the cached feed`, rp);
    } else {
      t.ok(ok && rp.length >= 1 && rp.every((l) => l.item === 'idle'),
        `${tag} restarted offline without a cached envelope: idle card`, { rp, log: tail(r.log()) });
    }
    t.ok(after.state && after.state.version >= s.state.version && after.state.version >= V,
      `${tag} the record stays at ${s.state.version} or above after the restart`, after.state);
    t.ok(er?.code === 0 && !sanitizerReport(r.log()), `${tag} the restarted kiosk exits 0, no sanitizer report`, er);
  } catch (err) {
    t.ok(false, `${tag} exception`, err.stack);
  } finally {
    if (k.alive()) await k.kill();
    await server.close();
  }
  return row;
}

async function faultPhase() {
  const template = await makeTemplate();
  const cal = await faultCase(template, 'ENOSPC', 0, false, { calibrate: true });
  // The calls one acceptance takes: 6 per file (feed, state, PNG).
  const wantCalls = FILES.flatMap((f) => STEPS.map((s) => `${f} ${s}`));
  const got = cal.calls.map((l) => {
    const [, call, p] = l.split(' ');
    const f = p.includes('/feed-s1.dsse') ? 'feed' : p.includes('/accepted-s1.json') ? 'state'
      : p.includes('/media') ? 'media' : '?';
    return `${f} ${call === 'fsync' && !/\.tmp-/.test(p) ? 'dirsync' : call}`;
  });
  // A folder fsync names the folder: attribute it to the file before it.
  for (let i = 1; i < got.length; i++) if (got[i].endsWith('dirsync')) got[i] = `${got[i - 1].split(' ')[0]} dirsync`;
  t.ok(JSON.stringify(got) === JSON.stringify(wantCalls),
    'accepting a feed with a new PNG takes 18 counted calls in fileio\'s order', cal.calls);
  console.log(`calibration: ${cal.calls.length} write-path calls per accepted feed with a new PNG`);
  const total = cal.calls.length;
  const cases = [];
  for (const errno of ['ENOSPC', 'EIO']) {
    for (let n = 1; n <= total; n++) cases.push([errno, n, false]);
    for (const n of [1, 7, 13]) cases.push([errno, n, true]); // a full disk from each file on
  }
  const rows = [];
  const pool = 3;
  let nextCase = 0;
  await Promise.all(Array.from({ length: pool }, async () => {
    while (nextCase < cases.length) {
      const [errno, n, sticky] = cases[nextCase++];
      rows.push(await faultCase(template, errno, n, sticky));
    }
  }));
  return { total, rows, cases: cases.length };
}

// --- run ----------------------------------------------------------------------
console.log(`phase 1: ${ITERATIONS} x kill -9${SANITIZE ? ` (ASan build, shim loaded by ${asanWay})` : ''}`);
const PHASES = process.env.SIGNET_CRASH_PHASES || '12'; // for working on one phase
const t1 = Date.now();
if (PHASES.includes('1')) await killPhase();
const killSecs = (Date.now() - t1) / 1000;
console.log('phase 2: failing writes');
const t2 = Date.now();
const faults = PHASES.includes('2') ? await faultPhase() : { total: 0, rows: [], cases: 0 };
const faultSecs = (Date.now() - t2) / 1000;

const median = (a) => { const s = [...a].sort((x, y) => x - y); return s.length ? s[s.length >> 1] : NaN; };
const f = killFigures;
console.log('\nfigure                                           value');
const row = (k, v) => console.log(`${k.padEnd(48)} ${v}`);
row('kill -9 iterations', `${f.iterations} (${f.early} early, during start or cache load) in ${killSecs.toFixed(1)} s`);
row('feed versions published meanwhile', f.versions);
const steps = Object.entries(f.inFlightSteps).map(([k, v]) => `after ${k}: ${v}`).join(', ');
row('kills with a cache write in flight', `${f.inFlight} (${steps})`);
row('temp files seen after kills / left at the end',
  `${f.tmpSeen} / ${f.tmpLeft} (each removed by the next start or accept)`);
row('media files checked against their hash', f.mediaFiles);
row('torn play-log lines', f.tornPlayLines);
row('offline starts: spawn to first cached card',
  `median ${median(f.offline)} ms, max ${Math.max(...f.offline)} ms (${f.offline.length} starts; goal: 1 s)`);
row('offline starts: kiosk\'s "first frame presented"',
  `median ${median(f.firstFrame)} ms, max ${Math.max(...f.firstFrame)} ms`);
row('fault cases (ENOSPC, EIO x calls 1..N, N+)', `${faults.cases} (N = ${faults.total}) in ${faultSecs.toFixed(1)} s`);
const restarts = {};
for (const r of faults.rows) if (r.restart) restarts[r.restart] = (restarts[r.restart] || 0) + 1;
row('fault cases: offline restart showed', Object.entries(restarts).map(([k, v]) => `${k}: ${v}`).join('; '));
console.log(`\n${'fault case'.padEnd(12)} ${'failed (file step)'.padEnd(44)} ${'on disk afterwards'.padEnd(44)} offline restart`);
for (const r of faults.rows.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }))) {
  console.log(`${r.name.padEnd(12)} ${(r.failed || '-').padEnd(44)} ${r.disk.padEnd(44)} ${r.restart}`);
}
console.log(`\ntotal ${((Date.now() - started) / 1000).toFixed(1)} s`);
t.done();
