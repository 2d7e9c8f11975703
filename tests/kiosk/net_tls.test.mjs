// signet-kiosk against a real signet-queue over native TLS (issue 4): a
// self-signed certificate for 127.0.0.1, screen s1 registered, one approved
// tip with a PNG. Five kiosks at once, each with its own state folder:
//   --ca-file CERT                 the tip reaches the play log
//   no --ca-file                   "feed fetch failed" about the certificate, idle only
//   --ca-file + --pin-key RIGHT    the tip reaches the play log
//   --ca-file + --pin-key WRONG    refused, idle only
//   --pin-key RIGHT, no --ca-file  refused: a pin adds to verification, it
//                                  does not replace it ("TLS verification always on")
// usage: node net_tls.test.mjs SIGNET_QUEUE SIGNET_KIOSK PNG WORKDIR
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { ADMIN_PASSWORD, checker, startQueue } from '../queue/queue.mjs';
import { sleep, startKiosk } from './kiosk.mjs';

const [queueBin, kioskBin, image, work] = process.argv.slice(2);
if (!work) {
  console.error('usage: node net_tls.test.mjs SIGNET_QUEUE SIGNET_KIOSK PNG WORKDIR');
  process.exit(2);
}
const t = checker('kiosk-net-tls');
fs.rmSync(work, { recursive: true, force: true });
fs.mkdirSync(work, { recursive: true });
const cert = path.join(work, 'cert.pem'), key = path.join(work, 'key.pem');
execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
  '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1',
  '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
// curl's pin: sha256// + base64 of the SHA-256 of the DER SubjectPublicKeyInfo.
const pubPem = execFileSync('openssl', ['x509', '-in', cert, '-pubkey', '-noout']);
const pubDer = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'der'], { input: pubPem });
const pinHash = execFileSync('openssl', ['dgst', '-sha256', '-binary'], { input: pubDer });
const pin = `sha256//${pinHash.toString('base64')}`;
const wrongPin = `sha256//${crypto.createHash('sha256').update('another key').digest('base64')}`;

let token = null, mediaSha = null;
const q = await startQueue(queueBin, path.join(work, 'queue'), {
  extraArgs: ['--tls-cert', cert, '--tls-key', key],
  beforeServe(data) {
    const out = execFileSync(queueBin, ['screen', 'add', '--data', data, '--id', 's1', '--name', 'Wartezimmer'],
      { encoding: 'utf8' });
    token = /\b[0-9a-f]{64}\b/.exec(out)?.[0];
    mediaSha = /\b[0-9a-f]{64}\b/.exec(execFileSync(queueBin, ['media', 'add', '--data', data, image],
      { encoding: 'utf8' }))?.[0];
    const items = path.join(work, 'items.json');
    fs.writeFileSync(items, JSON.stringify([{ kind: 'tip', title: 'Über TLS', body: 'Signiert und verschlüsselt.',
      lang: 'de', media: [{ sha256: mediaSha, alt: 'Bild' }] }]));
    execFileSync(queueBin, ['import', '--data', data, items, '--approve-as', 'admin'], { stdio: 'ignore' });
  },
});
const origin = `https://127.0.0.1:${q.port}`;

// One request to the queue over TLS, verified against the test's cert.
function tls(method, p, { headers = {}, body = null } = {}) {
  return new Promise((resolve, reject) => {
    const req = https.request(`${origin}${p}`, { method, headers, ca: fs.readFileSync(cert), agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    if (body !== null) req.write(body);
    req.end();
  });
}
const get = (p, headers) => tls('GET', p, { headers });

const kiosks = [];
try {
  t.ok(token && mediaSha, 'screen token and media hash from the queue CLI', { token, mediaSha });
  const feed = await get('/v1/screens/s1/feed');
  t.eq(feed.status, 200, 'the queue serves the feed over TLS');
  const payload = JSON.parse(Buffer.from(JSON.parse(feed.body).payload, 'base64').toString('utf8'));
  const itemId = payload.items?.[0]?.id;
  t.ok(itemId && payload.items[0].media?.[0]?.sha256 === mediaSha, 'the feed holds the approved tip with its PNG',
    payload);

  const trust = path.join(q.data, 'signing.pub');
  const common = ['--queue', origin, '--screen', 's1', '--trust', trust, '--long-poll', '2',
    '--poll-interval', '0.3', '--net-timeout', '2', '--retry-max', '2'];
  const tokenFile = path.join(work, 'token');
  fs.writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
  const cases = [
    { name: 'ca-file', args: ['--ca-file', cert, '--token-file', tokenFile, '--status-interval', '2'], shows: true },
    { name: 'no ca-file', args: [], shows: false, refusal: /feed fetch failed: .*certificate/i },
    { name: 'right pin', args: ['--ca-file', cert, '--pin-key', pin], shows: true },
    { name: 'wrong pin', args: ['--ca-file', cert, '--pin-key', wrongPin], shows: false,
      refusal: /feed fetch failed: .*(pinned|public key)/i },
    { name: 'pin, no ca-file', args: ['--pin-key', pin], shows: false, refusal: /feed fetch failed: .*certificate/i },
  ];
  for (const c of cases) {
    c.k = startKiosk(kioskBin, path.join(work, c.name.replace(/[^a-z]+/g, '-')), [...common, ...c.args]);
    kiosks.push(c.k);
  }
  const rows = [];
  await Promise.all(cases.map(async (c) => {
    const { k } = c;
    if (c.shows) {
      const hit = await k.waitPlay((l) => l.item === itemId, 0, 15000);
      t.ok(hit && hit.version === payload.version, `[${c.name}] the approved tip reaches the play log`, k.plays());
      const line = await k.waitLog(`feed version ${payload.version} accepted`, 0, 1000);
      t.ok(line !== null, `[${c.name}] logs the accepted feed`, k.log());
      rows.push([c.name, line]);
    } else {
      const line = await k.waitLog(c.refusal, 0, 15000);
      t.ok(line !== null, `[${c.name}] logs ${c.refusal}`, k.log());
      rows.push([c.name, line]);
      await sleep(2500); // retries go on failing; nothing may show meanwhile
      t.ok(!k.log().includes('accepted: signed by'), `[${c.name}] no feed accepted`);
    }
    const plays = k.plays();
    t.ok(plays.every((l) => l.item === 'idle' || (c.shows && l.item === itemId)),
      `[${c.name}] the play log holds ${c.shows ? 'only the approved tip (and idle)' : 'only the idle card'}`, plays);
    t.ok(k.alive(), `[${c.name}] the kiosk is running`, k.exited());
  }));
  // The kiosk with the token reports what it shows over TLS, soon after
  // the item came on screen (contract: within about 5 s).
  const login = await tls('POST', '/api/login', { headers: { 'Content-Type': 'application/json', Origin: origin,
    'Sec-Fetch-Site': 'same-origin' }, body: JSON.stringify({ name: 'admin', password: ADMIN_PASSWORD }) });
  t.eq(login.status, 200, 'admin logs in over TLS');
  const cookie = ([].concat(login.headers['set-cookie'] || [])[0] || '').split(';')[0];
  let status = null;
  for (let end = Date.now() + 8000; Date.now() < end; await sleep(250)) {
    const r = await get('/api/screens', { Cookie: cookie });
    status = JSON.parse(r.body).screens?.find((x) => x.id === 's1')?.status ?? null;
    if (status && status.item === itemId) break;
  }
  t.ok(status && status.item === itemId && status.version === payload.version,
    '[ca-file] the queue got a status report naming the item on screen', status);
  t.ok(!cases[0].k.log().includes('status report failed'), '[ca-file] status reports over TLS do not fail',
    cases[0].k.log());
  // Staff ask for a screenshot; the kiosk sends one with its next report
  // (the reply to a report carries the request, the report after it the PNG;
  // this kiosk reports every 2 s, the default is once a minute).
  const csrf = JSON.parse(login.body).csrf;
  const staff = { Cookie: cookie, Origin: origin, 'Sec-Fetch-Site': 'same-origin', 'X-CSRF-Token': csrf,
    'Content-Type': 'application/json' };
  const asked = await tls('POST', '/api/screens/s1/screenshot', { headers: staff, body: '' });
  t.eq(asked.status, 200, 'an admin asks screen s1 for a screenshot');
  let shot = null;
  for (let end = Date.now() + 10000; Date.now() < end; await sleep(250)) {
    const r = await get('/api/screens/s1/screenshot.png', { Cookie: cookie });
    if (r.status === 200) { shot = r; break; }
  }
  t.ok(shot && shot.body.subarray(1, 4).toString('latin1') === 'PNG' && shot.body.length > 1000,
    '[ca-file] the kiosk answers with a PNG screenshot the queue serves', shot && shot.status);
  t.ok((await cases[0].k.waitLog(/screenshot for the queue: \d+ bytes/, 0, 1000)) !== null,
    '[ca-file] the kiosk logs the screenshot it sent', cases[0].k.log());
  console.log('\ncase              observed log line');
  for (const [name, line] of rows) {
    console.log(`${name.padEnd(17)} ${(line ?? '(none)').replace(/^signet-kiosk: /, '')}`);
  }
} catch (e) {
  t.ok(false, 'exception', e.stack);
} finally {
  for (const k of kiosks) {
    const e = await k.stop().catch((err) => ({ error: err.message }));
    t.ok(e && e.code === 0, `kiosk in ${path.basename(k.dir)} exits 0 on SIGTERM`, e);
    t.ok(!/AddressSanitizer|LeakSanitizer|runtime error:/.test(k.log()),
      `no sanitizer report in ${path.basename(k.dir)}`);
  }
  await q.stop();
}
t.done();
