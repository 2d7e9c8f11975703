// Drives the staff page's ingest side in Debian's Chromium, phone sized:
// a held post (a blocked word) is approved only after "I have read the
// reason" is ticked, and then with release_hold (audited on its own); a
// webhook and an RSS source are added through the page (the webhook's token
// is shown once), edited and paused; "approve several" picks all tips, then
// everything, and sends them in chunks of at most 200, reporting the one
// that failed. Also: English labels, no console error, no CSP violation.
//
// usage: node sources.test.mjs --base http://127.0.0.1:PORT --user admin
//            --password-file FILE --artifacts DIR [--chromium /usr/bin/chromium]
// Expects the server tests/queue/browser_sources.test.mjs starts: the German
// blocklist, a screen, the starter tips pending, and a webhook source
// "Website" whose batch brought two held posts, one with a content warning
// and ordinary ones. Exit status: 0 pass, 1 fail, 2 usage.
import net from 'node:net';
import path from 'node:path';
import { apiGet as apiGetAt, apiPost as apiPostAt, check, checkClean, login, q, runBrowser, until, waitLoaded } from './harness.mjs';

const WATCHDOG_MS = 240000;
const BATCH_MAX = 200;
const POLL_WAIT_MS = 20000;
const TOKEN_RE = /^\d+\.[0-9a-f]{64}$/;

/* A loopback port nobody listens on: the RSS source's feed fails there. */
function closedPort() {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.once('error', reject);
        s.listen(0, '127.0.0.1', () => {
            const { port } = s.address();
            s.close(() => resolve(port));
        });
    });
}

async function run(page, h) {
    const { opt, step } = h;
    const apiGet = (p) => apiGetAt(page, opt.base, p);
    const apiPost = (p, body) => apiPostAt(page, opt.base, p, body);
    const shot = (name) => page.screenshot({ path: path.join(opt.artifacts, name) });
    /* Screenshots without a toast over them. */
    const calm = () => page.waitForFunction(() => getComputedStyle(document.getElementById('toast')).opacity === '0', null, { timeout: 6000 });
    const pending = async () => (await apiGet('/api/items?state=pending')).items.filter((it) => it.latest.state === 'pending');
    const card = (name) => page.locator(`[data-testid=source-card][data-name=${q(name)}]`);
    let heldId = null;

    await step('log in', async () => {
        const res = await page.goto(opt.base + '/', { waitUntil: 'load' });
        check(res && res.ok(), `GET / answered ${res ? res.status() : 'nothing'}`);
        await login(page, h);
    });

    await step('queue cards show held posts, content warnings and their source', async () => {
        const held = page.locator('[data-testid=queue-card][data-held="1"]');
        check(await held.count() === 2, `${await held.count()} held cards, want 2`);
        const first = page.locator('[data-testid=queue-card][data-held="1"]', { hasText: 'Neue Sprechzeiten' });
        heldId = await first.getAttribute('data-item-id');
        const box = first.locator('[data-testid=card-held]');
        check(await box.isVisible(), 'the held card has no visible held box');
        const text = await box.innerText();
        check(/Zurückgehalten: gesperrtes Wort/.test(text) && /Scheiße/i.test(text), `the held box reads "${text}"`);
        check(await first.locator('[data-testid=approve]').count() === 0, 'a held card offers the plain approve button');
        const anyway = (await first.locator('[data-testid=approve-anyway]').innerText()).trim();
        check(/^Trotzdem freigeben/.test(anyway), `the held card's approve button reads "${anyway}"`);
        const origin = await first.locator('[data-testid=card-origin]').innerText();
        check(/Quelle „Website“/.test(origin), `the card's origin reads "${origin}"`);
        const cw = page.locator('[data-testid=queue-card]', { hasText: 'Zeckenzeit' });
        const notes = await cw.locator('[data-testid=card-notes]').innerText();
        check(/Inhaltswarnung: Fotos von Hautausschlag/.test(notes) && /Als sensibel markiert/.test(notes), `the notes box reads "${notes}"`);
        check(await cw.locator('[data-testid=approve]').count() === 1, 'a post with a content warning lacks its approve button');

        await first.evaluate((el) => el.scrollIntoView({ block: 'start' }));
        await page.evaluate(() => window.scrollBy(0, -130)); /* under the sticky header */
        await page.waitForFunction((id) => {
            const i = document.querySelector(`[data-testid=queue-card][data-item-id="${id}"] [data-testid=preview]`);
            return i && i.complete;
        }, heldId);
        await shot('held-390x844.png');
    });

    await step('"approve anyway" needs the tick, then sends release_hold', async () => {
        const first = page.locator(`[data-testid=queue-card][data-item-id=${q(heldId)}]`);
        const approvals = [];
        const onReq = (r) => {
            if (r.method() === 'POST' && new URL(r.url()).pathname === `/api/items/${heldId}/approve`) approvals.push(r.postDataJSON());
        };
        page.on('request', onReq);
        await first.locator('[data-testid=approve-anyway]').tap();
        const sheet = page.locator('[data-testid=approve-sheet]');
        await sheet.waitFor();
        check(await sheet.locator('[data-testid=approve-held]').isVisible(), 'the sheet does not repeat why the post is held');
        const ack = sheet.locator('[data-testid=release-ack]');
        check(!(await ack.isChecked()), 'the "I have read the reason" box starts ticked');
        check(await page.evaluate(() => document.activeElement && document.activeElement.dataset.testid) === 'release-ack', 'the sheet does not focus the tick box');
        await shot('approve-anyway-390x844.png');
        await sheet.locator('[data-testid=approve-confirm]').tap();
        const err = sheet.locator('.sheet-error');
        await err.waitFor({ state: 'visible' });
        check(/Grund gelesen/.test(await err.innerText()), `the sheet says "${await err.innerText()}"`);
        check(approvals.length === 0, 'the page sent the approval without the tick');
        let r = await apiGet(`/api/items/${encodeURIComponent(heldId)}`);
        check(r.item.latest.state === 'pending', `without the tick the item became ${r.item.latest.state}`);

        await ack.tap();
        await sheet.locator('[data-testid=approve-confirm]').tap();
        await first.waitFor({ state: 'detached' });
        page.off('request', onReq);
        check(approvals.length === 1 && approvals[0].release_hold === true, `the approval sent ${JSON.stringify(approvals)}`);
        r = await apiGet(`/api/items/${encodeURIComponent(heldId)}`);
        check(r.item.latest.state === 'approved', `the server says the held item is ${r.item.latest.state}`);
        check(!r.item.latest.held, 'the hold is still set after the release');
        const audit = await apiGet('/api/audit?limit=50');
        const row = audit.rows.find((x) => x.action === 'item.release_hold' && String(x.object).includes(heldId));
        check(row && row.actor === opt.user, `no audit row item.release_hold by ${opt.user} for ${heldId}`);
    });

    await step('add a webhook source through the page; its token is shown once', async () => {
        await page.locator('[data-testid=nav-sources]').tap();
        await waitLoaded(page, 'sources-list');
        const seeded = card('Website');
        check(await seeded.count() === 1, 'the seeded webhook "Website" is not listed');
        check(await seeded.getAttribute('data-kind') === 'webhook', 'the seeded source is not a webhook');
        check(/Token vergeben/.test(await seeded.locator('[data-testid=source-has-token]').innerText()), 'the webhook card does not say its token is set');
        const website = (await apiGet('/api/sources')).sources.find((x) => x.name === 'Website');
        const posts = await seeded.locator('[data-testid=source-posts]').innerText();
        check(website.posts_24h > 0 && posts.startsWith(`${website.posts_24h} neue Beiträge`), `the webhook card counts "${posts}", the server ${website.posts_24h}`);

        await page.locator('[data-testid=source-add-open]').tap();
        const form = page.locator('[data-testid=source-add-form]');
        const kind = form.locator('[data-testid=source-kind]');
        /* each kind shows its own fields */
        await kind.selectOption('mastodon');
        check(await form.locator('[data-testid=source-instance]').isVisible() && await form.locator('[data-testid=source-account]').isVisible(), 'Mastodon does not ask for server and account');
        check(await form.locator('[data-testid=source-account]').getAttribute('placeholder') === '@praxis@social.example', 'the account field has no example handle');
        check(await form.locator('[data-testid=source-feed-url]').isHidden(), 'Mastodon shows the feed field');
        await kind.selectOption('bluesky');
        check(await form.locator('[data-testid=source-handle]').isVisible(), 'Bluesky does not ask for the handle');
        const appview = form.locator('[data-testid=source-appview]');
        check(await appview.isHidden(), 'the AppView address is not tucked under "advanced"');
        check(await appview.inputValue() === 'https://public.api.bsky.app', `the AppView defaults to "${await appview.inputValue()}"`);
        await kind.selectOption('webhook');
        check(await form.locator('[data-testid=source-poll-minutes]').isHidden(), 'a webhook shows a poll interval');
        check(await form.locator('[data-testid=source-handle]').isHidden() && await form.locator('[data-testid=source-feed-url]').isHidden(), 'a webhook shows address fields');
        await form.locator('[data-testid=source-name]').fill('Newsletter');
        await form.locator('[data-testid=source-add-submit]').tap();

        const box = page.locator('[data-testid=source-token-box]');
        await box.waitFor();
        const token = (await box.locator('[data-testid=secret]').innerText()).trim();
        check(TOKEN_RE.test(token), `the shown token "${token}" is not <id>.<hex>`);
        const howto = await box.locator('[data-testid=source-howto]').innerText();
        check(howto.includes('Authorization: Bearer') && howto.includes('/api/ingest'), `the how-to reads "${howto}"`);
        check(!howto.includes(token), 'the how-to repeats the secret');
        await box.evaluate((el) => el.scrollIntoView({ block: 'center' }));
        await calm();
        await shot('sources-token-390x844.png');
        await card('Newsletter').waitFor();
        check(await card('Newsletter').getAttribute('data-kind') === 'webhook', 'the new source is not a webhook');

        const res = await page.request.post(opt.base + '/api/ingest', {
            headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, data: { posts: [] } });
        check(res.status() === 202, `the shown token does not work: POST /api/ingest → HTTP ${res.status()}`);
        const list = await apiGet('/api/sources');
        check(list.sources.every((s) => !('token' in s)), 'GET /api/sources hands out a token');
        await page.reload({ waitUntil: 'load' });
        await waitLoaded(page, 'sources-list');
        await card('Newsletter').waitFor();
        check(await page.locator('[data-testid=secret]').count() === 0, 'the token is shown again after a reload');
    });

    await step('add an RSS source with rules through the page', async () => {
        const port = await closedPort();
        const url = `http://127.0.0.1:${port}/feed.xml`;
        await page.locator('[data-testid=source-add-open]').tap();
        const form = page.locator('[data-testid=source-add-form]');
        check(await form.locator('[data-testid=source-kind]').inputValue() === 'rss', 'the kind does not start at RSS');
        await form.locator('[data-testid=source-name]').fill('Praxisblog');
        await form.locator('[data-testid=source-feed-url]').fill(url);
        await form.locator('[data-testid=source-poll-minutes]').fill('30');
        await form.locator('[data-testid=source-lang]').selectOption('de');
        const auto = form.locator('[data-testid=source-auto]');
        const block = form.locator('[data-testid=source-blocklist]');
        check(!(await auto.isChecked()), 'auto-approve starts ticked');
        check(await block.isChecked(), 'the blocklist does not start ticked');
        const autoHint = await page.locator(`#${await auto.getAttribute('aria-describedby')}`).innerText();
        check(/nur für eigene Konten der Praxis/i.test(autoHint) && /Inhaltswarnungen/.test(autoHint), `auto-approve is explained as "${autoHint}"`);
        await auto.tap();
        await form.locator('[data-testid=source-cap]').fill('5');
        await form.locator('fieldset.rules-set').evaluate((el) => el.scrollIntoView({ block: 'center' }));
        await shot('sources-add-390x844.png');
        await form.locator('[data-testid=source-add-submit]').tap();

        const c = card('Praxisblog');
        await c.waitFor();
        check(await page.locator('[data-testid=source-token-box]').count() === 0, 'a token box is shown for an RSS source (or the webhook\'s stayed)');
        check(/RSS\/Atom-Feed/.test(await c.locator('[data-testid=source-kind]').innerText()), 'the card does not name the kind');
        check((await c.locator('[data-testid=source-where]').innerText()).includes(url), 'the card does not show the feed address');
        const rules = await c.locator('[data-testid=source-rules]').innerText();
        check(/Automatisch freigeben: ja/.test(rules) && /Sperrliste: an/.test(rules) && /Höchstens 5 Beiträge pro Tag/.test(rules), `the rules read "${rules}"`);
        check(/Abruf alle 30 Minuten/.test(await c.innerText()), 'the card does not show the poll interval');
        const s = (await apiGet('/api/sources')).sources.find((x) => x.name === 'Praxisblog');
        check(s && s.kind === 'rss' && s.url === url && s.poll_minutes === 30 && s.lang === 'de' && s.auto_approve === true &&
            s.use_blocklist === true && s.daily_cap === 5 && s.enabled === true, `the server has ${JSON.stringify(s)}`);
    });

    await step('"poll now" and the last error shown as a warning', async () => {
        const c = card('Praxisblog');
        await c.locator('[data-testid=source-poll]').tap();
        await until(page, 'sources-refresh', 'sources-list', async () => await c.locator('[data-testid=source-error]').count() > 0, POLL_WAIT_MS,
            'the failed poll did not show up as the last error');
        const err = await c.locator('[data-testid=source-error]').innerText();
        check(/^Letzter Fehler: /.test(err), `the error reads "${err}"`);
        check(/Zuletzt abgerufen: /.test(await c.locator('[data-testid=source-lastpoll]').innerText()), 'the card does not say when it was polled');
        await page.evaluate(() => window.scrollTo(0, 0));
        await calm();
        await shot('sources-390x844.png');
        await c.evaluate((el) => el.scrollIntoView({ block: 'start' }));
        await page.evaluate(() => window.scrollBy(0, -130));
        await shot('sources-rss-390x844.png');
    });

    await step('edit a source in its sheet, then pause it', async () => {
        const c = card('Praxisblog');
        await c.locator('[data-testid=source-edit]').tap();
        const sheet = page.locator('[data-testid=source-edit-sheet]');
        await sheet.waitFor();
        check(await sheet.locator('[data-testid=source-kind]').count() === 0, 'the edit sheet lets the kind change');
        check(await sheet.locator('[data-testid=source-cap]').inputValue() === '5', 'the edit sheet lost the daily cap');
        await sheet.locator('[data-testid=source-poll-minutes]').fill('60');
        await sheet.locator('[data-testid=source-edit-save]').tap();
        await sheet.waitFor({ state: 'detached' });
        await waitLoaded(page, 'sources-list');
        await page.waitForFunction(() => /Abruf alle 60 Minuten/.test(document.querySelector('[data-testid=source-card][data-name="Praxisblog"]')?.textContent || ''));
        await card('Praxisblog').locator('[data-testid=source-toggle]').tap();
        await page.locator('[data-testid=source-card][data-name="Praxisblog"][data-enabled="0"]').waitFor();
        check(/Pausiert/.test(await card('Praxisblog').locator('[data-testid=source-enabled]').innerText()), 'a paused source does not say so');
        check(await card('Praxisblog').locator('[data-testid=source-poll]').isDisabled(), 'a paused source can be polled');
        const s = (await apiGet('/api/sources')).sources.find((x) => x.name === 'Praxisblog');
        check(s.enabled === false && s.poll_minutes === 60 && s.daily_cap === 5 && s.auto_approve === true, `the server has ${JSON.stringify(s)}`);
    });

    await step('approve several: all tips, then everything, in chunks of at most 200', async () => {
        await page.locator('[data-testid=nav-queue]').tap();
        await waitLoaded(page, 'queue-list');
        const before = await pending();
        const tips = before.filter((it) => it.kind === 'tip' && !it.latest.held).length;
        const selectable = before.filter((it) => !it.latest.held);
        check(tips >= 100, `only ${tips} pending tips; the test expects the starter library`);
        check(selectable.length > BATCH_MAX, `only ${selectable.length} approvable items; the test needs more than ${BATCH_MAX}`);

        await page.locator('[data-testid=batch-toggle]').tap();
        await page.locator('[data-testid=batch-tools]').waitFor();
        check(await page.locator('[data-testid=queue-card][data-held="1"] [data-testid=batch-check]').count() === 0, 'a held card can be picked');
        await page.locator('[data-testid=batch-select-tips]').tap();
        const count = page.locator('[data-testid=batch-count]');
        check((await count.innerText()).trim() === `${tips} ausgewählt`, `after "all tips": "${await count.innerText()}", want ${tips}`);
        const kinds = await page.locator('[data-testid=batch-check]:checked').evaluateAll((els) => els.map((e) => e.closest('[data-testid=queue-card]').dataset.kind));
        check(kinds.length === tips && kinds.every((k) => k === 'tip'), `"all tips" picked ${kinds.length} cards of kinds ${[...new Set(kinds)]}`);
        await page.locator('[data-testid=batch-select-all]').tap();
        check((await count.innerText()).trim() === `${selectable.length} ausgewählt`, `after "all": "${await count.innerText()}", want ${selectable.length}`);
        check((await page.locator('[data-testid=batch-approve]').innerText()).trim() === `${selectable.length} freigeben`, 'the approve button does not say how many');
        await calm();
        await shot('batch-390x844.png');

        /* One picked item gets a new revision meanwhile: the batch must
         * report it instead of approving a text nobody saw. */
        const stale = selectable.find((it) => it.kind === 'post' && /^Praxisnachricht/.test(it.latest.title));
        await apiPost(`/api/items/${encodeURIComponent(stale.id)}/revisions`, { kind: 'post', title: stale.latest.title + ' (neu)', body: 'Geänderter Text.' });

        const sent = [];
        const onReq = (r) => {
            if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/items/approve') sent.push(r.postDataJSON().items.length);
        };
        page.on('request', onReq);
        await page.locator('[data-testid=batch-approve]').tap();
        const sheet = page.locator('[data-testid=batch-sheet]');
        await sheet.waitFor();
        await sheet.locator('[data-testid=batch-confirm]').tap();
        await page.locator('[data-testid=batch-result]').waitFor();
        page.off('request', onReq);
        const done = (await page.locator('[data-testid=batch-done]').innerText()).trim();
        check(done === `${selectable.length - 1} freigegeben`, `the result says "${done}", want ${selectable.length - 1}`);
        const errors = await page.locator('[data-testid=batch-error]').allInnerTexts();
        check(errors.length === 1 && errors[0].startsWith(stale.latest.title + ':'), `per-item errors: ${JSON.stringify(errors)}`);
        check(sent.length === Math.ceil(selectable.length / BATCH_MAX) && sent.every((n) => n <= BATCH_MAX) &&
            sent.reduce((a, b) => a + b, 0) === selectable.length, `the page sent batches of ${JSON.stringify(sent)}`);
        await waitLoaded(page, 'queue-list');
        const after = await pending();
        check(after.length === 2, `${after.length} items still pending, want 2 (the other held post and the revised one)`);
        check(after.some((it) => it.latest.held) && after.some((it) => it.id === stale.id), 'the wrong items are still pending');
        check(await page.locator('[data-testid=queue-card]').count() === 2, 'the queue does not show the two items left');
        check(await page.locator('[data-testid=batch-bar]').isHidden(), 'the batch bar stays after approving');
        process.stdout.write(`  ${tips} tips, ${selectable.length} picked, batches ${JSON.stringify(sent)}\n`);
    });

    await step('the sources view in English', async () => {
        await page.locator('[data-testid=nav-sources]').tap();
        await waitLoaded(page, 'sources-list');
        await page.locator('[data-testid=lang-toggle]').tap();
        await waitLoaded(page, 'sources-list');
        check((await page.locator('[data-testid=nav-sources]').innerText()).trim() === 'Sources', 'the sources tab is not "Sources" in English');
        check((await page.locator('[data-testid=source-add-open]').innerText()).trim() === 'Add source', 'the add form is not in English');
        check(/Paused/.test(await card('Praxisblog').locator('[data-testid=source-enabled]').innerText()), 'the paused state is not in English');
        check(/Approve automatically: yes/.test(await card('Praxisblog').locator('[data-testid=source-rules]').innerText()), 'the rules are not in English');
        await page.locator('[data-testid=lang-toggle]').tap();
        check(await page.evaluate(() => document.documentElement.lang) === 'de', 'lang is not "de" after toggling back');
    });

    await step('no console errors, CSP violations, inline handlers or styles', async () => {
        await checkClean(page, h.problems);
    });
}

runBrowser('sources.test', WATCHDOG_MS, run);
