// End to end over the network: a real signet-queue and a real headless
// signet-kiosk that long-polls it (`--queue http://127.0.0.1:PORT`, the
// screen's token from POST /api/screens in --token-file).
//   - 50 rounds on an otherwise idle screen: approve a new post → it replaces
//     the idle card at once; revoke it → the idle card is back. Each
//     decision's latency runs from just before the API call is sent to the
//     moment the play log (polled every 5 ms) shows its effect; p50/p99/max
//     are printed with whether the target (p99 ≤ 1 s on loopback)
//     was met. Only a sanity bound (10 s) is asserted: a timed assertion
//     would fail on a loaded CI machine or under ASan for no fault.
//   - every play-log line is either the idle card or an item the test had
//     approved at that moment, with the approved rev; a revoked item never
//     shows again;
//   - the screens API shows the kiosk's status report (the card on screen);
//   - emergency stop → idle card; undo → the notice is back.
// usage: node e2e_kiosk.test.mjs SIGNET_QUEUE SIGNET_KIOSK WORKDIR
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startKiosk } from '../kiosk/kiosk.mjs';
import { ADMIN_PASSWORD, Staff, checker, request, sleep, startQueue } from './queue.mjs';

const [bin, kioskBin, work] = process.argv.slice(2);
if (!work) {
  console.error('usage: node e2e_kiosk.test.mjs SIGNET_QUEUE SIGNET_KIOSK WORKDIR');
  process.exit(2);
}
const t = checker('e2e-kiosk');
const started = performance.now();
const ROUNDS = 50;          // 50 approvals and 50 revocations
const TARGET_MS = 1000;     // the target for p99 on loopback (reported, not asserted)
const SANITY_MS = 10000;    // every decision must reach the screen within this
const POLL_MS = 5;          // how often the play log is looked at while timing

// Follows the play log as it grows: new complete lines, parsed, each with
// the index it has in the whole log.
class PlayTail {
  constructor(file) { this.file = file; this.offset = 0; this.rest = ''; this.all = []; }

  read() {
    let fd;
    try { fd = fs.openSync(this.file, 'r'); } catch (e) { if (e.code === 'ENOENT') return []; throw e; }
    const fresh = [];
    try {
      const size = fs.fstatSync(fd).size;
      if (size > this.offset) {
        const buf = Buffer.alloc(size - this.offset);
        const n = fs.readSync(fd, buf, 0, buf.length, this.offset);
        this.offset += n;
        const text = this.rest + buf.subarray(0, n).toString('utf8');
        const parts = text.split('\n');
        this.rest = parts.pop(); // a line still being written stays for later
        for (const p of parts.filter(Boolean)) {
          const line = JSON.parse(p);
          line.index = this.all.length;
          this.all.push(line);
          fresh.push(line);
        }
      }
    } finally { fs.closeSync(fd); }
    return fresh;
  }

  // Waits until a line from index `from` on satisfies pred; returns
  // {line, at} (at: performance.now() when the test saw it) or null.
  async wait(pred, from, ms, step = POLL_MS) {
    const end = performance.now() + ms;
    for (;;) {
      this.read();
      const hit = this.all.slice(from).find(pred);
      if (hit) return { line: hit, at: performance.now() };
      if (performance.now() >= end || !kiosk.alive()) return null;
      await sleep(step);
    }
  }
}

function percentile(sorted, p) { // nearest rank
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}
function summary(kind, ms) {
  const s = [...ms].sort((a, b) => a - b);
  const p50 = percentile(s, 50), p99 = percentile(s, 99), max = s[s.length - 1];
  console.log(`${kind}-to-screen over ${s.length} decisions: p50 ${p50.toFixed(1)} ms, ` +
    `p99 ${p99.toFixed(1)} ms, max ${max.toFixed(1)} ms, min ${s[0].toFixed(1)} ms — ` +
    `target p99 <= ${TARGET_MS} ms ${p99 <= TARGET_MS ? 'met' : 'NOT met'}`);
  return { p50, p99, max };
}

const q = await startQueue(bin, work);
const trust = path.join(q.data, 'signing.pub');
let kiosk = null;
// What the test approved: id → {rev, from, to} (line indices of the play log
// between which the item was approved; to = null while it still is).
const approved = new Map();
try {
  const admin = new Staff(q.base);
  t.status(await admin.login('admin', ADMIN_PASSWORD), 200, 'admin logs in');
  const scr = await admin.post('/api/screens', { id: 'kiosk-1', name: 'Kiosk 1', group: 'praxis' });
  t.status(scr, 201, 'screen registered');
  const token = scr.json?.token;
  t.ok(typeof token === 'string' && token.length >= 32, 'POST /api/screens returns the screen\'s token', scr.json);
  const tokenFile = path.join(work, 'screen.token');
  fs.writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });

  kiosk = startKiosk(kioskBin, path.join(work, 'kiosk'), ['--queue', q.base, '--screen', 'kiosk-1',
    '--group', 'praxis', '--trust', trust, '--token-file', tokenFile, '--long-poll', '25',
    '--poll-interval', '1', '--net-timeout', '5', '--retry-max', '2']);
  const tail = new PlayTail(kiosk.playLog);
  const first = await tail.wait((l) => l.item === 'idle', 0, 15000, 50);
  t.ok(first !== null, 'kiosk starts on the idle card (nothing approved)', kiosk.log());
  t.ok(await kiosk.waitLog(/feed version \d+ accepted/, 0, 15000) !== null,
    'the kiosk accepts the queue\'s (empty) feed over HTTP', kiosk.log());
  // The kiosk's request is held open by the queue: a long poll, not polling.
  let held = null;
  for (let i = 0; i < 100 && held !== 1; i++) {
    const m = await request(q.base, 'GET', '/metrics');
    held = Number(/^signet_long_polls (\d+)$/m.exec(m.body.toString('utf8'))?.[1]);
    if (held !== 1) await sleep(50);
  }
  t.eq(held, 1, 'the queue holds the kiosk\'s feed request open (signet_long_polls 1)');

  // --- latency: 50 approvals and 50 revocations on an idle screen ---------
  const approveMs = [], revokeMs = [];
  const phaseFailures = [];
  for (let i = 0; i < ROUNDS && kiosk.alive(); i++) {
    const c = await admin.post('/api/items', { kind: 'post', title: `Meldung ${i + 1}`,
      body: `Aus der Praxis, Nummer ${i + 1}.` });
    if (!t.status(c, 201, `round ${i + 1}: item created`)) break;
    const id = c.json.item.id;

    tail.read();
    let mark = tail.all.length;
    approved.set(id, { rev: 1, from: mark, to: null });
    let t0 = performance.now();
    const [ra, seen] = await Promise.all([admin.post(`/api/items/${id}/approve`, { rev: 1 }),
      tail.wait((l) => l.item === id, mark, SANITY_MS)]);
    if (!t.status(ra, 200, `round ${i + 1}: approve`)) break;
    if (!t.ok(seen && seen.line.rev === 1, `round ${i + 1}: the approved item reaches the screen within ` +
      `${SANITY_MS} ms`, seen?.line ?? tail.all.slice(mark))) break;
    approveMs.push(seen.at - t0);

    tail.read();
    mark = tail.all.length;
    t0 = performance.now();
    const [rr, gone] = await Promise.all([admin.post(`/api/items/${id}/revoke`, { rev: 1, reason: 'Test' }),
      tail.wait((l) => l.item === 'idle', mark, SANITY_MS)]);
    approved.get(id).to = mark;
    if (!t.status(rr, 200, `round ${i + 1}: revoke`)) break;
    if (!t.ok(gone !== null, `round ${i + 1}: the revoked item leaves the screen within ${SANITY_MS} ms`,
      tail.all.slice(mark))) break;
    revokeMs.push(gone.at - t0);
    // While it was approved the screen showed it and nothing else; after the
    // revoke only the idle card (checked on the lines up to now).
    const during = tail.all.slice(approved.get(id).from, mark), after = tail.all.slice(mark);
    if (!during.every((l) => l.item === id && l.rev === 1) || !after.every((l) => l.item === 'idle')) {
      phaseFailures.push({ round: i + 1, id, during, after });
    }
  }
  t.eq(approveMs.length, ROUNDS, 'every approval was timed');
  t.eq(revokeMs.length, ROUNDS, 'every revocation was timed');
  t.ok(phaseFailures.length === 0, 'each round: only the approved item while approved, only idle after the revoke',
    phaseFailures);
  if (approveMs.length) summary('approval', approveMs);
  if (revokeMs.length) summary('revoke', revokeMs);

  // --- the screens API shows the kiosk's report ---------------------------
  const c2 = await admin.post('/api/items', { kind: 'notice', title: 'Heute', body: 'Ab 14 Uhr geschlossen.' });
  t.status(c2, 201, 'a notice is created');
  const nid = c2.json.item.id;
  tail.read();
  let mark = tail.all.length;
  approved.set(nid, { rev: 1, from: mark, to: null });
  t.status(await admin.post(`/api/items/${nid}/approve`, { rev: 1 }), 200, 'approve the notice');
  t.ok(await tail.wait((l) => l.item === nid && l.rev === 1, mark, SANITY_MS, 20) !== null, 'the notice shows');
  let screen = null;
  for (let i = 0; i < 150; i++) { // the kiosk reports a change within seconds
    const r = await admin.get('/api/screens');
    screen = r.json?.screens?.find((s) => s.id === 'kiosk-1');
    if (screen?.status?.item === nid) break;
    await sleep(100);
  }
  t.ok(screen?.status?.item === nid && screen.status.rev === 1,
    'the screens API shows the kiosk\'s status report with the notice on screen', screen);
  t.ok(screen?.online === true && screen.last_seen, 'the screen is online with a last-seen time', screen);
  t.ok(screen?.status && screen.status.version === screen.feed_version,
    'the reported feed version is the one the queue published', screen);

  // --- emergency stop and undo --------------------------------------------
  tail.read();
  mark = tail.all.length;
  let t0 = performance.now();
  t.status(await admin.post('/api/emergency', { stop: true }), 200, 'emergency stop');
  const stop = await tail.wait((l) => l.item === 'idle', mark, SANITY_MS, POLL_MS);
  t.ok(stop !== null, 'emergency stop: idle card');
  if (stop) console.log(`emergency-stop-to-screen ${(stop.at - t0).toFixed(1)} ms`);
  const stoppedAt = tail.all.length;
  tail.read();
  mark = tail.all.length;
  t0 = performance.now();
  t.status(await admin.post('/api/emergency', { stop: false }), 200, 'undo');
  const back = await tail.wait((l) => l.item === nid, mark, SANITY_MS, POLL_MS);
  t.ok(back !== null, 'undo: notice back');
  if (back) console.log(`undo-to-screen ${(back.at - t0).toFixed(1)} ms`);
  const during = tail.all.slice(stoppedAt, mark);
  t.ok(during.every((l) => l.item === 'idle'), 'nothing but the idle card while stopped', during);

  // --- the whole play log ---------------------------------------------------
  tail.read();
  const bad = tail.all.filter((l) => {
    if (l.item === 'idle') return false;
    const a = approved.get(l.item);
    return !a || l.rev !== a.rev || l.index < a.from || (a.to !== null && l.index >= a.to);
  });
  t.ok(bad.length === 0, 'every card in the play log was approved at that moment, with the approved rev', bad);
  t.ok(tail.all.every((l) => l.screen === 'kiosk-1'), 'every line names the screen');
  const versions = tail.all.map((l) => l.version);
  t.ok(versions.every((v, i) => i === 0 || v >= versions[i - 1]), 'feed versions in the play log never go back',
    versions);
  t.ok(!kiosk.log().includes('server answers at once'), 'the kiosk never fell back to polling the queue',
    kiosk.log());
  t.ok(!/feed fetch failed|feed refused/.test(kiosk.log()), 'no feed fetch failed, no feed refused', kiosk.log());
  t.ok(kiosk.alive(), 'the kiosk is still running', kiosk.exited());
  t.ok(!/status report failed/.test(kiosk.log()), 'status reports get through', kiosk.log());
} catch (e) {
  t.ok(false, 'exception', e.stack);
} finally {
  if (kiosk) {
    const e = await kiosk.stop().catch((err) => ({ err: err.message }));
    t.ok(e && e.code === 0, 'the kiosk exits cleanly on SIGTERM', { exit: e, log: kiosk.log().slice(-2000) });
  }
  await q.stop();
}
console.log(`e2e-kiosk: ${((performance.now() - started) / 1000).toFixed(1)} s`);
t.done();
