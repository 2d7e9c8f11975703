// A hostile signet-queue look-alike for black-box tests of signet-kiosk's
// network side (issue 4). It answers GET /v1/screens/{id}/feed according to
// a mode the test switches at run time, and serves media by hash. Every
// answer a broken or malicious server (or a captive portal, or a proxy) could
// give is one mode; huge bodies are streamed, never held in memory.
// node:http, node:net and node:zlib only.
//
// Modes (setMode(mode); a mode is an object with a `kind`):
//   {kind: 'feed', body, etag}   a well-behaved long-polling queue: 200 with
//                                body and ETag, or, when If-None-Match equals
//                                etag, hold the request up to ?wait= s, then 304
//   {kind: 'status', code}       e.g. a bare 500
//   {kind: 'not-modified'}       304 to every request, whatever was sent
//   {kind: 'stall'}              200 headers (Content-Length 4096), then silence
//   {kind: 'trickle', rate}      200, then `rate` bytes per second, forever
//   {kind: 'truncate', body, claim}  Content-Length `claim` > body.length,
//                                send body, close the connection
//   {kind: 'huge', bytes}        a chunked body of `bytes` bytes (no length)
//   {kind: 'gzip-bomb', gz}      Content-Encoding: gzip, gz (see gzipBomb())
//   {kind: 'redirect', location} 302 to location (e.g. file:///etc/passwd)
// Switching modes answers held long polls at once with the new mode, as the
// real queue does when a new version is signed. setMediaMode(mode) makes
// media requests get a hostile answer too (any kind but 'feed'; null: serve
// the media map again).
//
// As a program, for trying it with curl:
//   node hostile_server.mjs MODE [FEED_FILE]   prints "listening PORT"
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const FEED_PATH = /^\/v1\/screens\/([A-Za-z0-9._-]+)\/feed$/;
const MEDIA_PATH = /^\/v1\/media\/([0-9a-f]{64})$/;

// A gzip stream of `bytes` zero bytes, built by streaming (never the whole
// plain text in memory). 256 MiB of zeros is about 256 KiB on the wire.
export function gzipBomb(bytes = 256 * 1024 * 1024) {
  return new Promise((resolve, reject) => {
    const gz = zlib.createGzip({ level: 9 });
    const out = [];
    gz.on('data', (c) => out.push(c));
    gz.on('end', () => resolve(Buffer.concat(out)));
    gz.on('error', reject);
    const chunk = Buffer.alloc(1024 * 1024);
    let left = bytes;
    const pump = () => {
      while (left > 0) {
        const n = Math.min(left, chunk.length);
        left -= n;
        if (!gz.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return gz.once('drain', pump);
      }
      gz.end();
      return undefined;
    };
    pump();
  });
}

// A port nobody listens on (bound, then closed again at once).
export function closedPort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// Starts a server on 127.0.0.1 (free port). media: {sha256: Buffer}.
// Returns {port, base, requests, feedRequests(), stats, setMode(), close()}.
// requests: every request seen, {time, method, url, headers}; stats of the
// hostile bodies: {bytesSent, abandoned} (abandoned: the client closed the
// connection before the server was done).
export async function startHostile({ mode = { kind: 'status', code: 503 }, media = {} } = {}) {
  let current = mode;
  let mediaMode = null;
  const requests = [];
  const held = new Set(); // long polls waiting for a new version
  const sockets = new Set();
  const stats = { bytesSent: 0, abandoned: 0, responses: 0 };

  function answerFeed(req, res, m, wait) {
    stats.responses++;
    const gone = () => res.destroyed || res.socket === null || res.socket.destroyed;
    res.on('close', () => { if (!res.writableFinished) stats.abandoned++; });
    switch (m.kind) {
      case 'feed': {
        const inm = req.headers['if-none-match'];
        if (inm !== undefined && inm === m.etag) {
          const entry = { req, res, wait };
          entry.timer = setTimeout(() => {
            held.delete(entry);
            if (!gone()) { res.writeHead(304, { ETag: m.etag }); res.end(); }
          }, wait * 1000);
          held.add(entry);
          res.on('close', () => { clearTimeout(entry.timer); held.delete(entry); });
          return;
        }
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': m.body.length,
          ETag: m.etag, 'Cache-Control': 'no-cache' });
        res.end(m.body);
        return;
      }
      case 'status':
        res.writeHead(m.code, { 'Content-Type': 'text/plain' });
        res.end(`${m.code} hostile\n`);
        return;
      case 'not-modified':
        res.writeHead(304, { ETag: '"999"' });
        res.end();
        return;
      case 'stall':
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 4096 });
        res.flushHeaders();
        return; // nothing more, ever: the socket stays open until the client gives up
      case 'trickle': {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 1 << 20 });
        res.flushHeaders();
        const iv = setInterval(() => {
          if (gone()) { clearInterval(iv); return; }
          res.write(Buffer.alloc(m.rate || 1, 0x20));
          stats.bytesSent += m.rate || 1;
        }, 1000);
        res.on('close', () => clearInterval(iv));
        return;
      }
      case 'truncate':
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': m.claim });
        res.write(m.body, () => { stats.bytesSent += m.body.length; res.socket?.destroySoon(); });
        return;
      case 'huge': {
        // Chunked, so the client cannot refuse it from a length header: the
        // cap has to be counted as bytes arrive. Written with back-pressure.
        res.writeHead(200, { 'Content-Type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        let left = m.bytes;
        const pump = () => {
          while (left > 0 && !gone()) {
            const n = Math.min(left, chunk.length);
            left -= n;
            stats.bytesSent += n;
            if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return res.once('drain', pump);
          }
          if (!gone()) res.end();
          return undefined;
        };
        pump();
        return;
      }
      case 'gzip-bomb':
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip',
          'Content-Length': m.gz.length });
        stats.bytesSent += m.gz.length;
        res.end(m.gz);
        return;
      case 'redirect':
        res.writeHead(302, { Location: m.location, 'Content-Length': 0 });
        res.end();
        return;
      default:
        res.writeHead(500);
        res.end(`unknown mode ${m.kind}\n`);
    }
  }

  const server = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    requests.push({ time: Date.now(), method: req.method, url: req.url, headers: req.headers });
    let m;
    if (req.method === 'GET' && FEED_PATH.test(u.pathname)) {
      const wait = Math.min(Math.max(Number(u.searchParams.get('wait')) || 0, 0), 60);
      answerFeed(req, res, current, wait);
    } else if (req.method === 'GET' && mediaMode && MEDIA_PATH.test(u.pathname)) {
      answerFeed(req, res, mediaMode, 0);
    } else if (req.method === 'GET' && (m = MEDIA_PATH.exec(u.pathname)) && media[m[1]]) {
      res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': media[m[1]].length,
        'Cache-Control': 'public, max-age=31536000, immutable' });
      res.end(media[m[1]]);
    } else if (req.method === 'POST' && /^\/v1\/screens\/[^/]+\/status$/.test(u.pathname)) {
      req.resume();
      req.on('end', () => { res.writeHead(204); res.end(); });
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found\n');
    }
  });
  // Keep idle keep-alive sockets around long enough for the kiosk to reuse
  // them; close() destroys them anyway.
  server.keepAliveTimeout = 30000;
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    port,
    base: `http://127.0.0.1:${port}`,
    requests,
    stats,
    feedRequests: () => requests.filter((r) => FEED_PATH.test(new URL(r.url, 'http://x').pathname)),
    mode: () => current,
    mediaRequests: () => requests.filter((r) => MEDIA_PATH.test(new URL(r.url, 'http://x').pathname)),
    setMediaMode(next) { mediaMode = next; },
    setMode(next) {
      current = next;
      for (const e of [...held]) {
        held.delete(e);
        clearTimeout(e.timer);
        answerFeed(e.req, e.res, next, e.wait);
      }
    },
    close() {
      for (const e of held) clearTimeout(e.timer);
      held.clear();
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

// As a program: one mode, for poking at it with curl.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [kind = 'status', file] = process.argv.slice(2);
  const body = file ? fs.readFileSync(file) : Buffer.from('{"not":"a feed"}\n');
  const modes = {
    feed: { kind: 'feed', body, etag: '"5"' },
    status: { kind: 'status', code: 500 },
    'not-modified': { kind: 'not-modified' },
    stall: { kind: 'stall' },
    trickle: { kind: 'trickle', rate: 1 },
    truncate: { kind: 'truncate', body, claim: body.length + 1000 },
    huge: { kind: 'huge', bytes: 100 * 1024 * 1024 },
    'gzip-bomb': { kind: 'gzip-bomb', gz: kind === 'gzip-bomb' ? await gzipBomb() : null },
    redirect: { kind: 'redirect', location: 'file:///etc/passwd' },
  };
  if (!modes[kind]) {
    console.error(`usage: node hostile_server.mjs {${Object.keys(modes).join('|')}} [FEED_FILE]`);
    process.exit(2);
  }
  const s = await startHostile({ mode: modes[kind] });
  console.log(`listening ${s.port}`);
  process.on('SIGTERM', async () => { await s.close(); process.exit(0); });
}
