// A stand-in for the places clinics publish (an RSS or Atom feed, a
// Mastodon instance, Bluesky's AppView, an image host) for black-box tests
// of signet-queue's ingest. Mastodon and Bluesky are outside this machine,
// so their answers are recorded fixtures written for the tests
// (tests/data/ingest/); the queue fetches them over real HTTP on loopback.
//
// Every path answers what the test last set with set(path, answer):
//   {body, type?, status?, headers?}   a plain answer (body: Buffer or string)
//   {status: 429, retryAfter: 120}     rate limited, with Retry-After
//   {stall: true}                      headers, then silence until closed
// A path that was never set answers 404. The query string is ignored for
// matching and kept in requests (for the tests that check it).
import http from 'node:http';

export async function startSources() {
  const answers = new Map();
  const requests = [];
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    requests.push({ time: Date.now(), method: req.method, path: u.pathname, query: u.search,
      headers: req.headers });
    const a = answers.get(u.pathname);
    if (!a) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found\n');
      return;
    }
    if (a.stall) {
      res.writeHead(200, { 'Content-Type': a.type || 'application/json', 'Content-Length': 100000 });
      res.flushHeaders();
      return; // nothing more: the client's stall timeout has to end it
    }
    if (a.status === 429) {
      res.writeHead(429, { 'Retry-After': String(a.retryAfter ?? 60), 'Content-Type': 'text/plain' });
      res.end('slow down\n');
      return;
    }
    const body = Buffer.isBuffer(a.body) ? a.body : Buffer.from(a.body ?? '', 'utf8');
    res.writeHead(a.status || 200, { 'Content-Type': a.type || 'application/json',
      'Content-Length': body.length, ...(a.headers || {}) });
    res.end(body);
  });
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
    // Requests for one path (any query).
    hits: (path) => requests.filter((r) => r.path === path),
    set(path, answer) { answers.set(path, answer); },
    unset(path) { answers.delete(path); },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
