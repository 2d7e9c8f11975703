// Ingest, black box: a real signet-queue polls a stand-in for Mastodon,
// Bluesky, an RSS feed and an image host on loopback (sources_server.mjs,
// recorded fixtures written for this test), and takes a webhook's batches.
// Checks, source by source: what lands as pending (and what never lands:
// replies, reposts), what the source said (notes), what is held (blocked
// words), images fetched once and stored by hash, edits as new revisions,
// deletions at the source, the auto-approval rule and its audit rows, the
// daily cap, 429 with Retry-After, a stalled server, an oversized document,
// malformed XML and JSON (the error is on the source, the queue keeps going).
// usage: node ingest.test.mjs SIGNET_QUEUE ASSETS_DIR DATA_DIR WORKDIR
import fs from 'node:fs';
import path from 'node:path';
import { ADMIN_PASSWORD, Staff, checker, request, sleep, startQueue } from './queue.mjs';
import { makePng, sha256 } from '../kiosk/feeds.mjs';
import { startSources } from './sources_server.mjs';

const [bin, assets, dataDir, work] = process.argv.slice(2);
if (!work) {
  console.error('usage: node ingest.test.mjs SIGNET_QUEUE ASSETS_DIR DATA_DIR WORKDIR');
  process.exit(2);
}
const t = checker('ingest');
const started = Date.now();
const src = await startSources();
const q = await startQueue(bin, work, { extraArgs: ['--blocklist', path.join(assets, 'blocklist', 'de.txt'),
  '--blocklist', path.join(assets, 'blocklist', 'en.txt'), '--ingest-timeout', '2'] });
const admin = new Staff(q.base);

// --- fixtures ---------------------------------------------------------------
const img = makePng(32, 24, [30, 120, 200]);
src.set('/img/praxis.png', { body: img, type: 'image/png' });
const now = Date.now();
const ago = (min) => new Date(now - min * 60e3).toISOString();
const blocked = fs.readFileSync(path.join(assets, 'blocklist', 'de.txt'), 'utf8').split('\n')
  .map((l) => l.trim()).find((l) => l && !l.startsWith('#') && /^[a-zäöüß]+$/i.test(l));
t.ok(blocked, 'the German starter blocklist has a single-word entry to test with', blocked);

const account = { id: '109', acct: 'praxis', display_name: 'Praxis am Markt', url: 'https://social.example/@praxis' };
function status(id, { content, minutes = 10, edited = null, ...rest }) {
  return { id, created_at: ago(minutes), edited_at: edited, in_reply_to_id: null, reblog: null,
    sensitive: false, spoiler_text: '', visibility: 'public', language: 'de',
    url: `https://social.example/@praxis/${id}`, content, account, media_attachments: [], ...rest };
}
let statuses = [
  status('1001', { content: '<p>Grippeimpfung ab Montag 💉 – ohne Termin!</p>', minutes: 60,
    media_attachments: [{ id: 'm1', type: 'image', url: `${src.base}/img/praxis.png`, description: 'Spritze' }] }),
  status('1002', { content: '<p>@jemand Danke!</p>', in_reply_to_id: '999', minutes: 50 }),
  status('1003', { content: '<p>geteilt</p>', reblog: { id: '77', content: '<p>fremd</p>' }, minutes: 45 }),
  status('1004', { content: '<p>Bilder von der OP</p>', sensitive: true, spoiler_text: 'Medizinische Bilder', minutes: 40 }),
  status('1005', { content: '<p>Nur für Follower</p>', visibility: 'unlisted', minutes: 35 }),
  status('1006', { content: `<p>Das ist ${blocked} hier.</p>`, minutes: 30 }),
  status('1007', { content: '<p>Hallo &amp; willkommen<script>alert(1)</script> &lt;3</p>', minutes: 25 }),
  status('1008', { content: '<p>مرحبا بكم في العيادة</p>', language: 'ar', minutes: 20 }),
];
const setStatuses = () => src.set('/mastodon/api/v1/accounts/109/statuses', { body: JSON.stringify(statuses) });
src.set('/mastodon/api/v1/accounts/lookup', { body: JSON.stringify({ id: '109', acct: 'praxis' }) });
setStatuses();

// --- helpers -----------------------------------------------------------------
async function allItems() {
  const r = await admin.get('/api/items?state=all');
  return r.json?.items ?? [];
}
const bySource = (items, name) => items.filter((i) => i.created_by === `source:${name}`);
async function waitFor(pred, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > end) { t.ok(false, `${what} (waited ${ms} ms)`); return null; }
    await sleep(150);
  }
}
async function addSource(body) {
  const r = await admin.post('/api/sources', body);
  t.status(r, 201, `add source ${body.name}`);
  return r.json;
}
async function source(id) {
  const r = await admin.get('/api/sources');
  return r.json.sources.find((s) => s.id === id);
}
// Polls now and waits until the poll is recorded (last_poll_at moves).
async function pollNow(id) {
  const before = (await source(id)).last_poll_at;
  // Poll times have whole seconds: start in a later second than the last poll.
  if (before) await sleep(Math.max(0, Date.parse(before) + 1050 - Date.now()));
  t.status(await admin.post(`/api/sources/${id}/poll`, {}), 200, `poll source ${id} now`);
  return waitFor(async () => {
    const s = await source(id);
    return s.last_poll_at && s.last_poll_at !== before ? s : null;
  }, 15000, `source ${id} polled`);
}
// Waits for a new source's first poll to be recorded: the whole document
// was taken by then (posts are stored one by one during the poll).
async function firstPoll(id) {
  return waitFor(async () => {
    const s = await source(id);
    return s?.last_poll_at ? s : null;
  }, 15000, `source ${id}'s first poll`);
}
const titleHas = (it, text) => (it.latest.body || '').includes(text) || (it.latest.title || '').includes(text);

try {
  t.status(await admin.login('admin', ADMIN_PASSWORD), 200, 'admin logs in');

  // --- Mastodon ---------------------------------------------------------------
  const m = (await addSource({ name: 'Mastodon Praxis', kind: 'mastodon', url: `${src.base}/mastodon`,
    account: '@praxis@social.example', poll_minutes: 60, lang: 'de' })).source;
  t.ok(m && m.kind === 'mastodon' && m.account === 'praxis@social.example' && m.use_blocklist && !m.auto_approve,
    'the Mastodon source: handle kept without the leading @, blocklist on, no auto-approval', m);
  let items = await waitFor(async () => {
    const it = bySource(await allItems(), 'Mastodon Praxis');
    return it.length >= 6 ? it : null;
  }, 15000, 'the Mastodon posts land in the queue');
  items = items || [];
  t.eq(items.length, 6, 'six posts taken: the reply and the boost are not');
  t.ok(items.every((i) => i.latest.state === 'pending' && i.kind === 'post'), 'all of them pending posts',
    items.map((i) => [i.latest.title, i.latest.state]));
  const lookup = src.hits('/mastodon/api/v1/accounts/lookup')[0];
  t.ok(lookup && lookup.query.includes('acct=praxis@social.example'), 'the handle was looked up', lookup?.query);
  const tl = src.hits('/mastodon/api/v1/accounts/109/statuses')[0];
  t.ok(tl && /exclude_replies=true/.test(tl.query) && /exclude_reblogs=true/.test(tl.query),
    'the timeline is asked without replies and boosts', tl?.query);
  t.ok(tl && /signet-queue/.test(tl.headers['user-agent'] || ''), 'with the queue\'s user agent', tl?.headers);
  const find = (text) => items.find((i) => titleHas(i, text));
  const flu = find('Grippeimpfung');
  t.ok(flu && flu.latest.media.length === 1 && flu.latest.media[0].sha256 === sha256(img) &&
    flu.latest.media[0].alt === 'Spritze', 'the image came along, stored under its SHA-256, with its alt text',
  flu?.latest.media);
  t.ok(flu && flu.latest.title === 'Praxis am Markt' && flu.latest.link === 'https://social.example/@praxis/1001' &&
    flu.latest.source === 'Mastodon Praxis' && flu.latest.lang === 'de', 'title, link, source and language of a post',
  flu?.latest);
  t.ok(flu && flu.latest.body.includes('💉') && !flu.latest.notes && !flu.latest.held, 'emoji kept; no notes, not held');
  const media = await admin.get(`/api/media/${sha256(img)}`);
  t.ok(media.status === 200 && media.body.equals(img), 'the stored image is byte for byte the one served');
  const cw = find('Bilder von der OP');
  t.ok(cw && /content warning: Medizinische Bilder/.test(cw.latest.notes || '') && /sensitive/.test(cw.latest.notes || ''),
    'content warning and sensitive flag are recorded as notes', cw?.latest.notes);
  const unlisted = find('Nur für Follower');
  t.ok(unlisted && /visibility: unlisted/.test(unlisted.latest.notes || ''), 'non-public visibility is noted',
    unlisted?.latest.notes);
  const held = find('Das ist');
  t.ok(held && held.latest.held === `blocked word: ${blocked}`, 'a blocked word holds the post, naming the word',
    held?.latest.held);
  const html = find('willkommen');
  t.ok(html && html.latest.body === 'Hallo & willkommen <3', 'HTML: entities decoded, the script dropped',
    html?.latest.body);
  t.ok(!items.some((i) => /alert\(1\)/.test(i.latest.body)), 'no script text anywhere');
  const rtl = find('مرحبا');
  t.ok(rtl && rtl.latest.lang === 'ar', 'right-to-left text kept, with its language', rtl?.latest);

  // A held post cannot be approved without releasing the hold; releasing is audited.
  const refused = await admin.post(`/api/items/${held.id}/approve`, { rev: 1 });
  t.ok(refused.status === 409 && /held/.test(refused.json?.message || ''), 'approving a held post is refused',
    refused.json);
  t.status(await admin.post(`/api/items/${held.id}/approve`, { rev: 1, release_hold: true }), 200,
    'approve anyway (release_hold)');

  // Seen again: nothing new, the image is not fetched twice.
  await pollNow(m.id);
  t.eq(bySource(await allItems(), 'Mastodon Praxis').length, 6, 'a second poll adds nothing');
  t.eq(src.hits('/img/praxis.png').length, 1, 'the image was downloaded once');

  // Approve the flu post, then edit it at the source: a new pending
  // revision; the approved words stay on screen until it is approved.
  t.status(await admin.post(`/api/items/${flu.id}/approve`, { rev: 1 }), 200, 'staff approve the flu post');
  statuses[0] = { ...statuses[0], content: '<p>Grippeimpfung ab Dienstag</p>', edited_at: new Date().toISOString() };
  // And the HTML post is deleted at the source (it was in the timeline's window).
  statuses = statuses.filter((s) => s.id !== '1007');
  setStatuses();
  await pollNow(m.id);
  const after = await admin.get(`/api/items/${flu.id}`);
  t.ok(after.json.item.latest.rev === 2 && after.json.item.latest.state === 'pending' &&
    after.json.item.shown?.rev === 1 && after.json.item.shown.body.includes('Montag'),
  'an edit at the source is a new pending revision; the approved one stays for its own words', after.json.item);
  const gone = (await admin.get(`/api/items/${html.id}`)).json.item;
  t.ok(gone.latest.state === 'rejected' && gone.latest.reason === 'deleted at the source',
    'a post deleted at the source leaves the queue', gone.latest);

  // 429 with Retry-After: recorded, and the next poll waits for it.
  src.set('/mastodon/api/v1/accounts/109/statuses', { status: 429, retryAfter: 7200 });
  const limited = await pollNow(m.id);
  t.ok(limited && /429/.test(limited.last_error || ''), 'a 429 is the source\'s last error', limited?.last_error);
  const wait = limited ? (Date.parse(limited.next_poll_at) - Date.parse(limited.last_poll_at)) / 1000 : 0;
  t.ok(wait >= 7200 - 2, `the next poll honours Retry-After (in ${wait} s)`);
  // A stalled server: the transfer is abandoned (ingest timeout 2 s).
  src.set('/mastodon/api/v1/accounts/109/statuses', { stall: true });
  const t0 = Date.now();
  const stalled = await pollNow(m.id);
  t.ok(stalled && /(timed out|too slow|Timeout)/i.test(stalled.last_error || ''), 'a stalled server times out',
    stalled?.last_error);
  console.log(`stalled timeline abandoned after ${Date.now() - t0} ms`);
  // Malformed JSON and an oversized document.
  src.set('/mastodon/api/v1/accounts/109/statuses', { body: '[{"id": "1", "content": ' });
  const bad = await pollNow(m.id);
  t.ok(bad && bad.last_error && !/429/.test(bad.last_error), 'malformed JSON is the source\'s error', bad?.last_error);
  src.set('/mastodon/api/v1/accounts/109/statuses', { body: Buffer.alloc(5 * 1024 * 1024, 0x20) });
  const huge = await pollNow(m.id);
  t.ok(huge && /larger than/.test(huge.last_error || ''), 'a document over 4 MiB is refused', huge?.last_error);
  setStatuses();
  const ok = await pollNow(m.id);
  t.ok(ok && ok.last_error === null, 'the source recovers', ok?.last_error);

  // --- the clinic's own account: auto-approval, never for flagged posts --------
  src.set('/own/api/v1/accounts/lookup', { body: JSON.stringify({ id: '5' }) });
  src.set('/own/api/v1/accounts/5/statuses', { body: JSON.stringify([
    status('2001', { content: '<p>Praxis heute bis 18 Uhr geöffnet</p>', minutes: 5 }),
    status('2002', { content: '<p>Heikles Thema</p>', spoiler_text: 'Politik', minutes: 4 }),
    status('2003', { content: `<p>${blocked}</p>`, minutes: 3 }),
  ]) });
  const own = (await addSource({ name: 'Eigener Kanal', kind: 'mastodon', url: `${src.base}/own`, account: 'praxis',
    auto_approve: true })).source;
  const ownItems = await waitFor(async () => {
    const it = bySource(await allItems(), 'Eigener Kanal');
    return it.length >= 3 ? it : null;
  }, 15000, 'the own account\'s posts land') || [];
  const open = ownItems.find((i) => titleHas(i, 'geöffnet'));
  t.ok(open && open.latest.state === 'approved' && open.latest.decided_by === 'rule:Eigener Kanal',
    'a plain post of the own account is approved by the rule', open?.latest);
  t.ok(ownItems.filter((i) => i.latest.state === 'pending').length === 2,
    'a content warning or a blocked word keeps a post out of the rule', ownItems.map((i) => [i.latest.body, i.latest.state]));
  const audit = (await admin.get('/api/audit?limit=200')).json.rows;
  t.ok(audit.some((r) => r.action === 'item.approve' && r.actor === 'rule:Eigener Kanal') &&
    audit.some((r) => r.action === 'item.create' && r.actor === 'source:Eigener Kanal') &&
    audit.some((r) => r.action === 'item.release_hold' && r.actor === 'admin'),
  'the audit log names the rule, the source and who released the hold');
  t.ok(own && own.auto_approve, 'the source keeps its rule', own);

  // --- daily cap ---------------------------------------------------------------
  src.set('/capped/api/v1/accounts/7/statuses', { body: JSON.stringify(['3001', '3002', '3003'].map((id, i) =>
    status(id, { content: `<p>Beitrag ${id}</p>`, minutes: 10 - i }))) });
  const capped = (await addSource({ name: 'Gedeckelt', kind: 'mastodon', url: `${src.base}/capped`, account: '7',
    daily_cap: 2 })).source;
  await waitFor(async () => bySource(await allItems(), 'Gedeckelt').length >= 2, 15000, 'capped source polled');
  await pollNow(capped.id);
  t.eq(bySource(await allItems(), 'Gedeckelt').length, 2, 'a daily cap of 2 takes 2 posts');
  t.eq((await source(capped.id)).posts_24h, 2, 'posts in the last 24 hours: 2');
  t.ok(src.hits('/capped/api/v1/accounts/lookup').length === 0, 'a numeric account id needs no lookup');

  // --- Bluesky -----------------------------------------------------------------
  const did = 'did:plc:praxis4bwvx5rhy7ujxn3xvk';
  const bpost = (rkey, text, extra = {}) => ({ post: { uri: `at://${did}/app.bsky.feed.post/${rkey}`,
    cid: `bafy${rkey}`, author: { did, handle: 'praxis.bsky.social', displayName: 'Praxis am Markt', labels: [] },
    record: { $type: 'app.bsky.feed.post', text, createdAt: ago(15), langs: ['de'] }, labels: [],
    indexedAt: ago(15), ...extra.post }, ...extra.item });
  src.set('/bsky/xrpc/app.bsky.feed.getAuthorFeed', { body: JSON.stringify({ feed: [
    bpost('3l5aaa', 'Neue Öffnungszeiten ab Januar', { post: { embed: { $type: 'app.bsky.embed.images#view',
      images: [{ thumb: `${src.base}/img/praxis.png`, fullsize: `${src.base}/img/praxis.png`, alt: 'Tür' }] } } }),
    bpost('3l5bbb', 'Danke!', { item: { reply: { root: {}, parent: {} } } }),
    bpost('3l5ccc', 'Fremder Beitrag', { item: { reason: { $type: 'app.bsky.feed.defs#reasonRepost' } } }),
    bpost('3l5ddd', 'Gekennzeichnet', { post: { labels: [{ val: '!warn' }, { val: 'graphic-media' }] } }),
  ] }) });
  const b = (await addSource({ name: 'Bluesky Praxis', kind: 'bluesky', url: `${src.base}/bsky`,
    account: 'praxis.bsky.social' })).source;
  await firstPoll(b.id);
  const bItems = bySource(await allItems(), 'Bluesky Praxis');
  const bq = src.hits('/bsky/xrpc/app.bsky.feed.getAuthorFeed')[0];
  t.ok(bq && bq.query.includes('actor=praxis.bsky.social') && bq.query.includes('filter=posts_no_replies'),
    'the author feed is asked without replies', bq?.query);
  t.eq(bItems.length, 2, 'two Bluesky posts taken: the reply and the repost are not');
  const opening = bItems.find((i) => titleHas(i, 'Öffnungszeiten'));
  t.ok(opening && opening.latest.link === 'https://bsky.app/profile/praxis.bsky.social/post/3l5aaa' &&
    opening.latest.media[0]?.sha256 === sha256(img) && opening.latest.media[0]?.alt === 'Tür',
  'a Bluesky post: permalink on bsky.app, its image (already known) with alt text', opening?.latest);
  const labelled = bItems.find((i) => titleHas(i, 'Gekennzeichnet'));
  t.ok(labelled && /labels: !warn,graphic-media/.test(labelled.latest.notes || ''), 'labels are recorded as notes',
    labelled?.latest.notes);
  console.log(`bluesky: ${bItems.length} posts taken`);
  t.ok(b, 'bluesky source added');

  // --- RSS and Atom -------------------------------------------------------------
  src.set('/blog/feed.xml', { body: fs.readFileSync(path.join(dataDir, 'ingest', 'rss_basic.xml')), type: 'application/rss+xml' });
  const rss = (await addSource({ name: 'Praxis-Blog', kind: 'rss', url: `${src.base}/blog/feed.xml` })).source;
  await firstPoll(rss.id);
  const rItems = bySource(await allItems(), 'Praxis-Blog');
  t.ok(rItems.length > 0, 'RSS items land');
  console.log(`rss: ${rItems.length} items taken`);
  t.ok(rItems.every((i) => i.latest.state === 'pending' && i.latest.title), 'RSS items are pending, with titles');
  for (const [file, want] of [['billion_laughs.xml', /entit/i], ['xxe.xml', /entit/i], ['koi8r.xml', /encoding/i],
    ['unclosed.xml', /XML/]]) {
    src.set('/blog/feed.xml', { body: fs.readFileSync(path.join(dataDir, 'ingest', file)), type: 'application/xml' });
    const s = await pollNow(rss.id);
    t.ok(s && want.test(s.last_error || ''), `${file}: refused with a clear error`, s?.last_error);
  }
  t.ok(!(await allItems()).some((i) => /root:x:0:0/.test(i.latest.body)), 'no local file content ever lands');

  // --- webhook ------------------------------------------------------------------
  const hook = await addSource({ name: 'Automation', kind: 'webhook' });
  t.ok(/^\d+\.[0-9a-f]{64}$/.test(hook.token || ''), 'a webhook source gets its token once', hook.token);
  const listed = (await admin.get('/api/sources')).json.sources.find((s) => s.name === 'Automation');
  t.ok(listed && listed.has_token && !JSON.stringify(listed).includes(hook.token.split('.')[1]),
    'the list says a token is set, and never shows it');
  const post = (token, body) => request(q.base, 'POST', '/api/ingest', { headers: {
    'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
  body: typeof body === 'string' ? body : JSON.stringify(body) });
  const good = { posts: [{ id: 'fb-1', title: 'Neu: Online-Termine', body: 'Ab sofort auch online buchbar.',
    link: 'https://praxis.example/termine', images: [{ url: `${src.base}/img/praxis.png`, alt: 'Logo' }] }] };
  const r202 = await post(hook.token, good);
  t.ok(r202.status === 202 && r202.json?.queued === 1, 'the webhook takes a batch: 202', r202.json);
  const hookItem = await waitFor(async () => bySource(await allItems(), 'Automation')[0], 10000, 'webhook post lands');
  t.ok(hookItem && hookItem.latest.state === 'pending' && hookItem.latest.media[0]?.sha256 === sha256(img),
    'the webhook post is pending, its image (known URL) reused', hookItem?.latest);
  t.eq(src.hits('/img/praxis.png').length, 1, 'still one download of that image');
  t.eq((await post(null, good)).status, 401, 'no token: 401');
  t.eq((await post(`${hook.token.split('.')[0]}.${'0'.repeat(64)}`, good)).status, 401, 'a wrong token: 401');
  t.eq((await post(`${m.id}.${hook.token.split('.')[1]}`, good)).status, 401, 'the token under another source id: 401');
  const unknown = await post(hook.token, { posts: [{ id: 'x', body: 'y', colour: 'red' }] });
  t.ok(unknown.status === 400 && /colour/.test(unknown.json?.message || ''), 'an unknown member is named in a 400',
    unknown.json);
  t.eq((await post(hook.token, '{"posts": [')).status, 400, 'malformed JSON: 400');
  const jsUrl = await post(hook.token, { posts: [{ id: 'x', body: 'y', images: [{ url: 'file:///etc/passwd' }] }] });
  t.eq(jsUrl.status, 400, 'an image URL that is not http(s): 400');

  // The queue is healthy after all of it.
  t.eq((await request(q.base, 'GET', '/healthz')).status, 200, '/healthz still answers');
  const log = fs.readFileSync(path.join(work, 'queue.log'), 'utf8');
  t.ok(/event=ingest source="Mastodon Praxis" via=poll/.test(log), 'each poll leaves a log line');
  t.ok(!log.includes(hook.token.split('.')[1]), 'the webhook token never reaches the log');
} catch (e) {
  t.ok(false, 'exception', e.stack);
} finally {
  await q.stop();
  await src.close();
}
console.log(`ingest test in ${((Date.now() - started) / 1000).toFixed(1)} s`);
t.done();
