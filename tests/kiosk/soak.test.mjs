// Soak run of the real signet-kiosk (issue 4), accelerated: a queue
// look-alike answers every feed request with the next signed version at
// once, VERSIONS times (default 10,000), with items coming and going, an
// image that changes every 50 versions (fetched, cached, the old one pruned),
// status reports every 200 ms and a screenshot asked for in every fifth
// reply. Cards rotate every 100 ms with a 66 ms crossfade.
//
// Checks: the kiosk takes every version up to the last and shows it; it
// stays up; the play log never names an item, rev or version that was not
// offered together; the media cache holds only the current image; it exits
// 0 on SIGTERM with no sanitizer report (the ASan build runs LeakSanitizer at
// exit, so a leak fails the test there). RSS is sampled as versions go by;
// in a plain build it must stay flat (growth after the first fifth of the run
// at most 4 MiB), in a sanitizer build it is printed only (ASan's quarantine
// holds freed memory on purpose).
// usage: node soak.test.mjs SIGNET SIGNET_KIOSK WORKDIR [VERSIONS]
// Environment: SIGNET_SANITIZE=1 in a sanitizer build.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { checker } from '../queue/queue.mjs';
import { keyPair, makePng, payload, sha256, tip } from './feeds.mjs';
import { sleep, startKiosk } from './kiosk.mjs';

const [signet, kioskBin, work, versionsArg] = process.argv.slice(2);
if (!work) {
  console.error('usage: node soak.test.mjs SIGNET SIGNET_KIOSK WORKDIR [VERSIONS]');
  process.exit(2);
}
const VERSIONS = Number(versionsArg || 10000);
const sanitized = process.env.SIGNET_SANITIZE === '1';
const t = checker('kiosk-soak');
fs.rmSync(work, { recursive: true, force: true });
fs.mkdirSync(work, { recursive: true });
const key = keyPair(signet, work, 'board');
const token = 'ab'.repeat(32);
fs.writeFileSync(path.join(work, 'token'), `${token}\n`, { mode: 0o600 });

const pngs = Array.from({ length: 8 }, (_, i) => makePng(16, 16, [i * 30, 255 - i * 30, 128]));
const media = Object.fromEntries(pngs.map((p) => [sha256(p), p]));
const shas = Object.keys(media);
const now = Date.now();

// What version v offers: always tip-a; tip-img with the v/50-th image; a
// block of short-lived tips that changes every 7 versions; every 100th
// version takes tip-a out for one version (a revocation).
function itemsOf(v) {
  const items = [];
  if (v % 100 !== 0) items.push(tip('tip-a', { now }));
  items.push(tip('tip-img', { now, rev: 1 + Math.floor(v / 50), media: shas[Math.floor(v / 50) % shas.length] }));
  const block = Math.floor(v / 7);
  for (let i = 0; i < 3; i++) items.push(tip(`tip-${block}-${i}`, { now }));
  return items;
}
const offered = new Map(); // version -> Set("item@rev")

let version = 0, current = null, statusReports = 0, shotsAsked = 0, shotsGot = 0, mediaServed = 0;
const held = new Set();
function next() {
  version++;
  const items = itemsOf(version);
  offered.set(version, new Set(items.map((i) => `${i.id}@${i.rev}`)));
  current = key.sign(payload({ version, items, now }));
}
next();

const server = http.createServer((req, res) => {
  const u = new URL(req.url, 'http://x');
  if (req.method === 'GET' && u.pathname === '/v1/screens/s1/feed') {
    const etag = `"${version}"`;
    if (req.headers['if-none-match'] === etag && version < VERSIONS) next();
    if (req.headers['if-none-match'] === `"${version}"`) {
      // The last version: a well-behaved long poll that ends in 304.
      const wait = Math.min(Number(u.searchParams.get('wait')) || 0, 5);
      const entry = { res };
      entry.timer = setTimeout(() => { held.delete(entry); res.writeHead(304, { ETag: etag }); res.end(); },
        wait * 1000);
      held.add(entry);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json', ETag: `"${version}"`, 'Content-Length': current.length });
    res.end(current);
  } else if (req.method === 'GET' && u.pathname.startsWith('/v1/media/') && media[u.pathname.slice(10)]) {
    mediaServed++;
    res.writeHead(200, { 'Content-Type': 'image/png' });
    res.end(media[u.pathname.slice(10)]);
  } else if (req.method === 'POST' && u.pathname === '/v1/screens/s1/status') {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      statusReports++;
      const ok = req.headers.authorization === `Bearer ${token}`;
      try {
        if (JSON.parse(Buffer.concat(chunks).toString('utf8')).screenshot) shotsGot++;
      } catch { /* counted as a report all the same; the queue's own test checks the body */ }
      const ask = ok && statusReports % 5 === 0;
      if (ask) shotsAsked++;
      res.writeHead(ok ? 200 : 401, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ screenshot_requested: ask }));
    });
  } else {
    res.writeHead(404);
    res.end();
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;

const k = startKiosk(kioskBin, path.join(work, 'kiosk'), ['--queue', base, '--screen', 's1', '--trust', key.pub,
  '--token-file', path.join(work, 'token'), '--long-poll', '5', '--poll-interval', '0.5', '--net-timeout', '5',
  '--retry-max', '1', '--status-interval', '0.2', '--dwell-min', '100', '--dwell-max', '100', '--fade', '66']);
const rssKiB = () => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${k.proc.pid}/status`, 'utf8'))[1]);
  } catch {
    return null;
  }
};
const samples = []; // [version, rss KiB]
const started = Date.now();
try {
  let lastSample = 0;
  // Bounded: 10,000 versions take about a minute natively; 15 minutes is a hang.
  for (const end = Date.now() + 15 * 60e3; Date.now() < end && k.alive();) {
    if (version - lastSample >= VERSIONS / 20 || version === VERSIONS) {
      lastSample = version;
      samples.push([version, rssKiB()]);
      if (version === VERSIONS) break;
    }
    await sleep(20);
  }
  const fetchSeconds = (Date.now() - started) / 1000;
  t.eq(version, VERSIONS, `the kiosk asked for all ${VERSIONS} versions`);
  const last = await k.waitPlay((l) => l.version === VERSIONS && l.item !== 'idle', 0, 10000);
  t.ok(last !== null, `version ${VERSIONS} reaches the screen`, k.plays().slice(-3));
  await sleep(1000); // a few more cards, status reports and a screenshot
  samples.push([version, rssKiB()]);
  t.ok(k.alive(), 'the kiosk is still running', k.exited());

  const plays = k.plays();
  const bad = plays.filter((l) => l.item !== 'idle' && !offered.get(l.version)?.has(`${l.item}@${l.rev}`));
  t.ok(bad.length === 0, 'the play log holds only items offered in the version it names', bad.slice(0, 5));
  const versionsShown = new Set(plays.map((l) => l.version)).size;
  const cached = fs.readdirSync(path.join(k.stateDir, 'media'));
  t.ok(cached.length === 1 && cached[0] === shas[Math.floor(VERSIONS / 50) % shas.length],
    'the media cache holds only the current image', cached);
  const accepted = JSON.parse(fs.readFileSync(path.join(k.stateDir, 'accepted-s1.json'), 'utf8'));
  t.eq(accepted.version, VERSIONS, 'the rollback record names the last version');
  t.ok(statusReports > 0 && shotsGot > 0, 'status reports and screenshots arrive', { statusReports, shotsGot });

  const base20 = samples.find(([v]) => v >= VERSIONS / 5) || samples[0];
  const peak = Math.max(...samples.slice(samples.indexOf(base20)).map(([, r]) => r));
  const growth = peak - base20[1];
  console.log(`\nversions     ${VERSIONS} in ${fetchSeconds.toFixed(1)} s (${(VERSIONS / fetchSeconds).toFixed(0)}/s)`);
  console.log(`play log     ${plays.length} cards from ${versionsShown} versions`);
  console.log(`media        ${mediaServed} fetches; status reports ${statusReports}, screenshots ${shotsGot} of ${shotsAsked} asked`);
  console.log(`RSS (KiB)    ${samples.map(([v, r]) => `${v}:${r}`).join(' ')}`);
  console.log(`RSS growth   ${(growth / 1024).toFixed(1)} MiB after version ${base20[0]} (peak ${(peak / 1024).toFixed(1)} MiB)`);
  if (sanitized) {
    console.log('RSS          not judged in a sanitizer build (quarantine); LeakSanitizer judges leaks at exit');
  } else {
    t.ok(growth <= 4096, 'RSS stays flat: at most 4 MiB growth after the first fifth', samples);
  }
} catch (e) {
  t.ok(false, 'exception', e.stack);
} finally {
  const e = await k.stop().catch((err) => ({ error: err.message }));
  t.ok(e && e.code === 0, 'exits 0 on SIGTERM', { exit: e, log: k.log().split('\n').slice(-15).join('\n') });
  t.ok(!/AddressSanitizer|LeakSanitizer|runtime error:/.test(k.log()), 'no sanitizer report',
    k.log().split('\n').filter((l) => /Sanitizer|runtime error|#\d+ 0x/.test(l)).slice(0, 20).join('\n'));
  for (const h of held) clearTimeout(h.timer);
  server.closeAllConnections();
  server.close();
}
t.done();
