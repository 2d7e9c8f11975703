// Long-poll load for the queue benchmark: N screens each hold
// GET /v1/screens/{id}/feed?wait=60 with their current ETag; one approve
// call (an item for every screen) must reach all of them. Prints the
// server's RSS while they wait and the approve-to-delivery times.
// usage: node longpoll.mjs BASE ADMIN_PASSWORD_FILE PID N
import fs from 'node:fs';
import http from 'node:http';
import { Staff, request, sleep } from '../queue/queue.mjs';

const [base, pwFile, pid, nArg] = process.argv.slice(2);
const n = Number(nArg || 2000);
const admin = new Staff(base);
const password = fs.readFileSync(pwFile, 'utf8').trim();
if ((await admin.login('admin', password)).status !== 200) throw new Error('login failed');

const rssMiB = () => {
  const st = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(st)[1]) / 1024;
};
const pssMiB = () => {
  try {
    const st = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    return Number(/Pss:\s+(\d+)/.exec(st)[1]) / 1024;
  } catch { return NaN; }
};

// One agent per screen-sized socket pool: each poll is its own connection,
// as 2,000 boards would be.
const agent = new http.Agent({ keepAlive: true, maxSockets: n + 10 });
const etags = new Map();
const ids = [];
for (let i = 0; i < n; i++) ids.push(`bench-${String(i).padStart(4, '0')}`);
// Current versions first (sequentially in batches, to not be a flood).
for (let i = 0; i < n; i += 100) {
  await Promise.all(ids.slice(i, i + 100).map(async (id) => {
    // A screen registered a moment ago gets its first feed in the
    // publisher's next round.
    let r = await request(base, 'GET', `/v1/screens/${id}/feed`);
    for (let k = 0; k < 100 && r.status === 404; k++) {
      await sleep(100);
      r = await request(base, 'GET', `/v1/screens/${id}/feed`);
    }
    if (r.status !== 200) throw new Error(`feed ${id}: ${r.status}`);
    etags.set(id, r.headers.etag);
  }));
}
const rssIdle = rssMiB();

let tApprove = 0;
const arrivals = [];
let errors = 0, notModified = 0;
const polls = ids.map((id) => new Promise((resolve) => {
  const req = http.request({ host: new URL(base).hostname, port: new URL(base).port,
    path: `/v1/screens/${id}/feed?wait=60`, method: 'GET', agent,
    headers: { 'If-None-Match': etags.get(id) } }, (res) => {
    res.resume();
    res.on('end', () => {
      if (res.statusCode === 200) arrivals.push(Date.now() - tApprove);
      else if (res.statusCode === 304) notModified++;
      else errors++;
      resolve();
    });
  });
  req.on('error', () => { errors++; resolve(); });
  req.end();
}));
// Wait until the server holds them all (its own gauge).
let held = 0;
for (let i = 0; i < 200; i++) {
  const m = (await request(base, 'GET', '/metrics')).body.toString();
  held = Number(/^signet_long_polls (\d+)/m.exec(m)[1]);
  if (held >= n) break;
  await sleep(100);
}
const rssHeld = rssMiB(), pssHeld = pssMiB();
const c = await admin.post('/api/items', { kind: 'notice', title: 'Bench', body: 'An alle Bildschirme.' });
tApprove = Date.now();
const ap = await admin.post(`/api/items/${c.json.item.id}/approve`, { rev: 1 });
const approveMs = Date.now() - tApprove;
await Promise.all(polls);
const rssAfter = rssMiB();
arrivals.sort((a, b) => a - b);
const pct = (p) => arrivals.length ? arrivals[Math.min(arrivals.length - 1, Math.ceil(p / 100 * arrivals.length) - 1)] : NaN;
console.log(`RESULT longpoll_screens ${n}`);
console.log(`RESULT longpoll_held ${held}`);
console.log(`RESULT approve_status ${ap.status} approve_call_ms ${approveMs}`);
console.log(`RESULT delivered ${arrivals.length} not_modified ${notModified} errors ${errors}`);
console.log(`RESULT delivery_ms p50 ${pct(50)} p99 ${pct(99)} max ${arrivals[arrivals.length - 1]}`);
console.log(`RESULT rss_mib idle ${rssIdle.toFixed(1)} holding ${rssHeld.toFixed(1)} after ${rssAfter.toFixed(1)} pss_holding ${pssHeld.toFixed(1)}`);
agent.destroy();
process.exit(arrivals.length === n && errors === 0 ? 0 : 1);
