// End to end, from a social post to the waiting room: a Mastodon post (a
// recorded fixture served on loopback, tests/queue/sources_server.mjs)
// is polled by the real signet-queue and lands as pending; a person signs
// in to the staff page in Debian's chromium (playwright-core) and approves
// it from the queue; a real headless signet-kiosk fetching from the queue
// shows it: the item is in the kiosk's play log.
// usage: node ingest_e2e.test.mjs SIGNET_QUEUE SIGNET_KIOSK WORKDIR [--chromium PATH]
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startKiosk } from '../kiosk/kiosk.mjs';
import { ADMIN_PASSWORD, Staff, checker, sleep, startQueue } from '../queue/queue.mjs';
import { startSources } from '../queue/sources_server.mjs';

const [queueBin, kioskBin, work] = process.argv.slice(2);
if (!work) {
  console.error('usage: node ingest_e2e.test.mjs SIGNET_QUEUE SIGNET_KIOSK WORKDIR');
  process.exit(2);
}
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const t = checker('ingest-e2e');
fs.rmSync(work, { recursive: true, force: true });
fs.mkdirSync(work, { recursive: true });

const src = await startSources();
const created = new Date(Date.now() - 5 * 60e3).toISOString();
src.set('/m/api/v1/accounts/lookup', { body: JSON.stringify({ id: '42' }) });
src.set('/m/api/v1/accounts/42/statuses', { body: JSON.stringify([{
  id: '110001', created_at: created, edited_at: null, in_reply_to_id: null, reblog: null, sensitive: false,
  spoiler_text: '', visibility: 'public', language: 'de', url: 'https://social.example/@praxis/110001',
  content: '<p>Impfaktion am Samstag: 9&ndash;13 Uhr, ohne Termin. <a href="https://praxis.example/impfen">Mehr</a></p>',
  account: { id: '42', acct: 'praxis', display_name: 'Praxis am Markt' }, media_attachments: [],
}]) });
const q = await startQueue(queueBin, path.join(work, 'queue'));
const staff = new Staff(q.base);
let kiosk = null, context = null;
try {
  t.status(await staff.login('admin', ADMIN_PASSWORD), 200, 'admin logs in (API, for the set-up)');
  const screen = await staff.post('/api/screens', { id: 'wartezimmer', name: 'Wartezimmer' });
  t.status(screen, 201, 'a screen');
  const tokenFile = path.join(work, 'screen.token');
  fs.writeFileSync(tokenFile, `${screen.json.token}\n`, { mode: 0o600 });
  t.status(await staff.post('/api/sources', { name: 'Mastodon', kind: 'mastodon', url: `${src.base}/m`,
    account: '@praxis@social.example' }), 201, 'the clinic\'s Mastodon account as a source');

  kiosk = startKiosk(kioskBin, path.join(work, 'kiosk'), ['--queue', q.base, '--screen', 'wartezimmer',
    '--trust', path.join(q.data, 'signing.pub'), '--token-file', tokenFile, '--long-poll', '25']);

  // The post lands as pending; nothing is on screen yet.
  let item = null;
  for (let end = Date.now() + 15000; !item && Date.now() < end; await sleep(200)) {
    item = ((await staff.get('/api/items')).json?.items ?? []).find((i) => i.created_by === 'source:Mastodon');
  }
  t.ok(item && item.latest.state === 'pending' && item.latest.body.startsWith('Impfaktion am Samstag: 9–13 Uhr'),
    'the Mastodon post is pending in the queue, as plain text', item?.latest);
  t.ok(item && item.latest.link === 'https://social.example/@praxis/110001', 'with its permalink for the QR code');
  await sleep(1000);
  t.ok(kiosk.plays().every((l) => l.item === 'idle'), 'the kiosk shows only the idle card before the approval',
    kiosk.plays());

  // A person approves it on the staff page.
  context = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(work, 'chromium-')), {
    executablePath: chromiumPath, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, locale: 'de-DE',
    timezoneId: 'Europe/Berlin' });
  context.setDefaultTimeout(15000);
  const page = context.pages()[0] || await context.newPage();
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 401/.test(m.text())) consoleErrors.push(m.text()); });
  await page.goto(`${q.base}/`);
  await page.locator('[data-testid=login-name]').fill('admin');
  await page.locator('[data-testid=login-password]').fill(ADMIN_PASSWORD);
  await page.locator('[data-testid=login-submit]').tap();
  const card = page.locator(`[data-testid=queue-card][data-item-id="${item.id}"]`);
  await card.waitFor();
  t.ok(await card.count() === 1, 'the staff page shows the post in the queue');
  await page.screenshot({ path: path.join(work, 'queue-with-mastodon-post.png') });
  const approvedAt = Date.now();
  await card.locator('[data-testid=approve]').tap();
  await page.locator('[data-testid=approve-sheet]').waitFor();
  await page.locator('[data-testid=approve-confirm]').tap();
  await card.waitFor({ state: 'detached' });
  const r = await staff.get(`/api/items/${item.id}`);
  t.ok(r.json.item.latest.state === 'approved' && r.json.item.latest.decided_by === 'admin',
    'the server has the approval by admin', r.json.item.latest);

  // The kiosk shows it.
  const hit = await kiosk.waitPlay((l) => l.item === item.id && l.rev === 1, 0, 15000, 10);
  t.ok(hit !== null, 'the approved Mastodon post is in the kiosk\'s play log', kiosk.plays());
  if (hit) console.log(`approval on the page to the kiosk's play log: ${Date.now() - approvedAt} ms`);
  t.ok(consoleErrors.length === 0, 'no console errors on the page', consoleErrors);
} catch (e) {
  t.ok(false, 'exception', e.stack);
} finally {
  if (context) await context.close().catch(() => {});
  if (kiosk) {
    const e = await kiosk.stop().catch((err) => ({ error: err.message }));
    t.ok(e && e.code === 0, 'the kiosk exits 0', e);
  }
  await q.stop();
  await src.close();
}
t.done();
