// The offline cache and the board's clock, with the real signet-kiosk
// (issue 4, "Offline and power loss"):
//   1. online once: feed version 5 (three tips, one with a PNG) is accepted
//      and cached in the state folder;
//   2. offline starts (the queue's port refuses): the cached cards show,
//      first thing, with no idle card before them; the time from spawn to
//      the first card is printed (goal: within 1 s);
//   3. damaged caches, each on a copy of that state folder: a truncated,
//      altered, empty or missing envelope, a damaged image, a corrupt or
//      empty rollback record, leftover temp files. Each is logged and
//      ignored, never fatal and never shown; rollback protection holds
//      (version 3 offered afterwards is refused) wherever the envelope
//      survived;
//   4. the clock (libfaketime moves the kiosk's wall clock while it runs;
//      the monotonic clock stays real): a board that boots decades behind
//      uses the cached feed's issued time and says so; when the clock jumps
//      forward, a tip whose approval ended leaves, and when it jumps past the
//      feed's expiry the idle card takes over.
// usage: node offline.test.mjs SIGNET SIGNET_KIOSK LIBFAKETIME WORKDIR
import fs from 'node:fs';
import path from 'node:path';
import { checker } from '../queue/queue.mjs';
import { HOUR, keyPair, makePng, payload, sha256, tip } from './feeds.mjs';
import { closedPort, startHostile } from './hostile_server.mjs';
import { sleep, startKiosk } from './kiosk.mjs';

const [signet, kioskBin, libfaketime, work] = process.argv.slice(2);
if (!work) {
  console.error('usage: node offline.test.mjs SIGNET SIGNET_KIOSK LIBFAKETIME WORKDIR');
  process.exit(2);
}
const t = checker('kiosk-offline');
fs.rmSync(work, { recursive: true, force: true });
fs.mkdirSync(work, { recursive: true });
const key = keyPair(signet, work, 'board');
const now = Date.now();
const png = makePng(8, 8, [0x20, 0x80, 0xc0]);
const pngSha = sha256(png);
const items = [tip('tip-a', { now }), tip('tip-img', { now, media: pngSha }),
  tip('tip-soon', { now, until: now + HOUR })];
const v5 = key.sign(payload({ version: 5, items, now }));
const v3 = key.sign(payload({ version: 3, items: [...items, tip('rollback-item', { now })], now }));
const feedMode = (body, version) => ({ kind: 'feed', body, etag: `"${version}"` });
const cachedIds = new Set(items.map((i) => i.id));
const args = (base) => ['--queue', base, '--screen', 's1', '--trust', key.pub, '--long-poll', '2',
  '--poll-interval', '0.3', '--net-timeout', '2', '--retry-max', '1'];
const SANITIZER = /AddressSanitizer|LeakSanitizer|runtime error:/;

async function stopped(k, tag) {
  const e = await k.stop().catch((err) => ({ error: err.message }));
  t.ok(e && e.code === 0, `${tag} exits 0 on SIGTERM`, e);
  t.ok(!SANITIZER.test(k.log()), `${tag} no sanitizer report`, k.log().slice(-2000));
}
// Copies the good state folder into a scenario's own kiosk folder.
function stateCopy(dir) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.cpSync(golden, path.join(dir, 'state'), { recursive: true });
  return path.join(dir, 'state');
}

// --- 1. online once -------------------------------------------------------
const server = await startHostile({ mode: feedMode(v5, 5), media: { [pngSha]: png } });
const first = startKiosk(kioskBin, path.join(work, 'online'), args(server.base));
const golden = path.join(work, 'golden-state');
try {
  const all = await Promise.all(['tip-a', 'tip-img', 'tip-soon'].map((id) =>
    first.waitPlay((l) => l.item === id && l.version === 5, 0, 15000)));
  t.ok(all.every(Boolean), 'online: the three tips reach the play log', first.plays());
} finally {
  await stopped(first, 'online:');
}
t.ok(fs.existsSync(path.join(first.stateDir, 'feed-s1.dsse')) &&
  fs.existsSync(path.join(first.stateDir, 'media', pngSha)), 'online: envelope and image are cached');
fs.cpSync(first.stateDir, golden, { recursive: true });
const offline = `http://127.0.0.1:${await closedPort()}`;

// --- 2. offline starts ----------------------------------------------------
const startTimes = [];
for (let i = 0; i < 5; i++) {
  const dir = path.join(work, `offline-${i}`);
  stateCopy(dir);
  const spawned = Date.now();
  const k = startKiosk(kioskBin, dir, args(offline), { fresh: false });
  try {
    const hit = await k.waitPlay(() => true, 0, 10000, 5);
    startTimes.push(Date.now() - spawned);
    t.ok(hit && cachedIds.has(hit.item) && hit.version === 5,
      `offline start ${i}: the first card is a cached tip of version 5, not the idle card`, k.plays());
    if (i === 0) {
      const img = await k.waitPlay((l) => l.item === 'tip-img', 0, 5000);
      t.ok(img !== null, 'offline: the tip with the cached image shows too', k.plays());
      t.ok((await k.waitLog('cache: feed version 5 loaded', 0, 1000)) !== null, 'offline: logs the cache load',
        k.log());
      t.ok((await k.waitLog('feed fetch failed', 0, 5000)) !== null, 'offline: logs the unreachable queue');
    }
  } finally {
    await stopped(k, `offline start ${i}:`);
  }
}
startTimes.sort((a, b) => a - b);
console.log(`offline start to first cached card: median ${startTimes[2]} ms, max ${startTimes[4]} ms ` +
  `(goal 1000 ms; ${startTimes[4] <= 1000 ? 'met' : 'NOT met'} on this run)`);

// --- 3. damaged caches ----------------------------------------------------
const envelope = (s) => path.join(s, 'feed-s1.dsse');
const record = (s) => path.join(s, 'accepted-s1.json');
const scenarios = [
  { name: 'truncated envelope', damage: (s) => fs.truncateSync(envelope(s), 300),
    log: 'cache: ignored', shows: false },
  { name: 'altered envelope', shows: false, log: /cache: ignored .*(bad-signature|payload|malformed)/,
    damage: (s) => {
      const env = JSON.parse(fs.readFileSync(envelope(s), 'utf8'));
      const p = Buffer.from(env.payload, 'base64').toString('utf8').replace('Tipp tip-a', 'Tipp evil!');
      env.payload = Buffer.from(p).toString('base64');
      fs.writeFileSync(envelope(s), JSON.stringify(env));
    } },
  { name: 'empty envelope', damage: (s) => fs.writeFileSync(envelope(s), ''), log: 'cache: ignored', shows: false },
  { name: 'missing envelope', damage: (s) => fs.rmSync(envelope(s)), log: null, shows: false },
  { name: 'damaged image', shows: true, noImage: true, log: `cache: ignored media ${pngSha}`,
    damage: (s) => fs.writeFileSync(path.join(s, 'media', pngSha), makePng(8, 8, [1, 2, 3])) },
  { name: 'corrupt rollback record', damage: (s) => fs.writeFileSync(record(s), '{"screen":"s1","vers'),
    log: 'ignored the rollback record', shows: true },
  { name: 'empty rollback record', damage: (s) => fs.writeFileSync(record(s), ''),
    log: 'ignored the rollback record', shows: true },
  { name: 'leftover temp files', shows: true, log: 'cache: feed version 5 loaded', damage: (s) => {
    fs.writeFileSync(`${envelope(s)}.tmp-Ab12Cd`, '{"half":');
    fs.writeFileSync(path.join(s, 'media', `${pngSha}.tmp-Xy34Zw`), png.subarray(0, 20));
  } },
];
const rollbackServer = await startHostile({ mode: { kind: 'status', code: 503 } });
for (const sc of scenarios) {
  const tag = `[${sc.name}]`;
  const dir = path.join(work, `damaged-${sc.name.replace(/[^a-z]+/g, '-')}`);
  const state = stateCopy(dir);
  sc.damage(state);
  // Offline first: only what still verifies may show.
  const k = startKiosk(kioskBin, dir, args(offline), { fresh: false });
  try {
    if (sc.log) t.ok((await k.waitLog(sc.log, 0, 5000)) !== null, `${tag} logs ${sc.log}`, k.log());
    if (sc.shows) {
      t.ok((await k.waitPlay((l) => l.item === 'tip-a' && l.version === 5, 0, 5000)) !== null,
        `${tag} the cached tips still show`, k.plays());
    }
    await sleep(1200);
    t.ok(k.alive(), `${tag} the kiosk keeps running`, k.exited());
    const plays = k.plays();
    t.ok(plays.length > 0, `${tag} something is on screen`, plays);
    t.ok(plays.every((l) => l.item === 'idle' || (sc.shows && cachedIds.has(l.item) && l.version === 5)),
      `${tag} the play log holds ${sc.shows ? 'only cached tips of version 5' : 'only the idle card'}`, plays);
    if (sc.noImage) {
      t.ok(!plays.some((l) => l.item === 'tip-img'), `${tag} the tip with the damaged image is not shown`, plays);
    }
  } finally {
    await stopped(k, tag);
  }
  if (sc.name === 'leftover temp files') {
    t.ok(!fs.readdirSync(path.join(state, 'media')).some((f) => f.includes('.tmp-')),
      `${tag} the media temp file is pruned`, fs.readdirSync(path.join(state, 'media')));
    t.ok(!fs.readdirSync(state).some((f) => f.includes('.tmp-')), `${tag} the envelope temp file is removed`,
      fs.readdirSync(state));
    t.ok(k.log().includes('removed 1 temp file an interrupted write left in'), `${tag} and the log says so`);
  }
  // Online again with an older version: refused in every case, since the
  // record or the envelope survived each damage.
  rollbackServer.setMode(feedMode(v3, 3));
  const k2 = startKiosk(kioskBin, dir, args(rollbackServer.base), { fresh: false });
  try {
    t.ok((await k2.waitLog('feed refused (rollback)', 0, 8000)) !== null,
      `${tag} then version 3 from the network is refused as a rollback`, k2.log());
    t.ok(!k2.plays().some((l) => l.item === 'rollback-item' || l.version === 3), `${tag} version 3 never shows`,
      k2.plays());
  } finally {
    await stopped(k2, `${tag} rollback:`);
  }
}
await rollbackServer.close();

// --- 4. the clock ---------------------------------------------------------
{
  const tag = '[clock]';
  const dir = path.join(work, 'clock');
  stateCopy(dir);
  const rc = path.join(dir, 'faketime.rc');
  fs.writeFileSync(rc, '-20000d\n'); // about 1971
  // Re-read the offset at most every second; monotonic time stays real
  // (curl's timeouts, SDL's ticks). ASan must not insist on coming first.
  const env = { LD_PRELOAD: libfaketime, FAKETIME_TIMESTAMP_FILE: rc, FAKETIME_CACHE_DURATION: '1',
    FAKETIME_DONT_FAKE_MONOTONIC: '1', ASAN_OPTIONS: `${process.env.ASAN_OPTIONS || ''}:verify_asan_link_order=0` };
  const k = startKiosk(kioskBin, dir, args(offline), { fresh: false, env });
  try {
    t.ok((await k.waitLog('system clock is behind the newest feed', 0, 8000)) !== null,
      `${tag} a clock decades behind: the kiosk says it uses the feed's issued time`, k.log());
    const soon = await k.waitPlay((l) => l.item === 'tip-soon', 0, 8000);
    t.ok(soon !== null, `${tag} meanwhile the cached tips show, tip-soon too`, k.plays());
    let logMark = k.log().length;
    fs.writeFileSync(rc, '+2h\n'); // NTP arrives: two hours ahead of the test's now
    t.ok((await k.waitLog('system clock caught up with the newest feed', logMark, 8000)) !== null,
      `${tag} the jump forward is noticed`, k.log().slice(logMark));
    t.ok((await k.waitLog('item tip-soon rev 1 dropped: approval-expired', logMark, 8000)) !== null,
      `${tag} tip-soon's approval ended at the corrected time: dropped`, k.log().slice(logMark));
    let playMark = k.plays().length; // cards from here on were picked after the drop
    await sleep(1500);
    const after = k.plays().slice(playMark);
    t.ok(after.length > 0 && after.every((l) => l.item === 'tip-a' || l.item === 'tip-img'),
      `${tag} then only tip-a and tip-img rotate`, after);
    logMark = k.log().length;
    playMark = k.plays().length;
    fs.writeFileSync(rc, '+2d\n'); // past the feed's expiry
    t.ok((await k.waitPlay((l) => l.item === 'idle', playMark, 8000)) !== null,
      `${tag} past the feed's expiry the idle card takes over`, k.plays().slice(playMark));
    await sleep(1200);
    t.ok(k.plays().slice(-1)[0]?.item === 'idle', `${tag} and stays`, k.plays().slice(playMark));
    t.ok(k.alive(), `${tag} the kiosk keeps running`, k.exited());
  } finally {
    await stopped(k, tag);
  }
}
await server.close();
t.done();
