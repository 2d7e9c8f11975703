// Runs the browser test of sources, held posts and batch approval
// (tests/browser/sources.test.mjs) against a real signet-queue started with
// the German blocklist. Seeds one screen, the starter tips library (about 140
// pending tips) and, through a webhook source made with the API, a batch of
// ingested posts: two with a blocked word (held), one with a content warning,
// and ordinary ones, so that "approve several" has more than 200 items to
// send. The phone-sized screenshots land in ARTIFACTS.
// usage: node browser_sources.test.mjs SIGNET_QUEUE ASSETS_DIR WORKDIR ARTIFACTS
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADMIN_PASSWORD, Staff, request, sleep, startQueue } from './queue.mjs';

const PLAIN_POSTS = 70;
const INGEST_WAIT_MS = 20000;

const [bin, assets, work, artifacts] = process.argv.slice(2);
const browserDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'browser');
if (!fs.existsSync(path.join(browserDir, 'node_modules', 'playwright-core'))) {
  console.error(`playwright-core is not installed: run npm ci --prefix ${browserDir} (toolchain/test.sh does)`);
  process.exit(1);
}
fs.rmSync(artifacts, { recursive: true, force: true });
fs.mkdirSync(artifacts, { recursive: true });
const seed = (data) => {
  execFileSync(bin, ['screen', 'add', '--data', data, '--id', 'wartezimmer', '--name', 'Wartezimmer',
    '--group', 'praxis']);
  execFileSync(bin, ['tips', 'import', '--data', data, '--file', path.join(assets, 'tips', 'tips.json')],
    { stdio: ['ignore', 'ignore', 'inherit'] });
};

// A webhook source and one batch through POST /api/ingest, as a clinic's
// website would send it; waits until the ingest thread made the items.
async function ingest(base) {
  const staff = new Staff(base);
  const login = await staff.login('admin', ADMIN_PASSWORD);
  if (login.status !== 200) throw new Error(`login: HTTP ${login.status}`);
  const src = await staff.post('/api/sources', { name: 'Website', kind: 'webhook' });
  if (src.status !== 201 || !src.json.token) throw new Error(`POST /api/sources: HTTP ${src.status} ${src.body}`);
  const posts = [
    { id: 'held-1', title: 'Neue Sprechzeiten', body: 'Ab Montag gilt: so eine Scheiße mit den Parkplätzen, bitte früher kommen.' },
    { id: 'held-2', title: 'Parkplatz', body: 'Wer hier parkt, ist ein Arschloch.' },
    { id: 'cw-1', title: 'Zeckenzeit', body: 'Bilder von Zeckenstichen und was dann hilft.', content_warning: 'Fotos von Hautausschlag', sensitive: true },
  ];
  for (let i = 1; i <= PLAIN_POSTS; i++) posts.push({ id: `news-${i}`, title: `Praxisnachricht ${i}`, body: `Kurze Nachricht Nummer ${i} aus der Praxis.` });
  const r = await request(base, 'POST', '/api/ingest', {
    headers: { Authorization: `Bearer ${src.json.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ posts }) });
  if (r.status !== 202) throw new Error(`POST /api/ingest: HTTP ${r.status} ${r.body}`);
  const end = Date.now() + INGEST_WAIT_MS;
  for (;;) {
    const items = await staff.get('/api/items?state=pending');
    const from = (items.json.items || []).filter((it) => it.created_by === 'source:Website');
    if (from.length === posts.length) return;
    if (Date.now() > end) throw new Error(`the ingest thread made ${from.length} of ${posts.length} items in ${INGEST_WAIT_MS / 1000} s`);
    await sleep(300);
  }
}

const q = await startQueue(bin, work, { beforeServe: seed,
  extraArgs: ['--blocklist', path.join(assets, 'blocklist', 'de.txt')] });
let status = 1;
try {
  await ingest(q.base);
  const pwFile = path.join(work, 'admin-password');
  fs.writeFileSync(pwFile, ADMIN_PASSWORD + '\n', { mode: 0o600 });
  const r = spawnSync(process.execPath, [path.join(browserDir, 'sources.test.mjs'), '--base', q.base,
    '--user', 'admin', '--password-file', pwFile, '--artifacts', artifacts], { stdio: 'inherit', timeout: 280000 });
  status = r.status ?? 1;
} catch (e) {
  console.error(`browser_sources: ${e.message}`);
  console.error(fs.readFileSync(path.join(work, 'queue.log'), 'utf8').split('\n').slice(-30).join('\n'));
} finally {
  await q.stop();
}
process.exit(status);
