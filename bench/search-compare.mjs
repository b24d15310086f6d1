// factsheet's search against Pagefind on the same build, in Debian's Chromium: bytes fetched for
// a first query, query time (median of 30 after a warm-up), the first result of each query in
// both languages, and whether each works from file://. Not part of CI: Pagefind is fetched from
// npm only for this comparison. The numbers are in BENCHMARKS.md.
//
//   cargo build --release && target/release/factsheet build --output-dir /tmp/cmp-site
//   (mkdir -p /tmp/pf && cd /tmp/pf && npm install pagefind)   # Pagefind 1.x, binary via npm
//   /tmp/pf/node_modules/.bin/pagefind --site /tmp/cmp-site
//   (cd tests/browser && npm ci) && node bench/search-compare.mjs /tmp/cmp-site
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(pathToFileURL(path.resolve('tests/browser/package.json')).href);
const { chromium } = require('playwright-core');
const { startServer } = await import(pathToFileURL(path.resolve('tests/browser/lib/server.mjs')).href);

const siteDir = path.resolve(process.argv[2] ?? '/tmp/cmp-site');
const RUNS = 30;
const QUERIES = {
  en: ['bladder', 'ketamine', 'risks', 'esketamine nasal spray'],
  uk: ['кетамін', 'кетаміну', 'сечового міхура', 'передозуванням', 'обовʼязково', 'залежності'],
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const server = await startServer({ siteDir, basePath: '/' });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});

/** Opens `url`, counts the bytes of every response after `mark()`. */
async function open(url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const log = [];
  page.on('response', async (res) => {
    try {
      log.push({ url: res.url(), bytes: (await res.body()).length });
    } catch { /* redirects have no body */ }
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, log, close: () => context.close() };
}

// factsheet: type into the box; the results are in the DOM when the input event returns.
async function ours(lang) {
  const { page, log, close } = await open(`${server.baseUrl}${lang === 'en' ? '' : 'uk/'}about/`);
  await page.fill('#search-input', QUERIES[lang][0]);
  await page.locator('.search-results a').first().waitFor();
  await page.waitForLoadState('networkidle');
  const bytes = log.filter((r) => /\/search(-index\.\w+)?\.js$/.test(r.url)).reduce((n, r) => n + r.bytes, 0);
  const rows = [];
  for (const q of QUERIES[lang]) {
    const times = await page.evaluate(({ q, runs }) => {
      const input = document.querySelector('#search-input');
      const out = [];
      for (let i = 0; i < runs + 3; i++) {
        input.value = i % 2 ? q : `${q} `;
        const t0 = performance.now();
        input.dispatchEvent(new Event('input'));
        out.push(performance.now() - t0);
      }
      input.value = q;
      input.dispatchEvent(new Event('input'));
      return out.slice(3);
    }, { q, runs: RUNS });
    const first = await page.evaluate(() => {
      const a = document.querySelector('.search-results a');
      return a ? `${a.getAttribute('href')} (${[...a.children].map((s) => s.textContent).join(' › ')})` : '(none)';
    });
    const count = await page.locator('.search-results li').count();
    rows.push({ q, ms: median(times), count, first });
  }
  await close();
  return { bytes, rows };
}

// Pagefind: its JS API, with the data (URL, title, excerpt) of the first ten results loaded,
// which is what its UI shows.
async function pagefind(lang) {
  const { page, log, close } = await open(`${server.baseUrl}${lang === 'en' ? '' : 'uk/'}about/`);
  await page.evaluate(async (q) => {
    window.pf = await import('/pagefind/pagefind.js');
    await window.pf.init();
    const r = await window.pf.search(q);
    await Promise.all(r.results.slice(0, 10).map((x) => x.data()));
  }, QUERIES[lang][0]);
  await page.waitForLoadState('networkidle');
  const bytes = log.filter((r) => r.url.includes('/pagefind/')).reduce((n, r) => n + r.bytes, 0);
  const rows = [];
  for (const q of QUERIES[lang]) {
    const { times, count, first } = await page.evaluate(async ({ q, runs }) => {
      const times = [];
      let r;
      for (let i = 0; i < runs + 3; i++) {
        const t0 = performance.now();
        r = await window.pf.search(q);
        await Promise.all(r.results.slice(0, 10).map((x) => x.data()));
        times.push(performance.now() - t0);
      }
      const top = r.results[0] ? await r.results[0].data() : null;
      return {
        times: times.slice(3),
        count: r.results.length,
        first: top ? `${top.url} (${top.meta.title}${top.sub_results?.[0] ? ` › ${top.sub_results[0].title}` : ''})` : '(none)',
      };
    }, { q, runs: RUNS });
    rows.push({ q, ms: median(times), count, first });
  }
  await close();
  return { bytes, rows };
}

// file://: does a query give a result when the page is opened from disk?
async function fromFile(kind) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(pathToFileURL(path.join(siteDir, 'about/index.html')).href);
  let ok;
  try {
    if (kind === 'factsheet') {
      await page.fill('#search-input', 'bladder');
      ok = await page.locator('.search-results a').first().waitFor({ timeout: 5000 }).then(() => true, () => false);
    } else {
      ok = await page.evaluate(async (url) => {
        try {
          const pf = await import(url);
          await pf.init();
          return (await pf.search('bladder')).results.length > 0;
        } catch {
          return false;
        }
      }, pathToFileURL(path.join(siteDir, 'pagefind/pagefind.js')).href);
    }
  } finally {
    await context.close();
  }
  return ok ? 'works' : `fails (${errors[0] ?? 'no result'})`;
}

for (const lang of ['en', 'uk']) {
  for (const [name, run] of [['factsheet', ours], ['Pagefind', pagefind]]) {
    const { bytes, rows } = await run(lang);
    console.log(`\n${name} ${lang}: ${(bytes / 1024).toFixed(1)} KiB fetched for the first query`);
    for (const r of rows) console.log(`  ${r.q.padEnd(24)} ${r.ms.toFixed(2).padStart(7)} ms  ${String(r.count).padStart(3)} results  first: ${r.first}`);
  }
}
console.log(`\nfile://: factsheet ${await fromFile('factsheet')}; Pagefind ${await fromFile('pagefind')}`);
await browser.close();
await server.close();
