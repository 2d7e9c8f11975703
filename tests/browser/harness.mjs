// What the browser tests of the staff page share: arguments, named steps,
// the watch for console errors / failed requests / CSP violations, helpers
// that wait for a view, and the Chromium start (phone sized, German, touch).
//
// A script calls runBrowser(name, async (page, h) => { ...steps... }); h holds
// opt (the arguments), step(), setPhase() and problems. Exit status: 0 pass,
// 1 fail, 2 usage.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const PHONE = { width: 390, height: 844 };
const ACTION_TIMEOUT_MS = 15000;

export class Failure extends Error {}

export function check(cond, msg) {
    if (!cond) throw new Failure(msg);
}

function usage(script, msg) {
    process.stderr.write(`${script}: ${msg}\nusage: node ${script}.mjs --base URL --user NAME --password-file FILE --artifacts DIR [--chromium PATH]\n`);
    process.exit(2);
}

// --base URL --user NAME --password-file FILE --artifacts DIR [--chromium PATH]
// (or SIGNET_BASE, SIGNET_USER, SIGNET_PASSWORD_FILE, SIGNET_ARTIFACTS, CHROMIUM)
export function parseArgs(script, argv) {
    const opt = {
        base: process.env.SIGNET_BASE,
        user: process.env.SIGNET_USER,
        passwordFile: process.env.SIGNET_PASSWORD_FILE,
        artifacts: process.env.SIGNET_ARTIFACTS,
        chromium: process.env.CHROMIUM || '/usr/bin/chromium',
    };
    const names = { '--base': 'base', '--user': 'user', '--password-file': 'passwordFile', '--artifacts': 'artifacts', '--chromium': 'chromium' };
    for (let i = 0; i < argv.length; i++) {
        let [k, v] = argv[i].split(/=(.*)/s, 2);
        if (!(k in names)) usage(script, `unknown argument ${k}`);
        if (v === undefined) {
            i += 1;
            v = argv[i];
        }
        if (v === undefined) usage(script, `${k} needs a value`);
        opt[names[k]] = v;
    }
    for (const k of ['base', 'user', 'passwordFile', 'artifacts']) if (!opt[k]) usage(script, `missing ${k}`);
    opt.base = opt.base.replace(/\/+$/, '');
    try {
        opt.password = fs.readFileSync(opt.passwordFile, 'utf8').replace(/\r?\n$/, '');
    } catch (e) {
        usage(script, `cannot read the password file: ${e.message}`);
    }
    if (!opt.password) usage(script, 'the password file is empty');
    return opt;
}

// A CSS attribute value in quotes.
export const q = (id) => `"${String(id).replace(/["\\]/g, '\\$&')}"`;

export async function errorBox(page) {
    const t = await page.locator('[data-testid=error-box]').innerText().catch(() => '');
    return t.trim();
}

export async function waitLoaded(page, testid) {
    await page.locator(`[data-testid=${testid}][aria-busy=false]`).waitFor();
    const err = await errorBox(page);
    check(!err, `the page shows an error: ${err}`);
}

/* Taps the view's refresh button until probe() is true or ms pass. */
export async function until(page, refreshTestid, listTestid, probe, ms, what) {
    const end = Date.now() + ms;
    for (;;) {
        if (await probe()) return;
        check(Date.now() < end, `${what} (waited ${ms / 1000} s)`);
        await page.waitForTimeout(700);
        await page.locator(`[data-testid=${refreshTestid}]`).tap();
        await waitLoaded(page, listTestid);
    }
}

/* The page's own session cookie, for API calls next to the page. */
export async function apiGet(page, base, p) {
    const res = await page.request.get(base + p, { headers: { Accept: 'application/json' } });
    check(res.ok(), `GET ${p} → HTTP ${res.status()}`);
    return res.json();
}

/* A POST as the page makes it (CSRF token from GET /api/session). */
export async function apiPost(page, base, p, body) {
    const s = await apiGet(page, base, '/api/session');
    const res = await page.request.post(base + p, {
        headers: { Accept: 'application/json', 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf, Origin: base },
        data: body === undefined ? {} : body,
    });
    check(res.ok(), `POST ${p} → HTTP ${res.status()}: ${await res.text()}`);
    return res.json();
}

/* Logs in through the form; the queue is shown afterwards. */
export async function login(page, h) {
    await page.locator('[data-testid=login-form]').waitFor();
    await page.locator('[data-testid=login-name]').fill(h.opt.user);
    await page.locator('[data-testid=login-password]').fill(h.opt.password);
    await page.locator('[data-testid=login-submit]').tap();
    const outcome = await Promise.race([
        page.locator('[data-testid=queue-list]').waitFor().then(() => 'queue'),
        page.locator('[data-testid=login-error]:visible').waitFor().then(() => 'error'),
    ]);
    if (outcome === 'error') throw new Failure(`login refused: ${await page.locator('[data-testid=login-error]').innerText()}`);
    h.setPhase('logged-in');
    await waitLoaded(page, 'queue-list');
}

/* The last step of every script: nothing went wrong behind the scenes. */
export async function checkClean(page, problems) {
    const csp = await page.evaluate(() => window.__cspViolations || []);
    for (const v of csp) problems.push(`CSP violation: ${v}`);
    const inline = await page.evaluate(() => {
        const bad = [];
        for (const el of document.querySelectorAll('*')) {
            for (const a of el.getAttributeNames()) if (a === 'style' || a.startsWith('on')) bad.push(`<${el.tagName.toLowerCase()} ${a}>`);
        }
        for (const s of document.querySelectorAll('script:not([src]), style')) bad.push(`<${s.tagName.toLowerCase()}> inline`);
        return bad;
    });
    for (const b of inline) problems.push(`inline code or style: ${b}`);
    check(problems.length === 0, `${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
}

function watch(page, problems, phaseOf) {
    page.on('console', (msg) => {
        const text = msg.text();
        const where = msg.location() && msg.location().url ? msg.location().url : '';
        /* The page asks GET /api/session before anyone logged in; its 401 is
         * the expected answer, and Chromium logs every failed load. */
        if (phaseOf() === 'before-login' && /status of 401/.test(text) && where.endsWith('/api/session')) return;
        if (msg.type() === 'error' || /Content.Security.Policy|Refused to/i.test(text)) problems.push(`console ${msg.type()}: ${text} ${where}`.trim());
    });
    page.on('pageerror', (err) => problems.push(`uncaught exception: ${err.message}`));
    page.on('requestfailed', (req) => {
        const f = req.failure();
        if (f && /ERR_ABORTED/.test(f.errorText)) return; /* an image dropped when its view was replaced */
        problems.push(`request failed: ${req.method()} ${req.url()} ${f ? f.errorText : ''}`);
    });
    page.on('response', (res) => {
        const u = new URL(res.url());
        if (res.status() < 400) return;
        if (phaseOf() === 'before-login' && res.status() === 401 && u.pathname === '/api/session') return;
        problems.push(`HTTP ${res.status()} for ${res.request().method()} ${u.pathname}${u.search}`);
    });
}

export async function runBrowser(script, watchdogMs, body) {
    const opt = parseArgs(script, process.argv.slice(2));
    fs.mkdirSync(opt.artifacts, { recursive: true });
    const results = [];
    const problems = [];
    let phase = 'before-login';
    const h = {
        opt,
        problems,
        setPhase: (p) => { phase = p; },
        async step(name, fn) {
            const t0 = Date.now();
            try {
                await fn();
            } catch (e) {
                results.push({ name, ok: false });
                process.stdout.write(`not ok - ${name}\n`);
                throw Object.assign(e, { step: name });
            }
            results.push({ name, ok: true });
            process.stdout.write(`ok - ${name} (${Date.now() - t0} ms)\n`);
        },
    };
    const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'signet-browser-'));
    let context = null;
    let page = null;
    const watchdog = setTimeout(() => {
        process.stdout.write(`FAIL: the whole test took longer than ${watchdogMs / 1000} s\n`);
        process.exit(1);
    }, watchdogMs);
    try {
        context = await chromium.launchPersistentContext(userDataDir, {
            executablePath: opt.chromium,
            headless: true,
            args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                '--disable-background-networking', '--disable-component-update', '--disable-sync'],
            viewport: PHONE,
            deviceScaleFactor: 1,
            hasTouch: true,
            isMobile: true,
            locale: 'de-DE',
            timezoneId: 'Europe/Berlin',
        });
        context.setDefaultTimeout(ACTION_TIMEOUT_MS);
        await context.addInitScript(() => {
            window.__cspViolations = [];
            document.addEventListener('securitypolicyviolation', (e) => {
                window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile || '?'}:${e.lineNumber || 0}`);
            });
        });
        page = context.pages()[0] || await context.newPage();
        watch(page, problems, () => phase);
        await body(page, h);
    } catch (e) {
        const where = page ? page.url() : '';
        process.stdout.write(`FAIL${e.step ? ` in "${e.step}"` : ''}: ${e instanceof Failure ? e.message : e.stack || e}\n`);
        if (where) process.stdout.write(`  page: ${where}\n`);
        if (page) {
            const err = await errorBox(page).catch(() => '');
            if (err) process.stdout.write(`  error shown on the page: ${err}\n`);
            await page.screenshot({ path: path.join(opt.artifacts, 'failure.png'), fullPage: true }).catch(() => {});
            process.stdout.write(`  screenshot: ${path.join(opt.artifacts, 'failure.png')}\n`);
        }
        for (const p of problems) process.stdout.write(`  seen: ${p}\n`);
        if (!e.step) results.push({ name: 'start the browser', ok: false });
    } finally {
        clearTimeout(watchdog);
        if (context) await context.close().catch(() => {});
        fs.rmSync(userDataDir, { recursive: true, force: true });
    }
    const passed = results.filter((r) => r.ok).length;
    const failed = results.filter((r) => !r.ok).length;
    process.stdout.write(`browser: ${passed} passed, ${failed} failed\n`);
    process.exit(failed ? 1 : 0);
}
