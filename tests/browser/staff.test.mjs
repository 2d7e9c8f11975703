// Drives signet-queue's staff page in Debian's Chromium as a phone user would:
// log in, approve a pending post in at most two taps from the queue, see it in
// "On screen now", revoke it, find both decisions in the audit log. Also checks
// the CSP header and that no console error or CSP violation happened.
//
// usage: node staff.test.mjs --base http://127.0.0.1:PORT --user admin
//            --password-file FILE --artifacts DIR [--chromium /usr/bin/chromium]
// (or SIGNET_BASE, SIGNET_USER, SIGNET_PASSWORD_FILE, SIGNET_ARTIFACTS, CHROMIUM)
// Expects a running server with at least one pending item of kind post and one
// screen, and the emergency stop off. Exit status: 0 pass, 1 fail, 2 usage.
import path from 'node:path';
import { apiGet as apiGetAt, check, checkClean, errorBox, login, q, runBrowser, until, waitLoaded } from './harness.mjs';

const MAX_APPROVE_TAPS = 2;
const FEED_WAIT_MS = 20000; /* approval → screen feed; the publisher is asynchronous */
const WATCHDOG_MS = 180000;

async function run(page, h) {
    const { opt, step } = h;
    const apiGet = (pg, p) => apiGetAt(pg, opt.base, p);
    let itemId = null;
    let itemRev = null;

    await step('the page loads with the CSP header', async () => {
        const res = await page.goto(opt.base + '/', { waitUntil: 'load' });
        check(res && res.ok(), `GET / answered ${res ? res.status() : 'nothing'}`);
        const csp = res.headers()['content-security-policy'];
        check(csp, 'GET / has no Content-Security-Policy header');
        for (const part of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"]) {
            check(csp.includes(part), `the CSP header lacks ${part}: ${csp}`);
        }
        /* The page's own files, with types a nosniff browser accepts. */
        for (const [asset, type] of [['/app.js', /^(text|application)\/javascript\b/], ['/app.css', /^text\/css\b/]]) {
            const r = await page.request.get(opt.base + asset);
            const got = r.headers()['content-type'] || '';
            check(r.ok() && type.test(got), `GET ${asset} → HTTP ${r.status()} ${got}`);
        }
        check(await page.evaluate(() => document.documentElement.lang) === 'de', 'the page does not start in German');
    });

    await step('log in', async () => {
        await login(page, h);
        check(await page.locator('[data-testid=emergency-banner]').isHidden(), 'the emergency stop is active; the test needs it off');
    });

    await step('the queue shows a pending post with its preview', async () => {
        const card = page.locator('[data-testid=queue-card][data-kind=post][data-state=pending]').first();
        check(await card.count() === 1, 'no pending item of kind post in the queue');
        itemId = await card.getAttribute('data-item-id');
        itemRev = Number(await card.getAttribute('data-rev'));
        check(itemId && itemRev >= 1, `the card has no item id / rev (${itemId}, ${itemRev})`);
        const img = card.locator('[data-testid=preview]');
        check(await img.count() === 1, 'the card has no preview image');
        const src = await img.getAttribute('src');
        check(src === `/api/items/${encodeURIComponent(itemId)}/revisions/${itemRev}/preview.png?w=640&h=360`, `unexpected preview URL ${src}`);
        await page.waitForFunction((id) => {
            const i = document.querySelector(`[data-testid=queue-card][data-item-id="${id}"] [data-testid=preview]`);
            return i && i.complete && i.naturalWidth > 0;
        }, itemId);
        await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=preview]')]
            .filter((i) => i.getBoundingClientRect().top < window.innerHeight)
            .every((i) => i.complete));
        await page.screenshot({ path: path.join(opt.artifacts, 'queue-390x844.png') });
        process.stdout.write(`  item ${itemId} rev ${itemRev}; screenshot queue-390x844.png\n`);
    });

    await step(`approve it in at most ${MAX_APPROVE_TAPS} taps from the queue`, async () => {
        const card = page.locator(`[data-testid=queue-card][data-item-id=${q(itemId)}]`);
        let taps = 0;
        await card.locator('[data-testid=approve]').tap();
        taps += 1;
        await page.locator('[data-testid=approve-sheet]').waitFor();
        await page.locator('[data-testid=approve-confirm]').tap();
        taps += 1;
        await card.waitFor({ state: 'detached' });
        check(taps <= MAX_APPROVE_TAPS, `approving took ${taps} taps`);
        check(await page.locator('[data-testid=approve-sheet]').count() === 0, 'the approve sheet stayed open');
        const err = await errorBox(page);
        check(!err, `the page shows an error: ${err}`);
        const r = await apiGet(page, `/api/items/${encodeURIComponent(itemId)}`);
        check(r.item && r.item.latest && r.item.latest.state === 'approved', `the server says the item is ${r.item && r.item.latest && r.item.latest.state}, not approved`);
        process.stdout.write(`  ${taps} taps\n`);
    });

    const feedItem = page.locator(`[data-testid=feed-item][data-item-id=${q(itemId)}]`);

    await step('"On screen now" lists it in a screen\'s feed', async () => {
        await page.locator('[data-testid=nav-onscreen]').tap();
        await waitLoaded(page, 'onscreen-list');
        check(await page.locator('[data-testid=screen-card]').count() >= 1, 'no screen card');
        check(await page.locator('[data-testid=screen-card] [data-testid=screen-online]').count() >= 1, 'a screen card lacks its online/offline state');
        await until(page, 'onscreen-refresh', 'onscreen-list', async () => await feedItem.count() > 0, FEED_WAIT_MS,
            `item ${itemId} did not appear in any screen's feed`);
        await page.screenshot({ path: path.join(opt.artifacts, 'onscreen-390x844.png') });
    });

    await step('revoke it from "On screen now" (tap, confirm)', async () => {
        const first = feedItem.first();
        await first.locator('[data-testid=revoke]').tap();
        await first.locator('[data-testid=revoke-confirm]').tap();
        await until(page, 'onscreen-refresh', 'onscreen-list', async () => await feedItem.count() === 0, FEED_WAIT_MS,
            `item ${itemId} is still in a screen's feed after the revoke`);
        const r = await apiGet(page, `/api/items/${encodeURIComponent(itemId)}`);
        const st = r.item && r.item.latest && r.item.latest.state;
        check(st === 'revoked', `the server says the item is ${st}, not revoked`);
    });

    await step('the audit log has the approve and revoke rows and an intact chain', async () => {
        await page.locator('[data-testid=nav-audit]').tap();
        await waitLoaded(page, 'audit-table');
        const chain = page.locator('[data-testid=audit-chain]');
        check(await chain.getAttribute('data-ok') === '1', `audit chain status: ${await chain.innerText()}`);
        const csv = await page.locator('[data-testid=audit-csv]').getAttribute('href');
        check(csv === '/api/audit.csv', `the CSV link points to ${csv}`);
        const csvRes = await page.request.get(opt.base + csv);
        check(csvRes.ok() && /text\/csv/.test(csvRes.headers()['content-type'] || ''), `GET ${csv} → HTTP ${csvRes.status()} ${csvRes.headers()['content-type']}`);
        const want = { approve: /approv/i, revoke: /revok/i };
        const found = {};
        for (let pages = 0; pages < 10; pages++) {
            const rows = await page.locator('[data-testid=audit-row]').evaluateAll((els) => els.map((e) => ({ action: e.dataset.action, object: e.dataset.object })));
            for (const [k, re] of Object.entries(want)) found[k] = found[k] || rows.some((r) => re.test(r.action) && r.object.includes(itemId));
            if (found.approve && found.revoke) break;
            const more = page.locator('[data-testid=audit-more]');
            if (!(await more.isVisible())) break;
            await more.tap();
            await waitLoaded(page, 'audit-table');
        }
        check(found.approve, `no audit row with an action like "approve" for ${itemId}`);
        check(found.revoke, `no audit row with an action like "revoke" for ${itemId}`);
        await page.screenshot({ path: path.join(opt.artifacts, 'audit-390x844.png') });
    });

    await step('English can be switched on and is remembered', async () => {
        await page.locator('[data-testid=lang-toggle]').tap();
        check(await page.evaluate(() => document.documentElement.lang) === 'en', 'lang is not "en" after the toggle');
        const label = (await page.locator('[data-testid=nav-queue]').innerText()).trim();
        check(/^Queue/.test(label), `the queue tab reads "${label}" in English`);
        await page.reload({ waitUntil: 'load' });
        await page.locator('[data-testid=audit-table][aria-busy=false]').waitFor();
        check(await page.evaluate(() => document.documentElement.lang) === 'en', 'English was not remembered across a reload');
        await page.locator('[data-testid=lang-toggle]').tap();
        check(await page.evaluate(() => document.documentElement.lang) === 'de', 'lang is not "de" after toggling back');
    });

    await step('no console errors, CSP violations, inline handlers or styles', async () => {
        await checkClean(page, h.problems);
    });
}

runBrowser('staff.test', WATCHDOG_MS, run);
