// API black-box test: the real signet-queue on loopback, every route, every
// role, every state transition and the bad inputs of issue 3.
// usage: node api.test.mjs SIGNET_QUEUE_BINARY WORKDIR
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ADMIN_PASSWORD, Staff, checker, request, sleep, startQueue } from './queue.mjs';

const [bin, work] = process.argv.slice(2);
if (!bin || !work) {
  console.error('usage: node api.test.mjs SIGNET_QUEUE WORKDIR');
  process.exit(2);
}
const t = checker('api');
// A valid 1x1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

function feedItems(res) {
  const env = JSON.parse(res.body.toString('utf8'));
  const payload = JSON.parse(Buffer.from(env.payload, 'base64').toString('utf8'));
  return payload;
}

async function feed(q, screen, extra = {}) {
  return request(q.base, 'GET', `/v1/screens/${screen}/feed`, { headers: extra });
}

const post = (title, extra = {}) => ({ kind: 'post', title, body: `Text von ${title}.`, author: 'Praxis', ...extra });

let q = await startQueue(bin, work);
try {
  const admin = new Staff(q.base);
  t.status(await admin.login('admin', ADMIN_PASSWORD), 200, 'admin logs in');
  const setCookie = [].concat((await new Staff(q.base).login('admin', ADMIN_PASSWORD)).headers['set-cookie'])[0];
  t.ok(/HttpOnly/.test(setCookie) && /SameSite=Strict/.test(setCookie) && /Path=\//.test(setCookie) &&
    !/Secure/.test(setCookie) && /^signet_session=/.test(setCookie), 'session cookie attributes', setCookie);

  // --- page, security headers, ops routes ---
  const page = await request(q.base, 'GET', '/');
  t.status(page, 200, 'GET / serves the page');
  t.ok((page.headers['content-type'] || '').startsWith('text/html'), 'page is HTML');
  t.ok(/default-src 'none'/.test(page.headers['content-security-policy'] || ''), 'CSP header');
  t.eq(page.headers['x-content-type-options'], 'nosniff', 'nosniff header');
  t.status(await request(q.base, 'GET', '/nothing-here.js'), 404, 'unknown file 404');
  const nf = await request(q.base, 'GET', '/api/nope/deeper');
  t.status(nf, 404, 'unknown route 404');
  t.eq(nf.json && nf.json.error, 'not-found', 'unknown route JSON error');
  const m405 = await request(q.base, 'GET', '/api/login');
  t.status(m405, 405, 'GET on a POST route is 405');
  t.eq(m405.headers.allow, 'POST', 'Allow names the methods the path answers');
  const hz = await request(q.base, 'GET', '/healthz');
  t.status(hz, 200, 'healthz');
  t.eq(hz.json && hz.json.ok, true, 'healthz ok');

  // --- users and roles ---
  const mk = async (name, role) => {
    const r = await admin.post('/api/users', { name, role, password: `${name}-password-123` });
    t.status(r, 201, `admin adds ${role} ${name}`);
    return r.json && r.json.user;
  };
  const erikaU = await mk('erika', 'editor');
  const annaU = await mk('anna', 'approver');
  await mk('bert', 'approver');
  t.status(await admin.post('/api/users', { name: 'erika', role: 'editor', password: 'another-password-1' }), 409, 'duplicate user name 409');
  t.status(await admin.post('/api/users', { name: 'kurz', role: 'editor', password: 'elf-zeichen' }), 400, 'password under 12 characters refused');
  t.status(await admin.post('/api/users', { name: 'x', role: 'boss', password: 'long-enough-pass' }), 400, 'unknown role refused');
  const gen = await admin.post('/api/users', { name: 'gast', role: 'editor' });
  t.status(gen, 201, 'user without password gets a generated one');
  t.ok(gen.json && typeof gen.json.password === 'string' && gen.json.password.length >= 12, 'generated password returned once');
  const gast = new Staff(q.base);
  t.status(await gast.login('gast', gen.json.password), 200, 'generated password works');

  const erika = new Staff(q.base), anna = new Staff(q.base), bert = new Staff(q.base);
  t.status(await erika.login('erika', 'erika-password-123'), 200, 'editor logs in');
  t.status(await anna.login('anna', 'anna-password-123'), 200, 'approver logs in');
  t.status(await bert.login('bert', 'bert-password-123'), 200, 'second approver logs in');
  const sess = await erika.get('/api/session');
  t.status(sess, 200, 'GET /api/session');
  t.eq(sess.json && sess.json.user.role, 'editor', 'session knows the role');
  t.eq(sess.json && sess.json.csrf, erika.csrf, 'session returns the same CSRF token');

  // --- screens ---
  const s1 = await admin.post('/api/screens', { id: 'wartezimmer-1', name: 'Wartezimmer 1', group: 'praxis-a', location: 'EG', timezone: 'Europe/Berlin' });
  t.status(s1, 201, 'admin registers a screen');
  const token1 = s1.json && s1.json.token;
  t.ok(/^[0-9a-f]{64}$/.test(token1 || ''), 'screen token shown once as hex');
  const s2 = await admin.post('/api/screens', { id: 'empfang', name: 'Empfang', group: 'praxis-b' });
  t.status(s2, 201, 'second screen');
  const token2 = s2.json && s2.json.token;
  t.status(await admin.post('/api/screens', { id: 'empfang', name: 'dup' }), 409, 'duplicate screen 409');
  t.status(await admin.post('/api/screens', { id: '../etc', name: 'bad' }), 400, 'screen id with path characters refused');
  t.status(await erika.post('/api/screens', { id: 'e2', name: 'x' }), 403, 'editor may not add screens');
  t.status(await anna.post('/api/screens', { id: 'e3', name: 'x' }), 403, 'approver may not add screens');

  // --- role checks on admin and approver routes ---
  for (const [who, st, p] of [[erika, 403, '/api/users'], [anna, 403, '/api/users'], [erika, 403, '/api/audit'],
    [erika, 403, '/api/audit.csv'], [admin, 200, '/api/users'], [anna, 200, '/api/audit']]) {
    t.status(await who.get(p), st, `GET ${p} as ${who.user.role}`);
  }
  t.status(await erika.post('/api/emergency', { stop: true }), 403, 'editor may not pull the emergency stop');
  t.status(await anna.post('/api/settings', { approval_days: 10 }), 403, 'approver may not change settings');
  t.status(await erika.post(`/api/users/${erikaU.id}`, { role: 'admin' }), 403, 'editor may not promote herself');

  // --- session and CSRF checks ---
  t.status(await request(q.base, 'GET', '/api/items'), 401, 'no session: 401');
  t.status(await request(q.base, 'GET', '/api/items', { headers: { Cookie: 'signet_session=' + '0'.repeat(64) } }), 401, 'unknown session: 401');
  const itemBody = JSON.stringify(post('CSRF-Test'));
  t.status(await request(q.base, 'POST', '/api/items', { headers: { Cookie: erika.cookie, 'Content-Type': 'application/json' }, body: itemBody }), 403, 'POST without CSRF token: 403');
  t.status(await request(q.base, 'POST', '/api/items', { headers: { Cookie: erika.cookie, 'X-CSRF-Token': 'f'.repeat(64), 'Content-Type': 'application/json' }, body: itemBody }), 403, 'POST with a wrong CSRF token: 403');
  t.status(await erika.post('/api/items', post('Cross-site'), { 'Sec-Fetch-Site': 'cross-site' }), 403, 'cross-site POST: 403');
  t.status(await erika.post('/api/items', post('Evil origin'), { Origin: 'http://evil.example' }), 403, 'foreign Origin: 403');
  t.status(await request(q.base, 'POST', '/api/login', { headers: { Origin: 'http://evil.example', 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'admin', password: ADMIN_PASSWORD }) }), 403, 'cross-origin login: 403');

  // --- login failures and throttling ---
  const l1 = await new Staff(q.base).login('admin', 'wrong password here');
  const l2 = await new Staff(q.base).login('niemand', 'wrong password here');
  t.status(l1, 401, 'wrong password 401');
  t.status(l2, 401, 'unknown user 401');
  t.eq(l1.json && l1.json.message, l2.json && l2.json.message, 'same message for unknown user and wrong password');
  t.status(await new Staff(q.base).post('/api/login', '{"name": "admin", "password": '), 400, 'malformed login JSON 400');
  let throttled = null;
  for (let i = 0; i < 8 && !throttled; i++) {
    const r = await new Staff(q.base).login('gast', 'not the password ' + i);
    if (r.status === 429) throttled = r;
  }
  t.ok(throttled !== null, 'repeated failures are throttled (429)');
  t.ok(throttled && Number(throttled.headers['retry-after']) > 0, 'throttled answer has Retry-After');
  t.status(await new Staff(q.base).login('gast', gen.json.password), 429, 'even the right password waits while throttled');

  // --- items: create, list, get, preview ---
  const c1 = await erika.post('/api/items', post('Grippeimpfung jetzt', { link: 'https://praxis.example/grippe', lang: 'de' }));
  t.status(c1, 201, 'editor creates a post');
  const it1 = c1.json.item;
  t.ok(/^it-[0-9a-f]{12}$/.test(it1.id), 'item id shape', it1.id);
  t.eq(it1.latest.state, 'pending', 'new item pending');
  t.eq(it1.latest.rev, 1, 'first revision is 1');
  t.eq(it1.shown, null, 'nothing shown yet');
  const pend = await erika.get('/api/items');
  t.ok(pend.json.items.some((i) => i.id === it1.id), 'pending list has it');
  t.status(await erika.get('/api/items?state=bogus'), 400, 'bad state filter 400');
  const g1 = await erika.get(`/api/items/${it1.id}`);
  t.status(g1, 200, 'GET item');
  t.eq(g1.json.revisions.length, 1, 'one revision');
  const png = await erika.get(`/api/items/${it1.id}/revisions/1/preview.png?w=640&h=360`);
  t.status(png, 200, 'preview PNG');
  t.ok(png.body.subarray(0, 8).equals(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10])), 'preview is a PNG');
  t.eq(png.body.readUInt32BE(16), 640, 'preview width');
  const info = await erika.get(`/api/items/${it1.id}/revisions/1/preview`);
  t.status(info, 200, 'preview info');
  t.eq(info.json && info.json.fits, true, 'short post fits');
  const longBody = 'Sehr langer Text. '.repeat(110);
  const cl = await erika.post('/api/items', post('Lang', { body: longBody }));
  t.status(cl, 201, 'long post created');
  const linfo = await erika.get(`/api/items/${cl.json.item.id}/revisions/1/preview?w=640&h=360`);
  t.ok(linfo.json && (linfo.json.min_size || !linfo.json.fits), 'long post warns (min size or cut)', linfo.json);
  t.status(await erika.get(`/api/items/${it1.id}/revisions/7/preview.png`), 404, 'preview of a missing revision 404');
  t.status(await erika.get(`/api/items/${it1.id}/revisions/1/preview.png?w=99999`), 400, 'preview size limit');
  t.status(await erika.get('/api/items/it-000000000000'), 404, 'unknown item 404');

  // --- bad inputs ---
  t.status(await erika.post('/api/items', '{"kind":"post","title":"x",'), 400, 'malformed JSON 400');
  t.status(await erika.post('/api/items', post('Form'), { 'Content-Type': 'application/x-www-form-urlencoded' }), 415, 'non-JSON body 415');
  const strangerUpload = await request(q.base, 'POST', '/api/media', { headers: { 'Content-Type': 'image/png', 'Content-Length': String(8 * 1024 * 1024) }, body: null, timeoutMs: 5000 });
  t.status(strangerUpload, 401, 'upload without a session is refused before its body is read');
  t.status(await erika.post('/api/items', { kind: 'post', title: 'x', body: 'y', evil: 1 }), 400, 'unknown member 400');
  t.status(await erika.post('/api/items', { kind: 'ad', title: 'x', body: 'y' }), 400, 'unknown kind 400');
  t.status(await erika.post('/api/items', '{"kind":"post","kind":"tip","title":"x","body":"y"}'), 400, 'duplicate key 400');
  t.status(await erika.post('/api/items', post('x', { body: 'z'.repeat(70 * 1024) })), 413, 'oversized body 413');
  const hugeHeader = await request(q.base, 'GET', '/healthz', { headers: { 'X-Filler': 'h'.repeat(40 * 1024) } });
  t.ok(hugeHeader.status === 431 || hugeHeader.status === 413 || hugeHeader.status === 400, 'oversized headers refused', hugeHeader.status);
  t.status(await request(q.base, 'GET', '/healthz'), 200, 'server fine after oversized headers');
  const sqlTitle = "'; DROP TABLE items; --";
  const sq = await erika.post('/api/items', post(sqlTitle, { body: 'Robert"); DELETE FROM users; --' }));
  t.status(sq, 201, 'SQL metacharacters accepted as text');
  const sqg = await erika.get(`/api/items/${sq.json.item.id}`);
  t.eq(sqg.json.item.latest.title, sqlTitle, 'SQL metacharacters stored verbatim');
  t.status(await erika.get('/api/items'), 200, 'items table still there');

  // --- transitions ---
  t.status(await erika.post(`/api/items/${it1.id}/approve`, { rev: 1 }), 403, 'editor may not approve');
  t.status(await anna.post(`/api/items/${it1.id}/approve`, { rev: 1, until: '2001-01-01T00:00:00Z' }), 400, 'approval until in the past 400');
  t.status(await anna.post(`/api/items/${it1.id}/approve`, { rev: 9 }), 404, 'approve of a missing revision 404');
  t.status(await anna.post(`/api/items/${it1.id}/revoke`, { rev: 1 }), 409, 'revoke of a pending revision 409');
  const v0 = await feed(q, 'wartezimmer-1');
  t.status(v0, 200, 'screen has a feed before any approval');
  const ver0 = Number(JSON.parse(v0.headers.etag));
  t.eq(feedItems(v0).items.length, 0, 'no item before approval');
  const ap = await anna.post(`/api/items/${it1.id}/approve`, { rev: 1, targets: ['group:praxis-a'] });
  t.status(ap, 200, 'approver approves');
  t.eq(ap.json.item.shown && ap.json.item.shown.state, 'approved', 'item approved');
  t.eq(ap.json.item.shown && ap.json.item.shown.decided_by, 'anna', 'approval records who');
  t.status(await anna.post(`/api/items/${it1.id}/approve`, { rev: 1 }), 409, 'approving twice 409');
  t.status(await anna.post(`/api/items/${it1.id}/reject`, { rev: 1, reason: 'x' }), 409, 'reject of an approved revision 409');
  await sleep(300);
  const v1 = await feed(q, 'wartezimmer-1');
  const p1 = feedItems(v1);
  t.ok(Number(JSON.parse(v1.headers.etag)) > ver0, 'approval made a new version');
  t.ok(p1.items.some((i) => i.id === it1.id && i.approval && i.approval.by === 'anna'), 'approved item in the targeted screen feed');
  t.ok(!feedItems(await feed(q, 'empfang')).items.some((i) => i.id === it1.id), 'not in the other group\'s feed');
  t.status(await feed(q, 'wartezimmer-1', { 'If-None-Match': v1.headers.etag }), 304, 'If-None-Match current: 304');
  t.eq(v1.headers['cache-control'], 'no-cache', 'feed is no-cache');

  // Reject needs a reason; rejected cannot be approved.
  const c2 = await erika.post('/api/items', post('Wird abgelehnt'));
  t.status(await anna.post(`/api/items/${c2.json.item.id}/reject`, { rev: 1 }), 400, 'reject without reason 400');
  const rj = await anna.post(`/api/items/${c2.json.item.id}/reject`, { rev: 1, reason: 'passt nicht' });
  t.status(rj, 200, 'reject');
  t.eq(rj.json.item.latest.state, 'rejected', 'rejected state');
  t.status(await anna.post(`/api/items/${c2.json.item.id}/approve`, { rev: 1 }), 409, 'approve of a rejected revision 409');

  // An edit is a new pending revision; the old approval stays for its own content.
  const ed = await erika.post(`/api/items/${it1.id}/revisions`, post('Grippeimpfung: neue Termine'));
  t.status(ed, 201, 'edit makes a new revision');
  t.eq(ed.json.item.latest.rev, 2, 'revision 2');
  t.eq(ed.json.item.latest.state, 'pending', 'revision 2 pending');
  t.eq(ed.json.item.shown && ed.json.item.shown.rev, 1, 'revision 1 still shown');
  await sleep(300);
  const fe = feedItems(await feed(q, 'wartezimmer-1')).items.find((i) => i.id === it1.id);
  t.ok(fe && fe.rev === 1 && fe.title === 'Grippeimpfung jetzt', 'screen keeps the approved content, not the edit');
  const ap2 = await anna.post(`/api/items/${it1.id}/approve`, { rev: 2 });
  t.status(ap2, 200, 'approve revision 2');
  const revs = (await erika.get(`/api/items/${it1.id}`)).json.revisions;
  t.eq(revs.find((r) => r.rev === 1).state, 'superseded', 'revision 1 superseded');
  t.status(await anna.post(`/api/items/${it1.id}/approve`, { rev: 1 }), 409, 'approve of a superseded revision 409');
  await sleep(300);
  const fe2 = feedItems(await feed(q, 'wartezimmer-1')).items.find((i) => i.id === it1.id);
  t.ok(fe2 && fe2.rev === 2, 'screen now has revision 2');

  // Revoke.
  const rv = await anna.post(`/api/items/${it1.id}/revoke`, { rev: 2, reason: 'veraltet' });
  t.status(rv, 200, 'revoke');
  t.status(await anna.post(`/api/items/${it1.id}/revoke`, { rev: 2 }), 409, 'revoke twice 409');
  await sleep(300);
  t.ok(!feedItems(await feed(q, 'wartezimmer-1')).items.some((i) => i.id === it1.id), 'revoked item gone from the feed');

  // --- four-eyes ---
  t.status(await admin.post('/api/settings', { four_eyes: { post: true, tip: false, notice: false } }), 200, 'admin turns on four-eyes for posts');
  const own = await anna.post('/api/items', post('Von Anna'));
  t.status(own, 201, 'approver writes a post');
  const fe4 = await anna.post(`/api/items/${own.json.item.id}/approve`, { rev: 1 });
  t.status(fe4, 403, 'four-eyes: author may not approve');
  t.eq(fe4.json && fe4.json.error, 'four-eyes', 'four-eyes error code');
  t.status(await bert.post(`/api/items/${own.json.item.id}/approve`, { rev: 1 }), 200, 'four-eyes: someone else approves');
  const ownTip = await anna.post('/api/items', { kind: 'tip', title: 'Trinken', body: 'Wasser hilft.' });
  t.status(await anna.post(`/api/items/${ownTip.json.item.id}/approve`, { rev: 1 }), 200, 'four-eyes off for tips');

  // --- media ---
  t.status(await erika.post('/api/media', PNG, { 'Content-Type': 'image/jpeg' }), 415, 'PNG bytes claimed as JPEG: 415');
  t.status(await erika.post('/api/media', 'hello', { 'Content-Type': 'text/plain' }), 415, 'text upload 415');
  t.status(await erika.post('/api/media', Buffer.from('not an image at all'), { 'Content-Type': 'image/png' }), 415, 'non-PNG bytes as PNG: 415');
  const up = await erika.post('/api/media', PNG, { 'Content-Type': 'image/png' });
  t.status(up, 201, 'PNG upload');
  const sha = up.json && up.json.sha256;
  t.eq(up.json && up.json.width, 1, 'upload reports width');
  const m = await request(q.base, 'GET', `/v1/media/${sha}`);
  t.status(m, 200, 'media served');
  t.ok(m.body.equals(PNG), 'media bytes unchanged');
  t.ok(/immutable/.test(m.headers['cache-control'] || ''), 'media immutable');
  t.status(await request(q.base, 'GET', `/v1/media/${sha}`, { headers: { 'If-None-Match': `"${sha}"` } }), 304, 'media 304');
  t.status(await request(q.base, 'GET', '/v1/media/..%2F..%2Fetc%2Fpasswd'), 404, 'path traversal in media name 404');
  t.status(await request(q.base, 'GET', '/v1/media/../../etc/passwd'), 404, 'dot segments 404');
  t.status(await request(q.base, 'GET', `/v1/media/${'A'.repeat(64)}`), 404, 'upper-case hash 404');
  t.status(await request(q.base, 'GET', `/v1/media/${'0'.repeat(64)}`), 404, 'unknown media 404');
  t.status(await erika.post('/api/items', post('Bild fehlt', { media: [{ sha256: 'a'.repeat(64), alt: 'x' }] })), 400, 'item with unknown media 400');
  const withImg = await erika.post('/api/items', { kind: 'notice', title: 'Mit Bild', body: 'Heute geschlossen.', media: [{ sha256: sha, alt: 'Punkt' }], targets: ['screen:empfang'] });
  t.status(withImg, 201, 'notice with image');
  t.eq(withImg.json.item.latest.media[0].type, 'image/png', 'media type filled in');
  t.eq(withImg.json.item.latest.priority, 50, 'notice default priority');

  // --- long poll ---
  await sleep(300); // let the publisher settle the approvals above
  const cur = await feed(q, 'empfang');
  const t0 = Date.now();
  const held = request(q.base, 'GET', '/v1/screens/empfang/feed?wait=20', { headers: { 'If-None-Match': cur.headers.etag } });
  await sleep(200);
  const tApprove = Date.now();
  t.status(await anna.post(`/api/items/${withImg.json.item.id}/approve`, { rev: 1 }), 200, 'approve notice');
  const lp = await held;
  const latency = Date.now() - tApprove;
  t.status(lp, 200, 'long poll answers with the new version');
  t.ok(feedItems(lp).items.some((i) => i.id === withImg.json.item.id), 'long poll brings the approved notice');
  console.log(`long-poll: approve-to-answer ${latency} ms (held ${Date.now() - t0} ms)`);
  const lp2 = await request(q.base, 'GET', '/v1/screens/empfang/feed?wait=1', { headers: { 'If-None-Match': lp.headers.etag } });
  t.status(lp2, 304, 'long poll without change ends in 304');
  t.status(await request(q.base, 'GET', '/v1/screens/empfang/feed?wait=61'), 400, 'wait over 60 s 400');
  t.status(await feed(q, 'unbekannt'), 404, 'unknown screen feed 404');

  // --- status reports ---
  const report = { version: 3, item: 'idle', rev: 0, uptime: 12, dropped: { 'approval-expired': 1 } };
  const spost = (screen, token, body) => request(q.base, 'POST', `/v1/screens/${screen}/status`, {
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
  t.status(await spost('wartezimmer-1', null, report), 401, 'status without token 401');
  t.status(await spost('wartezimmer-1', 'f'.repeat(64), report), 401, 'status with a wrong token 401');
  t.status(await spost('wartezimmer-1', token2, report), 401, 'status with another screen\'s token 401');
  t.status(await spost('unbekannt', token1, report), 401, 'status for an unknown screen 401');
  const sok = await spost('wartezimmer-1', token1, report);
  t.status(sok, 200, 'status with the right token');
  t.eq(sok.json && sok.json.screenshot_requested, false, 'no screenshot asked yet');
  t.status(await spost('wartezimmer-1', token1, { version: 'x' }), 400, 'malformed status 400');
  t.status(await erika.post('/api/screens/wartezimmer-1/screenshot', undefined), 403, 'editor may not ask for screenshots');
  t.status(await anna.post('/api/screens/wartezimmer-1/screenshot', undefined), 200, 'approver asks for a screenshot');
  t.eq((await spost('wartezimmer-1', token1, report)).json.screenshot_requested, true, 'screen is told to send one');
  t.status(await erika.get('/api/screens/wartezimmer-1/screenshot.png'), 404, 'no screenshot yet 404');
  t.status(await spost('wartezimmer-1', token1, { ...report, screenshot: PNG.toString('base64') }), 200, 'status with a screenshot');
  const shot = await erika.get('/api/screens/wartezimmer-1/screenshot.png');
  t.status(shot, 200, 'screenshot served');
  t.ok(shot.body.equals(PNG), 'screenshot bytes');
  const scr = await erika.get('/api/screens');
  t.status(scr, 200, 'screens list');
  const w1 = scr.json.screens.find((s) => s.id === 'wartezimmer-1');
  t.eq(w1 && w1.online, true, 'screen online after a report');
  t.eq(w1 && w1.status && w1.status.item, 'idle', 'screen reports what it shows');
  t.ok(w1 && Array.isArray(w1.feed_items), 'screen lists its feed items');
  const rt = await admin.post('/api/screens/wartezimmer-1/token', undefined);
  t.status(rt, 200, 'new screen token');
  t.status(await spost('wartezimmer-1', token1, report), 401, 'old token stops working');
  t.status(await spost('wartezimmer-1', rt.json.token, report), 200, 'new token works');

  // --- emergency stop ---
  const before = await feed(q, 'empfang');
  t.ok(feedItems(before).items.length > 0, 'empfang shows something before the stop');
  const es = await anna.post('/api/emergency', { stop: true });
  t.status(es, 200, 'emergency stop');
  t.eq(es.json && es.json.settings.emergency_stop, true, 'stop is on');
  await sleep(300);
  for (const s of ['empfang', 'wartezimmer-1']) {
    const f = await feed(q, s);
    t.eq(feedItems(f).items.length, 0, `emergency stop empties ${s}`);
  }
  t.status(await anna.post('/api/emergency', { stop: false }), 200, 'undo emergency stop');
  await sleep(300);
  const after = feedItems(await feed(q, 'empfang'));
  t.eq(after.items.length, feedItems(before).items.length, 'undo restores the previous set');
  t.ok(after.version > feedItems(before).version + 1, 'each step was a new version');

  // --- audit ---
  const au = await anna.get('/api/audit?limit=500');
  t.status(au, 200, 'audit list');
  t.eq(au.json && au.json.chain_ok, true, 'audit chain ok');
  const actions = new Set(au.json.rows.map((r) => r.action));
  for (const a of ['item.approve', 'item.revoke', 'item.reject', 'item.create', 'user.add', 'screen.add', 'settings.emergency-stop']) {
    t.ok(actions.has(a), `audit has ${a}`);
  }
  const approveRow = au.json.rows.find((r) => r.action === 'item.approve');
  t.ok(approveRow && approveRow.actor && approveRow.ip && approveRow.at, 'audit row has who, where and when', approveRow);
  t.status(await anna.get('/api/audit?limit=0'), 400, 'audit limit checked');
  const csv = await anna.get('/api/audit.csv');
  t.status(csv, 200, 'audit CSV');
  t.ok((csv.headers['content-type'] || '').startsWith('text/csv'), 'CSV content type');
  t.ok(csv.body.toString('utf8').split('\n').length > au.json.rows.length / 2, 'CSV has the rows');

  // --- settings and users ---
  t.status(await erika.get('/api/settings'), 200, 'editor reads settings');
  t.status(await admin.post('/api/settings', { approval_days: 0 }), 400, 'approval_days out of range 400');
  t.status(await admin.post(`/api/users/${(await admin.get('/api/session')).json.user.id}`, { role: 'editor' }), 409, 'last admin cannot be demoted');
  t.status(await admin.post(`/api/users/${erikaU.id}`, { role: 'approver' }), 200, 'admin changes a role');
  t.eq((await erika.get('/api/session')).json.user.role, 'approver', 'role change takes effect');
  t.status(await admin.post(`/api/users/${erikaU.id}`, { disabled: true }), 200, 'admin disables a user');
  t.status(await erika.get('/api/items'), 401, 'disabled user\'s session ends');
  t.status(await new Staff(q.base).login('erika', 'erika-password-123'), 401, 'disabled user cannot log in');
  t.status(await admin.post('/api/users/999999', { role: 'editor' }), 404, 'unknown user 404');

  // --- password change and logout ---
  t.status(await anna.post('/api/password', { old: 'wrong-password-1', new: 'anna-new-password-1' }), 400, 'password change needs the old one');
  t.status(await anna.post('/api/password', { old: 'anna-password-123', new: 'short' }), 400, 'new password too short');
  t.status(await anna.post('/api/password', { old: 'anna-password-123', new: 'anna-new-password-1' }), 200, 'password changed');
  t.status(await anna.get('/api/items'), 401, 'old session ends with the password change');
  t.status(await anna.login('anna', 'anna-new-password-1'), 200, 'new password works');
  t.status(await bert.post('/api/logout', undefined), 200, 'logout');
  t.status(await bert.get('/api/items'), 401, 'logged out session is gone');

  // --- metrics ---
  const met = await request(q.base, 'GET', '/metrics');
  t.status(met, 200, 'metrics');
  const mt = met.body.toString('utf8');
  for (const k of ['signet_http_requests_total', 'signet_feed_versions_published_total', 'signet_screens_online',
    'signet_queue_pending', 'signet_approval_latency_seconds_count', 'signet_long_polls']) {
    t.ok(mt.includes(k), `metrics has ${k}`);
  }

  // --- restart: versions never go down, sessions time out ---
  const verBefore = Number(JSON.parse((await feed(q, 'empfang')).headers.etag));
  const adminCookie = admin.cookie, adminCsrf = admin.csrf;
  t.ok((await q.stop()).code === 0, 'queue stops cleanly on SIGTERM');
  q = await startQueue(bin, work, { init: false });
  const verAfter = Number(JSON.parse((await feed(q, 'empfang')).headers.etag));
  t.ok(verAfter >= verBefore, 'restart serves the same or a newer version', { verBefore, verAfter });
  const again = new Staff(q.base); again.cookie = adminCookie; again.csrf = adminCsrf;
  t.status(await again.get('/api/items'), 200, 'session survives a restart');
  await q.stop();
  q = await startQueue(bin, work, { init: false, extraArgs: ['--clock-offset', '3600'] });
  const late = new Staff(q.base); late.cookie = adminCookie; late.csrf = adminCsrf;
  t.status(await late.get('/api/items'), 401, 'idle session expires');

  // --- CLI: backup and audit verify ---
  const bak = path.join(work, 'backup.db');
  fs.rmSync(bak, { force: true });
  execFileSync(bin, ['backup', '--data', q.data, '--out', bak]);
  t.ok(fs.statSync(bak).size > 0, 'backup written while serving');
  const verify = execFileSync(bin, ['audit', 'verify', '--data', q.data]).toString();
  t.ok(/audit chain ok/.test(verify), 'audit verify ok', verify);
} catch (e) {
  t.ok(false, 'exception', e.stack);
} finally {
  await q.stop().catch((e) => t.ok(false, 'stop', e.message));
}
t.done();
