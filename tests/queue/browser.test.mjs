// Runs the browser test (tests/browser/staff.test.mjs, Debian's chromium via
// playwright-core) against a real signet-queue with demo data: one screen,
// pending posts, approved tips. The phone-sized screenshots land in ARTIFACTS.
// usage: node browser.test.mjs SIGNET_QUEUE ASSETS_DIR WORKDIR ARTIFACTS
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADMIN_PASSWORD, startQueue } from './queue.mjs';

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
  execFileSync(bin, ['import', '--data', data, '--as', 'admin', '--approve-as', 'admin',
    path.join(assets, 'demo', 'tips.json')]);
  execFileSync(bin, ['import', '--data', data, '--as', 'admin', path.join(assets, 'demo', 'posts.json')]);
};
const q = await startQueue(bin, work, { beforeServe: seed });
let status = 1;
try {
  const pwFile = path.join(work, 'admin-password');
  fs.writeFileSync(pwFile, ADMIN_PASSWORD + '\n', { mode: 0o600 });
  const r = spawnSync(process.execPath, [path.join(browserDir, 'staff.test.mjs'), '--base', q.base,
    '--user', 'admin', '--password-file', pwFile, '--artifacts', artifacts], { stdio: 'inherit', timeout: 240000 });
  status = r.status ?? 1;
} finally {
  await q.stop();
}
process.exit(status);
