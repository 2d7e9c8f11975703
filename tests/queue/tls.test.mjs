// Native TLS and the reverse-proxy mode: the session cookie becomes
// __Host-signet_session with Secure, HSTS is sent, and a plain
// "signet_session" cookie (settable by anyone on plain HTTP) is ignored.
// usage: node tls.test.mjs SIGNET_QUEUE WORKDIR
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { ADMIN_PASSWORD, checker, request, startQueue } from './queue.mjs';

const [bin, work] = process.argv.slice(2);
const t = checker('tls');

function tlsRequest(port, method, p, headers = {}, body = null) {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, path: p, method, headers,
      rejectUnauthorized: false, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers,
        body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

fs.rmSync(work, { recursive: true, force: true });
fs.mkdirSync(work, { recursive: true });
const cert = path.join(work, 'cert.pem'), key = path.join(work, 'key.pem');
execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
  '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });

let q = await startQueue(bin, path.join(work, 'native'), { extraArgs: ['--tls-cert', cert, '--tls-key', key] });
try {
  const origin = `https://127.0.0.1:${q.port}`;
  const login = await tlsRequest(q.port, 'POST', '/api/login', { 'Content-Type': 'application/json',
    Origin: origin, 'Sec-Fetch-Site': 'same-origin' }, JSON.stringify({ name: 'admin', password: ADMIN_PASSWORD }));
  t.eq(login.status, 200, 'login over TLS');
  const cookie = [].concat(login.headers['set-cookie'] || [])[0] || '';
  t.ok(/^__Host-signet_session=[0-9a-f]{64}; Path=\/; HttpOnly; SameSite=Strict; Secure$/.test(cookie),
    '__Host- cookie with Secure over TLS', cookie);
  t.ok(/max-age=\d+/.test(login.headers['strict-transport-security'] || ''), 'HSTS over TLS');
  const value = cookie.split(';')[0].split('=')[1];
  t.eq((await tlsRequest(q.port, 'GET', '/api/session', { Cookie: `__Host-signet_session=${value}` })).status, 200,
    'the __Host- cookie is a session');
  t.eq((await tlsRequest(q.port, 'GET', '/api/session', { Cookie: `signet_session=${value}` })).status, 401,
    'a plain-named cookie is ignored over TLS');
  t.eq((await tlsRequest(q.port, 'GET', '/healthz')).status, 200, 'healthz over TLS');
  let plainRefused = false;
  try { await request(q.base, 'GET', '/healthz', { timeoutMs: 3000 }); } catch { plainRefused = true; }
  t.ok(plainRefused, 'plain HTTP is not answered on the TLS port');
} finally {
  await q.stop();
}

// Behind a TLS-terminating proxy: only with --trust-proxy do the forwarded
// headers count.
for (const trust of [false, true]) {
  q = await startQueue(bin, path.join(work, trust ? 'proxy' : 'noproxy'), { extraArgs: trust ? ['--trust-proxy'] : [] });
  try {
    const r = await request(q.base, 'POST', '/api/login', { headers: { 'Content-Type': 'application/json',
      'X-Forwarded-Proto': 'https', 'X-Forwarded-For': '203.0.113.7', Origin: trust ? 'https://' + `127.0.0.1:${q.port}` : q.base },
      body: JSON.stringify({ name: 'admin', password: ADMIN_PASSWORD }) });
    t.eq(r.status, 200, `login behind a proxy (trust ${trust})`);
    const c = [].concat(r.headers['set-cookie'] || [])[0] || '';
    t.eq(/^__Host-.*Secure/.test(c), trust, `Secure __Host- cookie only when the proxy is trusted (${trust})`);
  } finally {
    await q.stop();
  }
  const log = fs.readFileSync(path.join(q.dir, 'queue.log'), 'utf8');
  t.eq(/ip=203\.0\.113\.7/.test(log), trust, `client address from X-Forwarded-For only when trusted (${trust})`);
}
t.done();
