// Bytes a first search query loads: opens a built site's page from file:// in Chromium,
// types a query into the search box, waits for the results, and sums the files the page
// loaded for the search index, not search.js itself (raw and gzip -9 sizes, as a server compressing them would send).
//
// usage: node bench/search-bytes.mjs OUTPUT_DIR PAGE QUERY [QUERY...]
//   e.g. node bench/search-bytes.mjs /tmp/c1000/public uk/ 'кетаміну'
// Needs tests/browser/node_modules (see tests/browser/README.md) and /usr/bin/chromium.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const require = createRequire(new URL('../tests/browser/package.json', import.meta.url));
const { chromium } = require('playwright-core');
const [out, from, ...queries] = process.argv.slice(2);
if (!out || from === undefined || !queries.length) {
  console.error('usage: node bench/search-bytes.mjs OUTPUT_DIR PAGE QUERY [QUERY...]');
  process.exit(2);
}
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true });
try {
  for (const query of queries) {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(path.join(path.resolve(out), from, 'index.html')).href);
    await page.locator('.search-toggle').click();
    await page.getByRole('searchbox').fill(query);
    await page.locator('#search-status').filter({ hasText: /\S/ }).waitFor({ timeout: 120_000 });
    const status = await page.locator('#search-status').textContent();
    const results = await page.evaluate(() => [...document.querySelectorAll('.search-results a')].map((a) => a.getAttribute('href')));
    // The index's scripts stay in the head once loaded (Chromium keeps no resource timing
    // for file://).
    const files = (await page.evaluate(() => [...document.querySelectorAll('script[src]')].map((s) => s.src)))
      .filter((u) => /search-index/.test(u));
    let raw = 0;
    let gz = 0;
    for (const u of files) {
      const bytes = readFileSync(fileURLToPath(u));
      raw += bytes.length;
      gz += gzipSync(bytes, { level: 9 }).length;
    }
    const names = files.map((u) => path.relative(path.resolve(out), fileURLToPath(u)));
    console.log(JSON.stringify({ query, status, results, files: names.length, raw, gzip: gz, names }));
    await page.close();
  }
} finally {
  await browser.close();
}
