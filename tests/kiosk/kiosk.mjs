// Starts and stops a real headless signet-kiosk for black-box tests, and
// reads what it did: its play log (one JSON line per card shown) and its log.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

// Starts the kiosk headless with a small screen, no fade and a short dwell.
// dir holds state/, play.log and kiosk.log. args are added last (they win).
// Returns {proc, dir, stateDir, playLog, logFile, plays(), log(), waitPlay(),
// waitLog(), alive(), stop(), kill()}.
export function startKiosk(bin, dir, args, { env = {}, fresh = true } = {}) {
  if (fresh) fs.rmSync(dir, { recursive: true, force: true });
  const stateDir = path.join(dir, 'state');
  fs.mkdirSync(stateDir, { recursive: true });
  const playLog = path.join(dir, 'play.log');
  const logFile = path.join(dir, 'kiosk.log');
  const out = fs.openSync(logFile, 'a');
  const proc = spawn(bin, ['--headless', '--size', '640x360', '--fade', '0', '--dwell-min', '300',
    '--dwell-max', '300', '--state-dir', stateDir, '--play-log', playLog, ...args],
  { stdio: ['ignore', out, out], env: { ...process.env, SDL_VIDEODRIVER: 'offscreen', ...env } });
  fs.closeSync(out);
  let exited = null;
  const exitWaiters = [];
  proc.on('exit', (code, sig) => {
    exited = { code, sig };
    for (const w of exitWaiters) w(exited);
  });
  const k = {
    proc, dir, stateDir, playLog, logFile,
    exited: () => exited,
    alive: () => exited === null,
    // Every play-log line so far, parsed.
    plays() {
      if (!fs.existsSync(playLog)) return [];
      return fs.readFileSync(playLog, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    },
    log: () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : ''),
    // Waits until a play-log line after the first `from` lines satisfies pred;
    // returns the line or null.
    async waitPlay(pred, from = 0, ms = 10000, step = 20) {
      const end = Date.now() + ms;
      for (;;) {
        const hit = k.plays().slice(from).find(pred);
        if (hit) return hit;
        if (Date.now() >= end || exited) return null;
        await sleep(step);
      }
    },
    // Waits until the kiosk's log holds text (a string or RegExp) after byte
    // offset from; returns the matching line or null.
    async waitLog(text, from = 0, ms = 10000) {
      const end = Date.now() + ms;
      for (;;) {
        const lines = k.log().slice(from).split('\n');
        const hit = lines.find((l) => (typeof text === 'string' ? l.includes(text) : text.test(l)));
        if (hit !== undefined) return hit;
        if (Date.now() >= end || exited) return null;
        await sleep(50);
      }
    },
    // SIGTERM, then waits for the exit; SIGKILL and throws after 10 s.
    async stop() {
      if (exited) return exited;
      proc.kill('SIGTERM');
      // The timer is cleared once the kiosk exited: a pending 10 s timer
      // would keep the test's event loop (and the test) alive that long.
      let timer;
      const e = await Promise.race([new Promise((r) => exitWaiters.push(r)),
        new Promise((r) => { timer = setTimeout(() => r(null), 10000); })]);
      clearTimeout(timer);
      if (!e) { proc.kill('SIGKILL'); throw new Error('signet-kiosk did not stop on SIGTERM'); }
      return e;
    },
    // SIGKILL (a power cut, as far as the files are concerned).
    async kill() {
      if (exited) return exited;
      proc.kill('SIGKILL');
      return new Promise((r) => (exited ? r(exited) : exitWaiters.push(r)));
    },
  };
  return k;
}
