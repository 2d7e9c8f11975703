// Starts and stops a real signet-queue for black-box tests, and speaks its
// API like the staff page does (cookie, CSRF header, same-origin headers).
// Node's own http module only: full control over every header, no browser.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

export const ADMIN_PASSWORD = 'correct horse battery staple';

// init + serve on a free port; returns {base, data, proc, stop()}.
export async function startQueue(bin, dir, { init = true, extraArgs = [], env = {}, beforeServe = null } = {}) {
  const data = path.join(dir, 'data');
  if (init) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    execFileSync(bin, ['init', '--data', data, '--admin', 'admin', '--password-stdin',
      '--clinic', 'Praxis Test'], { input: ADMIN_PASSWORD + '\n' });
  }
  if (beforeServe) beforeServe(data);
  const portFile = path.join(dir, 'port');
  fs.rmSync(portFile, { force: true });
  const log = fs.openSync(path.join(dir, 'queue.log'), 'a');
  const proc = spawn(bin, ['serve', '--data', data, '--listen', '127.0.0.1:0',
    '--port-file', portFile, ...extraArgs], { stdio: ['ignore', log, log], env: { ...process.env, ...env } });
  let exited = null;
  proc.on('exit', (code, sig) => { exited = { code, sig }; });
  for (let i = 0; i < 200 && !fs.existsSync(portFile); i++) {
    if (exited) break;
    await sleep(50);
  }
  if (!fs.existsSync(portFile)) {
    throw new Error(`signet-queue did not start: ${JSON.stringify(exited)}\n` +
      fs.readFileSync(path.join(dir, 'queue.log'), 'utf8'));
  }
  const port = Number(fs.readFileSync(portFile, 'utf8').trim());
  const base = `http://127.0.0.1:${port}`;
  return {
    base, data, proc, port, dir,
    exited: () => exited,
    async stop() {
      if (exited) return exited;
      proc.kill('SIGTERM');
      for (let i = 0; i < 200 && !exited; i++) await sleep(50);
      if (!exited) { proc.kill('SIGKILL'); throw new Error('signet-queue did not stop on SIGTERM'); }
      return exited;
    },
  };
}

export function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

// One HTTP request; resolves {status, headers, body (Buffer), json}.
export function request(base, method, urlPath, { headers = {}, body = null, timeoutMs = 70000 } = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(urlPath, base);
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search,
      method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        let json = null;
        if ((res.headers['content-type'] || '').startsWith('application/json') && buf.length) {
          try { json = JSON.parse(buf.toString('utf8')); } catch { json = undefined; }
        }
        resolve({ status: res.statusCode, headers: res.headers, body: buf, json });
      });
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout ${method} ${urlPath}`)));
    req.on('error', reject);
    if (body !== null) req.write(body);
    req.end();
  });
}

// A signed-in staff member, as the page would act.
export class Staff {
  constructor(base) { this.base = base; this.cookie = null; this.csrf = null; this.user = null; }

  headers(extra = {}) {
    const h = { Origin: this.base, 'Sec-Fetch-Site': 'same-origin', ...extra };
    if (this.cookie) h.Cookie = this.cookie;
    if (this.csrf) h['X-CSRF-Token'] = this.csrf;
    return h;
  }

  async login(name, password) {
    const r = await request(this.base, 'POST', '/api/login', {
      headers: this.headers({ 'Content-Type': 'application/json' }),
      body: JSON.stringify({ name, password }) });
    if (r.status === 200) {
      const sc = [].concat(r.headers['set-cookie'] || []);
      this.cookie = sc[0].split(';')[0];
      this.csrf = r.json.csrf;
      this.user = r.json.user;
    }
    return r;
  }

  get(p, extra = {}) { return request(this.base, 'GET', p, { headers: this.headers(extra) }); }

  post(p, obj, extra = {}) {
    const body = obj === undefined ? '' : (typeof obj === 'string' || Buffer.isBuffer(obj) ? obj : JSON.stringify(obj));
    return request(this.base, 'POST', p, {
      headers: this.headers({ 'Content-Type': 'application/json', ...extra }), body });
  }
}

// A tiny test runner: named checks, all reported, exit code at the end.
export function checker(name) {
  let failures = 0, count = 0;
  return {
    ok(cond, what, detail) {
      count++;
      if (process.env.SIGNET_TEST_VERBOSE) console.log(`${cond ? 'ok  ' : 'FAIL'} ${what}`);
      if (!cond) {
        failures++;
        console.error(`FAIL ${what}${detail !== undefined ? ': ' + (typeof detail === 'string' ? detail : JSON.stringify(detail)) : ''}`);
      }
      return cond;
    },
    eq(a, b, what) { return this.ok(a === b, what, `got ${JSON.stringify(a)}, want ${JSON.stringify(b)}`); },
    status(r, want, what) { return this.ok(r.status === want, what, `status ${r.status}, want ${want}: ${r.body.toString('utf8').slice(0, 300)}`); },
    done() {
      console.log(`${name}: ${count - failures}/${count} checks passed`);
      process.exitCode = failures ? 1 : 0;
      return failures;
    },
  };
}
