// The real signet-kiosk against a hostile queue (issue 4). One kiosk, one
// state folder and one hostile_server per scenario, all run at once. A
// scenario first serves a valid feed (version 5, two approved tips, one with
// a PNG) until both tips are in the play log, then switches the server to its
// hostile answer. For every scenario:
//   - the kiosk logs the contract's line for it,
//   - the process stays alive and keeps asking (it neither crashes nor hangs),
//   - what was accepted keeps rotating: no idle card after the first item,
//   - the play log holds only items that were validly offered (item, rev and
//     feed version); items with bad media never appear.
// Fixtures are made here with the real `signet` CLI, with times around now.
// usage: node hostile.test.mjs SIGNET SIGNET_KIOSK WORKDIR
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { checker } from '../queue/queue.mjs';
import { closedPort, gzipBomb, startHostile } from './hostile_server.mjs';
import { iso, makePng, sha256 } from './feeds.mjs';
import { sleep, startKiosk } from './kiosk.mjs';

const [signet, kioskBin, work] = process.argv.slice(2);
if (!work) {
  console.error('usage: node hostile.test.mjs SIGNET SIGNET_KIOSK WORKDIR');
  process.exit(2);
}
const t = checker('kiosk-hostile');
const started = Date.now();
fs.rmSync(work, { recursive: true, force: true });
fs.mkdirSync(work, { recursive: true });
const fx = path.join(work, 'fixtures');
fs.mkdirSync(fx);

// --- fixtures -------------------------------------------------------------
const now = Date.now();
const HOUR = 3600e3, DAY = 24 * HOUR;

const keyid = (out) => /keyid ([0-9a-f]{16})/.exec(out)?.[1];
const boardKeyid = keyid(execFileSync(signet, ['keygen', '--secret', path.join(fx, 'board.key'),
  '--public', path.join(fx, 'board.pub')], { encoding: 'utf8' }));
execFileSync(signet, ['keygen', '--secret', path.join(fx, 'evil.key'), '--public', path.join(fx, 'evil.pub')]);
const trust = path.join(fx, 'board.pub');

const png = makePng(8, 8, [0x20, 0x80, 0xc0]);
const goodSha = sha256(png);
const junk = makePng(8, 8, [0xff, 0x00, 0x00]); // a fine PNG, under someone else's name
const badSha = sha256(Buffer.from('the bytes the signer meant'));

function tip(id, { media = null, rev = 1 } = {}) {
  const it = { id, rev, kind: 'tip', title: `Tipp ${id}`, body: 'Hände waschen, mindestens 20 Sekunden.',
    lang: 'de', approval: { by: 'anna', at: iso(now - HOUR), until: iso(now + DAY) } };
  if (media) it.media = [{ sha256: media, type: 'image/png', alt: 'Bild' }];
  return it;
}
// Signs a payload with the CLI; returns the envelope bytes.
function feed(name, { version, screen = 's1', items, key = 'board', issued = now - 60e3, expires = now + DAY }) {
  const p = path.join(fx, `${name}.json`), env = path.join(fx, `${name}.dsse`);
  fs.writeFileSync(p, JSON.stringify({ signet_feed: '1.0', screen, version, issued: iso(issued),
    expires: iso(expires), clinic: 'Praxis am Markt', items }));
  execFileSync(signet, ['sign', '--key', path.join(fx, `${key}.key`), '--out', env, p]);
  return fs.readFileSync(env);
}
const feedMode = (body, version) => ({ kind: 'feed', body, etag: `"${version}"` });

const base = [tip('tip-a'), tip('tip-img', { media: goodSha })];
const v5 = feed('v5', { version: 5, items: base });
const evil = feed('evil', { version: 6, key: 'evil', items: [...base, tip('evil-key-item')] });
const v3 = feed('v3', { version: 3, items: [...base, tip('rollback-item')] });
const expired = feed('expired', { version: 6, issued: now - 2 * DAY, expires: now - DAY,
  items: [...base, tip('expired-item')] });
const other = feed('other', { version: 6, screen: 's2', items: [...base, tip('other-screen-item')] });
const badMedia = feed('badmedia', { version: 6, items: [...base, tip('bad-media-item', { media: badSha })] });
const v6trunc = feed('truncated', { version: 6, items: [...base, tip('truncated-item')] });
const bomb = await gzipBomb(256 * 1024 * 1024);
const MiB = 1024 * 1024;

// Allowed play-log entries: "item@rev@version".
const allowedV5 = base.map((i) => `${i.id}@${i.rev}@5`);
const FETCH_FAILED = 'feed fetch failed: ';

// --- scenarios ------------------------------------------------------------
// start: the server's first mode (default: the valid feed, then `hostile`
// once both base tips showed). expect: the log line (substring or RegExp).
const scenarios = [
  { name: 'valid feed', expect: `feed version 5 accepted: signed by ${boardKeyid}, 2 items` },
  { name: 'connection refused', refused: true, idleOnly: true,
    expect: /feed fetch failed: .*Couldn't connect to server/ },
  { name: '304 without cached copy', start: { kind: 'not-modified' }, idleOnly: true,
    expect: `${FETCH_FAILED}304 Not Modified without a cached copy` },
  { name: 'stall after headers', hostile: { kind: 'stall' },
    expect: /feed fetch failed: .*(Timeout|timed out|too slow)/i },
  { name: '1 byte per second', hostile: { kind: 'trickle', rate: 1 }, waitMs: 35000,
    expect: /feed fetch failed: .*(Timeout|timed out|too slow)/i },
  { name: 'HTTP 500', hostile: { kind: 'status', code: 500 }, expect: `${FETCH_FAILED}HTTP 500` },
  { name: 'truncated body',
    hostile: { kind: 'truncate', body: v6trunc.subarray(0, v6trunc.length >> 1), claim: v6trunc.length },
    expect: /feed fetch failed: .*(partial|remaining|closed)/i },
  { name: '100 MiB body', hostile: { kind: 'huge', bytes: 100 * MiB },
    expect: `${FETCH_FAILED}response larger than 4194304 bytes` },
  { name: 'gzip bomb', hostile: { kind: 'gzip-bomb', gz: bomb },
    expect: `${FETCH_FAILED}response larger than 4194304 bytes` },
  { name: 'redirect to file://', hostile: { kind: 'redirect', location: 'file:///etc/passwd' },
    expect: /feed fetch failed: .*(protocol|redirect)/i },
  { name: 'signed by another key', hostile: feedMode(evil, 6), expect: 'feed refused (unknown-key)' },
  { name: 'rollback 5 -> 3', hostile: feedMode(v3, 3), expect: 'feed refused (rollback)' },
  { name: 'expired feed', hostile: feedMode(expired, 6), expect: 'feed refused (feed-expired)' },
  { name: 'feed for another screen', hostile: feedMode(other, 6), expect: 'feed refused (wrong-screen)' },
  // Beyond the list of issue 4: a redirect loop, and a gzip bomb where the
  // PNG should be (fresh kiosk: the tip with the image never shows).
  { name: 'redirect loop', hostile: { kind: 'redirect', location: '/v1/screens/s1/feed' },
    expect: /feed fetch failed: .*redirect/i },
  { name: 'gzip bomb as media', mediaMode: { kind: 'gzip-bomb', gz: bomb }, onlyA: true,
    expect: `media ${goodSha} fetch failed: response larger than 8388608 bytes` },
  { name: 'media hash mismatch', hostile: feedMode(badMedia, 6), allowV6: true,
    expect: `media ${badSha} refused: bytes do not match their hash` },
];

const kioskArgs = (baseUrl) => ['--queue', baseUrl, '--screen', 's1', '--trust', trust, '--long-poll', '2',
  '--poll-interval', '0.3', '--net-timeout', '2', '--retry-max', '2'];
const findLine = (text, from) => (l) => (typeof text === 'string' ? l.includes(text) : text.test(l));

async function run(sc, idx) {
  const dir = path.join(work, `${String(idx).padStart(2, '0')}-${sc.name.replace(/[^A-Za-z0-9]+/g, '-')}`);
  const media = { [goodSha]: png, [badSha]: junk };
  const server = sc.refused ? null : await startHostile({ mode: sc.start || feedMode(v5, 5), media });
  if (sc.mediaMode) server.setMediaMode(sc.mediaMode);
  const url = server ? server.base : `http://127.0.0.1:${await closedPort()}`;
  const k = startKiosk(kioskBin, dir, kioskArgs(url));
  const row = { name: sc.name, line: null };
  const allowed = new Set(sc.onlyA ? allowedV5.slice(0, 1) : allowedV5);
  if (sc.allowV6) for (const i of base) allowed.add(`${i.id}@${i.rev}@6`);
  const tag = `[${sc.name}]`;
  try {
    let mark = 0, logMark = 0, reqMark = 0;
    const hasBase = !sc.idleOnly;
    if (hasBase) {
      const a = await k.waitPlay((l) => l.item === 'tip-a', 0, 15000);
      const b = sc.onlyA || await k.waitPlay((l) => l.item === 'tip-img', 0, 15000);
      t.ok(a && b, `${tag} the valid feed's tips reach the play log`, k.plays());
      if (sc.hostile) {
        mark = k.plays().length;
        logMark = k.log().length;
        reqMark = server.feedRequests().length;
        server.setMode(sc.hostile);
      }
    }
    const line = await k.waitLog(sc.expect, logMark, sc.waitMs || 15000);
    row.line = line ? line.replace(/^signet-kiosk: /, '') : null;
    t.ok(line !== null, `${tag} logs ${sc.expect}`, k.log().slice(logMark).split('\n').slice(-8).join('\n'));
    if (sc.name === 'gzip bomb as media') {
      t.ok(await k.waitLog('item tip-img rev 1 waits for its media (media-missing)', 0, 5000) !== null,
        `${tag} the tip whose PNG never arrived is dropped`, k.log());
      t.ok(!fs.existsSync(path.join(k.stateDir, 'media', goodSha)), `${tag} nothing cached for the PNG`);
      t.ok(server.mediaRequests().length >= 1, `${tag} the PNG was asked for`);
    }
    if (sc.name === 'media hash mismatch') {
      t.ok(await k.waitLog(/item bad-media-item rev 1 dropped: media-/, logMark, 5000) !== null,
        `${tag} the item with bad media is dropped with a reason`, k.log().slice(logMark));
      t.ok(!fs.existsSync(path.join(k.stateDir, 'media', badSha)),
        `${tag} the bad bytes are not cached under the hash`);
    }
    // Keeps asking after the failure: a new feed request within backoff,
    // timeouts and long poll.
    if (server) {
      const seen = server.feedRequests().length;
      const end = Date.now() + 9000;
      while (server.feedRequests().length <= seen && Date.now() < end && k.alive()) await sleep(100);
      t.ok(server.feedRequests().length > seen, `${tag} the kiosk asks again afterwards (not hung)`,
        `${server.feedRequests().length - reqMark} requests in this phase`);
    }
    await sleep(hasBase ? 1500 : 500); // watch the rotation a little longer
    t.ok(k.alive(), `${tag} the kiosk is still running`, k.exited());

    const plays = k.plays();
    const bad = plays.filter((l) => l.item !== 'idle' && !allowed.has(`${l.item}@${l.rev}@${l.version}`));
    t.ok(bad.length === 0, `${tag} the play log holds only validly offered items`, bad);
    t.ok(plays.every((l) => l.screen === 's1'), `${tag} every play-log line names screen s1`);
    if (hasBase) {
      const first = plays.findIndex((l) => l.item !== 'idle');
      t.ok(!plays.slice(first).some((l) => l.item === 'idle'), `${tag} the screen never falls back to idle`,
        plays.slice(first));
      if (sc.hostile) {
        const after = plays.slice(mark);
        t.ok(after.length >= 2 && after.some((l) => l.item === 'tip-a') && after.some((l) => l.item === 'tip-img'),
          `${tag} both tips keep rotating during the hostile answers`, after);
      }
    } else {
      t.ok(plays.length >= 1 && plays.every((l) => l.item === 'idle'), `${tag} the idle card, nothing else`, plays);
    }
    t.ok(!/root:x:0:0/.test(k.log()), `${tag} no local file content in the log`);

    if (sc.name === 'valid feed') {
      const reqs = server.feedRequests();
      // The first request has nothing to wait for; later ones long-poll with the ETag.
      t.ok(reqs.length >= 2 && reqs[0].headers['if-none-match'] === undefined,
        `${tag} the first request sends no If-None-Match`, reqs.map((r) => [r.url, r.headers['if-none-match']]));
      t.ok(reqs.length >= 2 && reqs.slice(1).every((r) => r.url === '/v1/screens/s1/feed?wait=2' &&
        r.headers['if-none-match'] === '"5"'), `${tag} then it long-polls: ?wait=2 with If-None-Match "5"`,
      reqs.map((r) => [r.url, r.headers['if-none-match']]));
      const cached = path.join(k.stateDir, 'media', goodSha);
      t.ok(fs.existsSync(cached) && sha256(fs.readFileSync(cached)) === goodSha,
        `${tag} the PNG is cached under its hash`);
      t.ok(fs.existsSync(path.join(k.stateDir, 'feed-s1.dsse')), `${tag} the accepted envelope is cached`);
    }
    if (sc.name === '304 without cached copy') {
      const first = server.feedRequests()[0];
      t.ok(first && first.headers['if-none-match'] === undefined, `${tag} a fresh kiosk sends no If-None-Match`,
        first?.headers);
    }
    if (sc.name === '100 MiB body') {
      t.ok(server.stats.bytesSent < 100 * MiB && server.stats.abandoned >= 1,
        `${tag} the kiosk hangs up long before 100 MiB`, server.stats);
      row.line += ` [server wrote ${(server.stats.bytesSent / MiB).toFixed(1)} MiB]`;
    }
    if (sc.name === 'stall after headers' || sc.name === '1 byte per second') {
      t.ok(server.stats.abandoned >= 1, `${tag} the kiosk abandons the transfer`, server.stats);
    }
  } catch (e) {
    t.ok(false, `${tag} exception`, e.stack);
  } finally {
    const e = await k.stop().catch((err) => ({ error: err.message }));
    t.ok(e && e.code === 0, `${tag} exits 0 on SIGTERM`, e);
    const log = k.log();
    t.ok(!/AddressSanitizer|LeakSanitizer|runtime error:/.test(log), `${tag} no sanitizer report`,
      log.split('\n').filter((l) => /Sanitizer|runtime error/.test(l)).slice(0, 5).join('\n'));
    if (server) await server.close();
  }
  return row;
}

const rows = await Promise.all(scenarios.map((sc, i) => run(sc, i)));
console.log('\nscenario                  observed log line');
for (const r of rows) console.log(`${r.name.padEnd(25)} ${r.line ?? '(none)'}`);
console.log(`\n${scenarios.length} scenarios in ${((Date.now() - started) / 1000).toFixed(1)} s`);
t.done();
