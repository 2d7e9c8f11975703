// Black-box test of the starter library of health tips and `signet-queue tips
// import`: the shipped assets/tips/tips.json (shape, topics, months, German
// and English, card limits), malformed files refused with a message naming
// the entry and nothing imported, the import into a fresh queue (counts,
// --lang, no duplicates on re-import, months turned into schedule dates) and
// that every imported tip fits one card in landscape and portrait (the
// queue's own preview route, the kiosk's layout and fonts).
// usage: node tips.test.mjs SIGNET_QUEUE TIPS_JSON WORKDIR
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ADMIN_PASSWORD, Staff, checker, startQueue } from './queue.mjs';

const [bin, tipsFile, work] = process.argv.slice(2);
if (!bin || !tipsFile || !work) {
  console.error('usage: node tips.test.mjs SIGNET_QUEUE TIPS_JSON WORKDIR');
  process.exit(2);
}
const started = Date.now();
const t = checker('tips');
fs.rmSync(work, { recursive: true, force: true });
fs.mkdirSync(work, { recursive: true });

const REQUIRED_TOPICS = ['hand-hygiene', 'coughing', 'vaccination', 'hydration', 'heat', 'sun',
  'movement', 'nutrition', 'diabetes', 'blood-pressure', 'sleep', 'mental-health', 'medication',
  'check-ups', 'emergency'];
const LANGS = ['de', 'en'];
const chars = (s) => [...s].length;
const plain = (s) => s.replace(/\u00a0/g, ' ');

// ---- 1. the shipped library ----
const lib = JSON.parse(fs.readFileSync(tipsFile, 'utf8'));
const tips = lib.tips || [];
t.eq(lib.signet_tips, 1, 'format version 1');
t.ok(tips.length >= 40, `at least 40 tips (${tips.length})`);
t.eq(new Set(tips.map((x) => x.id)).size, tips.length, 'tip ids are unique');
for (const lang of LANGS) t.eq(new Set(tips.map((x) => x[lang] && x[lang].title)).size, tips.length, `${lang} titles are unique`);
for (const topic of REQUIRED_TOPICS) {
  const n = tips.filter((x) => x.topic === topic).length;
  t.ok(n >= 2, `topic ${topic} has several tips (${n})`);
  t.ok(lib.topics[topic] && lib.topics[topic].de && lib.topics[topic].en, `topic ${topic} has labels`);
}
const texts = [];
for (const tip of tips) {
  const w = `tip ${tip.id}`;
  t.ok(/^[a-z0-9][a-z0-9-]{0,39}$/.test(tip.id), `${w}: id shape`);
  t.ok(tip.topic in lib.topics, `${w}: topic listed`);
  t.eq(tip.reviewed_by, '', `${w}: reviewed_by left for the clinic`);
  const m = tip.months;
  t.ok(Array.isArray(m) && m.length >= 1 && m.length <= 12 && new Set(m).size === m.length &&
    m.every((x) => Number.isInteger(x) && x >= 1 && x <= 12), `${w}: months sane`, m);
  if (tip.topic === 'heat') t.ok(m.every((x) => x >= 5 && x <= 9), `${w}: heat tips in summer`, m);
  if (tip.topic === 'sun') t.ok(m.every((x) => x >= 3 && x <= 10), `${w}: sun tips April to September`, m);
  if (/grippe/i.test(tip.de.title)) t.ok(m.every((x) => x >= 9 || x <= 2), `${w}: flu tips in autumn`, m);
  t.ok(Object.keys(tip).sort().join() === 'de,en,id,months,reviewed_by,topic', `${w}: members`);
  for (const lang of LANGS) {
    const x = tip[lang];
    t.ok(x && typeof x.title === 'string' && typeof x.body === 'string' && Object.keys(x).length === 2,
      `${w}: ${lang} has title and body`);
    if (!x) continue;
    t.ok(chars(x.title) >= 3 && chars(x.title) <= 45, `${w}: ${lang}.title at most 45 characters (${chars(x.title)})`);
    t.ok(chars(x.body) >= 20 && chars(x.body) <= 220, `${w}: ${lang}.body at most 220 characters (${chars(x.body)})`);
    t.ok(x.title === x.title.trim() && x.body === x.body.trim() && !/ {2}/.test(x.body),
      `${w}: ${lang} has no stray spaces`);
    texts.push({ tip, lang, s: `${x.title}\n${x.body}` });
  }
}
const de = texts.filter((x) => x.lang === 'de');
const en = texts.filter((x) => x.lang === 'en');
t.ok(de.every((x) => !/"/.test(x.s)), 'German texts use typographic quotes only');
t.ok(de.every((x) => !/\b(du|dich|dir|dein\w*|euch|euer\w*)\b/.test(x.s)), 'German texts use the Sie form',
  de.filter((x) => /\b(du|dich|dir|dein\w*|euch|euer\w*)\b/.test(x.s)).map((x) => x.tip.id));
t.ok(de.filter((x) => /[äöüÄÖÜß]/.test(x.s)).length > de.length / 3, 'German texts have their umlauts');
t.ok(de.every((x) => !/\d\.\d/.test(x.s)) && en.every((x) => !/\d,\d/.test(x.s)),
  'decimal comma in German, decimal point in English');
t.ok(texts.every((x) => !/\d\s?(mg|µg|ml|IE|g\b)/.test(plain(x.s))), 'no dosages');
t.ok(texts.filter((x) => /\p{Extended_Pictographic}/u.test(x.s)).length <= 2, 'emoji at most rarely');
const topicText = (topic, lang) => texts.filter((x) => x.tip.topic === topic && x.lang === lang).map((x) => plain(x.s)).join('\n');
for (const lang of LANGS) {
  const em = topicText('emergency', lang);
  t.ok(/116 117/.test(em) && /\b112\b/.test(em), `${lang}: emergency tips name 116 117 and 112`);
  t.ok(!/\b(110|19222|116117)\b/.test(em), `${lang}: no other or misspelt emergency numbers`);
  const mh = topicText('mental-health', lang);
  t.ok(/0800 111 0 111/.test(mh) && /0800 111 0 222/.test(mh), `${lang}: crisis line numbers`);
}
const byId = Object.fromEntries(tips.map((x) => [x.id, x]));
const tipWith = (re, lang = 'de') => tips.find((x) => re.test(plain(`${x[lang].title} ${x[lang].body}`)));
const t116 = tipWith(/116 117/);
t.ok(t116 && /Bereitschaftsdienst/.test(t116.de.body) && /nicht lebensbedrohlich/.test(t116.de.body) &&
  /Nachts|Wochenende/.test(t116.de.body), '116 117: out-of-hours service, not life-threatening');
t.ok(tips.some((x) => x.topic === 'emergency' && /112/.test(x.de.body) && /Brust/.test(x.de.body)),
  '112: chest pain');
t.ok(tips.some((x) => x.topic === 'emergency' && /Schlaganfall/.test(x.de.title) && /112/.test(x.de.body)),
  '112: stroke signs');
t.ok(tips.some((x) => x.topic === 'emergency' && /Atemnot/.test(x.de.body) && /112/.test(x.de.body)),
  '112: severe breathing problems');
t.ok(tips.some((x) => x.topic === 'medication' && /Medikationsplan/.test(x.de.title)), 'medication plan tip');
t.ok(tips.some((x) => x.topic === 'check-ups' && /Check-up/.test(x.de.title) && /35/.test(x.de.body)),
  'Check-up 35 tip');
t.ok(tips.some((x) => x.months.length < 12 && x.months.includes(12) && x.months.includes(1)),
  'some tip runs over the year end');

// ---- helpers ----
function run(args) {
  const r = spawnSync(bin, args, { encoding: 'utf8', env: { ...process.env, TZ: 'Europe/Berlin' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
function init(dir) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const data = path.join(dir, 'data');
  const r = spawnSync(bin, ['init', '--data', data, '--admin', 'admin', '--password-stdin'],
    { input: ADMIN_PASSWORD + '\n', encoding: 'utf8' });
  t.eq(r.status, 0, `init ${dir}`);
  return data;
}
function writeLib(name, obj) {
  const p = path.join(work, name);
  fs.writeFileSync(p, typeof obj === 'string' ? obj : JSON.stringify(obj, null, 1));
  return p;
}
const copy = () => JSON.parse(JSON.stringify(lib));
async function pendingItems(q) {
  const staff = new Staff(q.base);
  t.status(await staff.login('admin', ADMIN_PASSWORD), 200, 'admin logs in');
  const r = await staff.get('/api/items?state=pending');
  t.status(r, 200, 'list pending items');
  return { staff, items: r.json ? r.json.items : [] };
}

// ---- 2. malformed files: refused, naming the entry, nothing imported ----
const dirA = path.join(work, 'a');
const dataA = init(dirA);
const last = tips[tips.length - 1].id;
const bad = [
  ['no-en', (l) => { delete l.tips.at(-1).en; }, `tip '${last}': en: missing`],
  ['month-twice', (l) => { l.tips.at(-1).months = [3, 4, 3]; }, `tip '${last}': months: 3 appears twice`],
  ['month-13', (l) => { l.tips.at(-1).months = [13]; }, `tip '${last}': months: entries must be integers 1`],
  ['unknown-member', (l) => { l.tips.at(-1).de.titel = 'x'; }, `tip '${last}': de: unknown member "titel"`],
  ['dup-id', (l) => { l.tips.at(-1).id = l.tips[0].id; }, `tip '${tips[0].id}': the id appears twice`],
  ['dup-title', (l) => { l.tips.at(-1).en.title = l.tips[1].en.title; }, `tip '${last}': en.title: the same as tip '${tips[1].id}'`],
  ['long-title', (l) => { l.tips.at(-1).en.title = 'x'.repeat(201); }, `tip '${last}': en.title: longer than 200 bytes`],
  ['long-body', (l) => { l.tips.at(-1).de.body = 'ä'.repeat(281); }, `tip '${last}': de.body: 281 characters, over the limit`],
  ['unknown-topic', (l) => { l.tips.at(-1).topic = 'astrology'; }, `tip '${last}': topic 'astrology' is not listed`],
  ['no-reviewed-by', (l) => { delete l.tips.at(-1).reviewed_by; }, `tip '${last}': reviewed_by: missing`],
];
for (const [name, mutate, want] of bad) {
  const l = copy();
  mutate(l);
  const r = run(['tips', 'import', '--data', dataA, '--file', writeLib(`bad-${name}.json`, l)]);
  t.eq(r.code, 2, `bad file ${name}: exit 2`);
  t.ok(r.err.includes(want) && r.err.includes(`bad-${name}.json`), `bad file ${name}: says what is wrong`, r.err);
  t.eq(r.out, '', `bad file ${name}: imports nothing`);
}
{
  const r = run(['tips', 'import', '--data', dataA, '--file', writeLib('bad-syntax.json', '{"signet_tips": 1, "tips": [')]);
  t.ok(r.code === 2 && /bad-syntax\.json: JSON/.test(r.err), 'truncated JSON refused', r.err);
  const dup = run(['tips', 'import', '--data', dataA, '--file',
    writeLib('bad-dupkey.json', '{"signet_tips": 1, "signet_tips": 1, "topics": {}, "tips": []}')]);
  t.ok(dup.code === 2 && /duplicate key/.test(dup.err), 'duplicate JSON key refused', dup.err);
  const lang = run(['tips', 'import', '--data', dataA, '--file', tipsFile, '--lang', 'fr']);
  t.ok(lang.code === 2 && /--lang must be de, en or both/.test(lang.err), '--lang fr refused', lang.err);
  const as = run(['tips', 'import', '--data', dataA, '--file', tipsFile, '--as', 'nobody']);
  t.ok(as.code === 2 && /--as nobody: no such user/.test(as.err), '--as unknown user refused', as.err);
  const help = run(['tips', 'import', '--help']);
  t.ok(help.code === 0 && /months/.test(help.out) && /--lang/.test(help.out), 'tips import --help', help);
  t.eq(run(['tips']).code, 2, 'tips without import: usage');
}

// ---- 3. import, --lang, re-import ----
const N = tips.length;
{
  let r = run(['tips', 'import', '--data', dataA, '--file', tipsFile, '--lang', 'de']);
  t.ok(r.code === 0 && r.out.includes(`Imported ${N} tips as pending items (${N} de, 0 en)`), 'import --lang de', r);
  r = run(['tips', 'import', '--data', dataA, '--file', tipsFile]);
  t.ok(r.code === 0 && r.out.includes(`Imported ${N} tips as pending items (0 de, ${N} en); skipped ${N} already imported`),
    'import both: only English is new', r);
  r = run(['tips', 'import', '--data', dataA, '--file', tipsFile, '--as', 'admin']);
  t.ok(r.code === 0 && r.out.includes(`Imported 0 tips`) && r.out.includes(`skipped ${2 * N} already imported`),
    're-import adds nothing', r);
}

// ---- 4. the imported items, and each one on a card ----
let q = await startQueue(bin, dirA, { init: false });
try {
  const { staff, items } = await pendingItems(q);
  t.eq(items.length, 2 * N, `${2 * N} pending items`);
  const keys = new Set();
  for (const it of items) {
    const rv = it.latest;
    const tip = tips.find((x) => x[rv.lang] && x[rv.lang].title === rv.title);
    keys.add(`${tip && tip.id}:${rv.lang}`);
    t.ok(tip && it.kind === 'tip' && rv.body === tip[rv.lang].body && rv.state === 'pending',
      `item ${rv.title}: a pending tip with the library's text`);
    if (!tip) continue;
    const prefix = rv.lang === 'de' ? 'Signet-Gesundheitstipp · ' : 'Signet health tip · ';
    t.eq(rv.source, prefix + lib.topics[tip.topic][rv.lang], `item ${tip.id}:${rv.lang}: source`);
    t.ok(rv.author === undefined || rv.author === null, `item ${tip.id}:${rv.lang}: no author while unreviewed`);
    const dates = rv.schedule && rv.schedule.dates;
    t.ok(tip.months.length === 12 ? !rv.schedule : !!(dates && dates.from <= dates.until),
      `item ${tip.id}:${rv.lang}: schedule follows the months`, rv.schedule);
  }
  t.eq(keys.size, 2 * N, 'every tip in both languages, once');

  const shrunk = { landscape: [], portrait: [] };
  for (const it of items) {
    for (const [name, w, h] of [['landscape', 1920, 1080], ['portrait', 1080, 1920]]) {
      const r = await staff.get(`/api/items/${it.id}/revisions/1/preview?w=${w}&h=${h}`);
      t.ok(r.status === 200 && r.json && r.json.fits === true,
        `${it.latest.lang} "${it.latest.title}" fits a ${w}x${h} card`, r.json || r.status);
      if (r.json && r.json.min_size) shrunk[name].push(`${it.latest.lang}: ${it.latest.title}`);
    }
  }
  for (const name of Object.keys(shrunk)) {
    console.log(`tips: ${shrunk[name].length} of ${items.length} shrank to the minimum size (${name})` +
      (shrunk[name].length ? `: ${shrunk[name].join('; ')}` : ''));
  }
  const au = await staff.get('/api/audit?limit=500');
  t.ok(au.status === 200 && au.json.chain_ok === true, 'audit chain intact');
  const actions = (au.json.rows || []).map((x) => x.action);
  t.eq(actions.filter((x) => x === 'tip.import').length, 2 * N, 'each import recorded (tip.import)');
  t.eq(actions.filter((x) => x === 'item.create').length, 2 * N, 'each item created through the store (item.create)');
} finally {
  await q.stop();
}
t.ok(/audit chain ok/.test(run(['audit', 'verify', '--data', dataA]).out), 'audit verify after the import');

// ---- 5. months to schedule dates, seen from a given day ----
const year = new Date().getFullYear() + 1;
const pad = (n) => String(n).padStart(2, '0');
const day = (y, m, d) => `${y}-${pad(m)}-${pad(d)}`;
const lastDay = (y, m) => day(y, m, new Date(Date.UTC(y, m, 0)).getUTCDate());
const small = {
  signet_tips: 1,
  topics: { heat: lib.topics.heat, coughing: lib.topics.coughing, sleep: lib.topics.sleep },
  tips: [
    { id: 'all-year', topic: 'sleep', months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], reviewed_by: 'Dr. med. Erika Muster',
      de: { title: 'Ganzjährig', body: 'Ein Tipp für das ganze Jahr.' }, en: { title: 'All year', body: 'A tip for the whole year.' } },
    { id: 'summer', topic: 'heat', months: [8, 6, 7], reviewed_by: '',
      de: { title: 'Sommer', body: 'Ein Tipp für den Sommer.' }, en: { title: 'Summer', body: 'A tip for the summer.' } },
    { id: 'cold', topic: 'coughing', months: [10, 11, 12, 1, 2, 3], reviewed_by: '',
      de: { title: 'Erkältungszeit', body: 'Ein Tipp für den Winter.' }, en: { title: 'Cold season', body: 'A tip for winter.' } },
    { id: 'clock', topic: 'sleep', months: [3, 10], reviewed_by: '',
      de: { title: 'Zeitumstellung', body: 'Ein Tipp für März und Oktober.' }, en: { title: 'Clock change', body: 'A tip for March and October.' } },
    { id: 'feb', topic: 'sleep', months: [2], reviewed_by: '',
      de: { title: 'Februar', body: 'Ein Tipp für den Februar.' }, en: { title: 'February', body: 'A tip for February.' } },
  ],
};
const smallFile = writeLib('small.json', small);
const cases = [
  // [today (month, day), expected dates per tip id (null: no schedule)]
  [[7, 15], { 'all-year': null, summer: [day(year, 7, 15), lastDay(year, 8)],
    cold: [day(year, 10, 1), lastDay(year + 1, 3)], clock: [day(year, 10, 1), lastDay(year, 10)],
    feb: [day(year + 1, 2, 1), lastDay(year + 1, 2)] }],
  [[1, 20], { 'all-year': null, summer: [day(year, 6, 1), lastDay(year, 8)],
    cold: [day(year, 1, 20), lastDay(year, 3)], clock: [day(year, 3, 1), lastDay(year, 3)],
    feb: [day(year, 2, 1), lastDay(year, 2)] }],
  [[12, 31], { 'all-year': null, summer: [day(year + 1, 6, 1), lastDay(year + 1, 8)],
    cold: [day(year, 12, 31), lastDay(year + 1, 3)], clock: [day(year + 1, 3, 1), lastDay(year + 1, 3)],
    feb: [day(year + 1, 2, 1), lastDay(year + 1, 2)] }],
];
for (const [[m, d], want] of cases) {
  const dir = path.join(work, `months-${m}-${d}`);
  const data = init(dir);
  // Noon in Berlin on that day: the offset --clock-offset shifts "today" by.
  const target = Date.UTC(year, m - 1, d, 11, 0, 0) / 1000;
  const offset = Math.round(target - Date.now() / 1000);
  const r = run(['tips', 'import', '--data', data, '--file', smallFile, '--clock-offset', String(offset)]);
  t.ok(r.code === 0 && r.out.includes('Imported 10 tips'), `import seen from ${day(year, m, d)}`, r);
  q = await startQueue(bin, dir, { init: false });
  try {
    const { items } = await pendingItems(q);
    t.eq(items.length, 10, `${day(year, m, d)}: 10 items`);
    for (const it of items) {
      const rv = it.latest;
      const tip = small.tips.find((x) => x[rv.lang].title === rv.title);
      const got = rv.schedule ? [rv.schedule.dates.from, rv.schedule.dates.until] : null;
      t.eq(JSON.stringify(got), JSON.stringify(want[tip.id]), `${day(year, m, d)}: ${tip.id} (${rv.lang}) dates`);
      t.eq(rv.author || null, tip.reviewed_by || null, `${tip.id} (${rv.lang}): author is reviewed_by when filled`);
    }
  } finally {
    await q.stop();
  }
}

console.log(`tips: ${N} tips, ${new Set(tips.map((x) => x.topic)).size} topics, ${2 * N} texts; ` +
  `${((Date.now() - started) / 1000).toFixed(1)} s`);
t.done();
