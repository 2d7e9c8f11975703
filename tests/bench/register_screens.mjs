// Registers N screens bench-0000.. through the API (as an admin would),
// twenty at a time. usage: node register_screens.mjs BASE PASSWORD_FILE N
import fs from 'node:fs';
import { Staff } from '../queue/queue.mjs';

const [base, pwFile, nArg] = process.argv.slice(2);
const n = Number(nArg);
const admin = new Staff(base);
if ((await admin.login('admin', fs.readFileSync(pwFile, 'utf8').trim())).status !== 200) {
  throw new Error('login failed');
}
const t0 = Date.now();
for (let i = 0; i < n; i += 20) {
  const batch = [];
  for (let k = i; k < Math.min(n, i + 20); k++) {
    const id = `bench-${String(k).padStart(4, '0')}`;
    batch.push(admin.post('/api/screens', { id, name: `Bench ${k}` }).then((r) => {
      if (r.status !== 201) throw new Error(`screen ${id}: ${r.status} ${r.body}`);
    }));
  }
  await Promise.all(batch);
}
console.log(`registered ${n} screens in ${Date.now() - t0} ms`);
