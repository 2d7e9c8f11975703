// End to end through the published folder (what the demo does): a real
// signet-queue serving with --publish-dir and a real headless signet-kiosk
// reading that folder. Approve → the item enters the kiosk's play log;
// revoke → it leaves; emergency stop → idle card; undo → shown again.
// usage: node e2e_kiosk.test.mjs SIGNET_QUEUE SIGNET_KIOSK WORKDIR
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ADMIN_PASSWORD, Staff, checker, sleep, startQueue } from './queue.mjs';

const [bin, kioskBin, work] = process.argv.slice(2);
const t = checker('e2e-kiosk');
const pub = path.join(work, 'pub');
const q = await startQueue(bin, work, { extraArgs: ['--publish-dir', pub] });
const playLog = path.join(work, 'play.log');
fs.mkdirSync(path.join(work, 'state'), { recursive: true });
let kiosk = null;
const lines = () => (fs.existsSync(playLog) ? fs.readFileSync(playLog, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);
// Waits until pred holds for a play-log line written after `from` lines.
async function waitFor(pred, from, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const ls = lines().slice(from);
    if (ls.some(pred)) return true;
    await sleep(100);
  }
  return false;
}
try {
  const admin = new Staff(q.base);
  t.status(await admin.login('admin', ADMIN_PASSWORD), 200, 'admin logs in');
  const scr = await admin.post('/api/screens', { id: 'kiosk-1', name: 'Kiosk 1', group: 'praxis' });
  t.status(scr, 201, 'screen registered');
  const feedFile = path.join(pub, 'v1', 'screens', 'kiosk-1', 'feed');
  for (let i = 0; i < 50 && !fs.existsSync(feedFile); i++) await sleep(100);
  t.ok(fs.existsSync(feedFile), 'the queue published the new screen\'s feed into the folder');
  kiosk = spawn(kioskBin, ['--headless', '--feed-file', feedFile, '--media-dir', path.join(pub, 'v1', 'media'),
    '--trust', path.join(q.data, 'signing.pub'), '--screen', 'kiosk-1', '--group', 'praxis',
    '--state-dir', path.join(work, 'state'), '--play-log', playLog, '--size', '640x360',
    '--dwell-min', '300', '--dwell-max', '300', '--fade', '0'],
  { stdio: ['ignore', fs.openSync(path.join(work, 'kiosk.log'), 'w'), fs.openSync(path.join(work, 'kiosk.log'), 'a')],
    env: { ...process.env, SDL_VIDEODRIVER: 'offscreen' } });
  t.ok(await waitFor((l) => l.item === 'idle', 0, 10000), 'kiosk starts on the idle card (nothing approved)');

  const c = await admin.post('/api/items', { kind: 'post', title: 'Neu in der Praxis', body: 'Wir impfen samstags.' });
  const id = c.json.item.id;
  let mark = lines().length;
  const t0 = Date.now();
  t.status(await admin.post(`/api/items/${id}/approve`, { rev: 1 }), 200, 'approve');
  t.ok(await waitFor((l) => l.item === id && l.rev === 1, mark, 10000), 'approved item reaches the kiosk\'s play log');
  console.log(`approve-to-play-log ${Date.now() - t0} ms (kiosk polls the file each second)`);

  mark = lines().length;
  t.status(await admin.post(`/api/items/${id}/revoke`, { rev: 1 }), 200, 'revoke');
  t.ok(await waitFor((l) => l.item === 'idle', mark, 10000), 'kiosk falls back to idle after the revoke');
  await sleep(1500);
  const after = lines().slice(mark);
  const idleAt = after.findIndex((l) => l.item === 'idle');
  t.ok(!after.slice(idleAt).some((l) => l.item === id), 'the revoked item never shows again');

  const c2 = await admin.post('/api/items', { kind: 'notice', title: 'Heute', body: 'Ab 14 Uhr geschlossen.' });
  t.status(await admin.post(`/api/items/${c2.json.item.id}/approve`, { rev: 1 }), 200, 'approve a notice');
  mark = lines().length;
  t.ok(await waitFor((l) => l.item === c2.json.item.id, mark, 10000), 'notice shows');
  mark = lines().length;
  t.status(await admin.post('/api/emergency', { stop: true }), 200, 'emergency stop');
  t.ok(await waitFor((l) => l.item === 'idle', mark, 10000), 'emergency stop: idle card');
  mark = lines().length;
  t.status(await admin.post('/api/emergency', { stop: false }), 200, 'undo');
  t.ok(await waitFor((l) => l.item === c2.json.item.id, mark, 10000), 'undo: notice back');
} catch (e) {
  t.ok(false, 'exception', e.stack);
} finally {
  if (kiosk) kiosk.kill('SIGTERM');
  await q.stop();
}
t.done();
