// The offline copy (`factsheet build --offline`) opened from file://, as from a USB stick: starting
// at both home pages, every link of every page is followed. Each must open a file of the copy
// (never a folder, which shows a listing; never a missing file), each #fragment must exist there,
// and no page may ask for anything outside the copy. Every page of the site must be reached,
// and the search box must work from file:// too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { assertNone } from '../lib/assert.mjs';
import { buildSite, listFiles, pagesOf } from '../lib/site.mjs';
import { idsInPage } from '../lib/browser.mjs';
import { projectRoot } from '../lib/config.mjs';

// Runs in the page: every URL the page links to or loads, resolved by the browser.
function linksInPage() {
  const out = [];
  for (const el of document.querySelectorAll('a[href], link[href], script[src], img[src], source[src], iframe[src]')) {
    const rel = el.getAttribute('rel') ?? '';
    // Canonical and hreflang links name the published site on purpose; nothing loads them.
    if (el.tagName === 'LINK' && /\b(canonical|alternate)\b/.test(rel)) continue;
    out.push({ tag: el.tagName.toLowerCase(), url: el.href || el.src });
  }
  return out;
}

export default function register(ctx) {
  let dir;
  let root;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'factsheet-offline-'));
    await buildSite({
      bin: ctx.config.factsheetBin,
      projectRoot,
      baseUrl: 'https://example.org/factsheet/',
      outputDir: path.join(dir, 'copy'),
      extraArgs: ['--offline'],
    });
    root = pathToFileURL(path.join(dir, 'copy') + path.sep).href;
  });
  after(() => dir && fs.rm(dir, { recursive: true, force: true }));

  test('offline: every link of every page works from file://, in both languages', { timeout: 600_000 }, async () => {
    const problems = [];
    const idsCache = new Map();
    const fragments = [];
    const seen = new Set();
    const queue = ctx.config.languages.map((l, i) => (i === 0 ? 'index.html' : `${l}/index.html`));
    const pagesFound = new Set();
    while (queue.length) {
      const rel = queue.shift();
      if (seen.has(rel)) continue;
      seen.add(rel);
      const url = root + rel;
      const { page, log, close } = await ctx.open(url);
      try {
        const title = await page.title();
        const mains = await page.locator('main').count();
        if (mains !== 1 || /^Index of/.test(title)) {
          problems.push(`${rel}: not a page of the site (title "${title}")`);
          continue;
        }
        pagesFound.add(rel);
        idsCache.set(rel, new Set(await page.evaluate(idsInPage)));
        await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
        await page.waitForLoadState('networkidle');
        for (const req of log.requests) {
          if (!req.startsWith(root) && !req.startsWith('data:')) problems.push(`${rel}: request outside the copy: ${req}`);
        }
        for (const failed of log.failedRequests) problems.push(`${rel}: request failed: ${failed}`);
        for (const { text } of log.consoleErrors) problems.push(`${rel}: console error: ${text}`);
        for (const link of await page.evaluate(linksInPage)) {
          if (!link.url.startsWith('file:')) continue; // a link out to a source
          if (!link.url.startsWith(root)) {
            problems.push(`${rel}: <${link.tag}> points outside the copy: ${link.url}`);
            continue;
          }
          const target = new URL(link.url);
          const fragment = decodeURIComponent(target.hash.slice(1));
          target.hash = '';
          target.search = '';
          const targetRel = decodeURIComponent(target.href.slice(root.length));
          const stat = await fs.stat(fileURLToPath(target)).catch(() => null);
          if (!stat) {
            problems.push(`${rel}: <${link.tag}> to a missing file: ${targetRel}`);
          } else if (stat.isDirectory()) {
            problems.push(`${rel}: <${link.tag}> to a folder (a listing from file://): ${targetRel || './'}`);
          } else if (targetRel.endsWith('.html')) {
            if (!seen.has(targetRel)) queue.push(targetRel);
            if (fragment) fragments.push({ from: rel, targetRel, fragment });
          }
        }
      } finally {
        await close();
      }
    }
    // Fragments are checked once every target page has been read.
    for (const { from, targetRel, fragment } of fragments) {
      const ids = idsCache.get(targetRel);
      if (ids && !ids.has(fragment) && fragment !== 'top') problems.push(`${from}: broken anchor ${targetRel}#${fragment}`);
    }
    const expected = pagesOf(await listFiles(path.join(dir, 'copy')), ctx.config.languages).map((p) => `${p.rel}index.html`);
    for (const rel of expected) if (!pagesFound.has(rel)) problems.push(`${rel} is not reached by any link`);
    assertNone([...new Set(problems)], 'problems in the offline copy');
    assert.equal(pagesFound.size, ctx.allPages.length, 'the offline copy has a different number of pages');
  });

  test('offline: search works from file:// and its results open files', { timeout: 60_000 }, async () => {
    for (const [from, query, expected] of [
      ['uk/risks/index.html', 'кетаміну вуличного', 'uk/index.html#street-drug'],
      ['about/index.html', 'bladder', 'risks/index.html#bladder'],
    ]) {
      const { page, log, close } = await ctx.open(root + from);
      try {
        await page.locator('.search-toggle').click();
        await page.getByRole('searchbox').fill(query);
        const first = page.locator('.search-results a').first();
        await first.waitFor();
        assert.equal(decodeURI(await first.evaluate((a) => a.href)), root + expected);
        await first.click();
        await page.waitForURL((u) => decodeURI(u.href) === root + expected);
        assert.equal(await page.locator('main').count(), 1);
        for (const req of log.requests) assert.ok(req.startsWith(root), `request outside the copy: ${req}`);
      } finally {
        await close();
      }
    }
  });
}
