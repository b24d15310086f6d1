// Offline after one visit: the service worker (static/sw.js) on a build of a temporary copy of
// the project, served under the sub-path by a server of its own. The home pages of both
// languages are opened once; then the network goes off (the browser offline, the server
// stopped) and every page of the menu, in both languages, must open with its title, its text
// and the offline note. Back online after a page was changed, a file removed and the site
// rebuilt, the next visit shows the new text, and offline again shows it too; the removed file
// is no longer stored. axe finds no WCAG A/AA violation with the note shown; no request leaves
// the site, and no console error.
// The project's own files are never touched.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { assertNone } from '../lib/assert.mjs';
import { axeViolations, describeViolation } from '../lib/axe.mjs';
import { projectRoot } from '../lib/config.mjs';
import { startServer } from '../lib/server.mjs';
import { buildSite, copyProject } from '../lib/site.mjs';

const MARKDOWN = 'content/risks.md';
const PAGE = 'risks/';
// A sentence of content/risks.md (it must occur exactly once), replaced by a new, unique one.
const OLD_SENTENCE = 'Stopping ketamine is the main treatment.';
const NEW_SENTENCE = `Offline check ${process.pid}: this sentence is new after the rebuild.`;
const TODAY = '2026-12-05';
const NOTES = { en: 'Saved copy from 5\u00a0December 2026 – you are offline', uk: 'Збережена копія від 5\u00a0грудня 2026\u00a0р. – ви не в мережі' };
const WAIT = 30_000;
// A shared file removed before the rebuild.
const GONE = 'icon-192.png';

/** Runs in the page: what the service worker has stored, from its state record. */
async function storedState(scope) {
  const cache = await caches.open(`factsheet-offline ${scope}`);
  const state = await cache.match(`${scope}__factsheet-offline-state`);
  return state ? state.json() : null;
}

/** Runs in the page: the stored copy of url, as text, or null. */
async function storedText([scope, url]) {
  const cache = await caches.open(`factsheet-offline ${scope}`);
  const response = await cache.match(url);
  return response ? response.text() : null;
}

async function poll(fn, ms = WAIT) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await fn().catch(() => undefined);
    if (value || Date.now() > end) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
}

export default function register(ctx) {
  const s = { fatal: null, tmp: null, server: null, context: null, page: null, menu: [], problems: [] };
  const ready = () => {
    if (s.fatal) assert.fail(`not run: ${s.fatal}`);
  };
  const build = () => buildSite({
    bin: ctx.config.factsheetBin,
    projectRoot: s.tmp,
    baseUrl: s.server.baseUrl,
    outputDir: path.join(s.tmp, 'site'),
  });
  const manifest = async () => JSON.parse(await fs.readFile(path.join(s.tmp, 'site', 'offline-manifest.json'), 'utf8'));
  // Every file of the languages opened, stored with the hash of this build.
  const allStored = async (languages) => {
    const m = await manifest();
    const want = { ...m.shared };
    for (const l of languages) Object.assign(want, m.languages[l].files);
    const state = await s.page.evaluate(storedState, s.server.baseUrl);
    if (!state || languages.some((l) => !state.languages.includes(l))) return false;
    return Object.entries(want).every(([rel, hash]) => state.files[new URL(rel, s.server.baseUrl).href] === hash);
  };
  // Offline as a reader meets it: the browser reports no network and the server cannot be
  // reached. Emulation alone is not enough: under Chromium 148 (Debian's, December 2026)
  // context.setOffline let the service worker's own fetch() through after the first
  // navigation, so the pages came from the network, without the note. The server is stopped
  // too, and started again on the same port (the worker's origin) to come back online.
  const setOffline = async (off) => {
    await s.context.setOffline(off);
    if (off && s.serverUp) {
      await s.server.close();
      s.serverUp = false;
    } else if (!off && !s.serverUp) {
      const port = Number(new URL(s.server.origin).port);
      s.server = await startServer({ siteDir: path.join(s.tmp, 'site'), basePath: ctx.config.basePath, port });
      s.serverUp = true;
    }
  };
  const open = async (rel) => {
    await s.page.goto(s.server.baseUrl + rel, { waitUntil: 'load' });
    return s.page;
  };

  describe('sw', () => {
    before(async () => {
      try {
        process.env.FACTSHEET_TODAY = TODAY;
        s.tmp = await copyProject(projectRoot, 'factsheet-sw-');
        const markdown = await fs.readFile(path.join(s.tmp, MARKDOWN), 'utf8');
        if (markdown.split(OLD_SENTENCE).length !== 2) throw new Error(`${MARKDOWN} must have "${OLD_SENTENCE}" once`);
        s.server = await startServer({ siteDir: path.join(s.tmp, 'site'), basePath: ctx.config.basePath });
        s.serverUp = true;
        await build();
        s.context = await ctx.browser.newContext({ viewport: { width: 390, height: 844 } });
        s.context.setDefaultTimeout(20_000);
        s.page = await s.context.newPage();
        const origin = s.server.origin;
        const note = (what) => (text) => s.problems.push(`${what}: ${text}`);
        s.context.on('request', (req) => {
          const u = new URL(req.url());
          if (u.origin !== origin && !['data:', 'blob:', 'about:'].includes(u.protocol)) note('request to another origin')(req.url());
        });
        s.page.on('console', (msg) => msg.type() === 'error' && note('console error')(`${msg.text()} (${s.page.url()})`));
        s.page.on('pageerror', (err) => note('uncaught')(err.message));
        // First visit: a page of each language, online, staying until the worker has stored
        // its language (it registers after the page's load event, as a reader would stay).
        for (const [i, lang] of ctx.config.languages.entries()) {
          const home = i === 0 ? '' : `${lang}/`;
          const page = await open(home);
          for (const a of await page.$$eval('.site-nav a', (as) => as.map((x) => x.getAttribute('href')))) {
            s.menu.push(new URL(a, s.server.baseUrl + home).href.slice(s.server.baseUrl.length));
          }
          if (!(await poll(() => allStored([lang])))) throw new Error(`within ${WAIT / 1000} s of opening /${home}, its language is not stored`);
        }
        if (s.menu.length < 10) throw new Error(`only ${s.menu.length} menu links found: ${s.menu}`);
      } catch (err) {
        s.fatal = err.stack ?? err.message;
      }
    });

    after(async () => {
      delete process.env.FACTSHEET_TODAY;
      await s.context?.close().catch(() => {});
      await s.server?.close().catch(() => {});
      if (s.tmp && !ctx.config.keepSite) await fs.rm(s.tmp, { recursive: true, force: true });
    });

    test('sw: after one visit, every menu page of both languages opens offline with its text and the note', { timeout: 180_000 }, async () => {
      ready();
      const stored = await poll(() => allStored(ctx.config.languages));
      assert.ok(stored, `within ${WAIT / 1000} s of the first visit, not every file of ${ctx.config.languages} is stored`);
      await setOffline(true);
      const problems = [];
      for (const rel of s.menu) {
        const lang = rel.startsWith('uk/') ? 'uk' : 'en';
        const html = await fs.readFile(path.join(s.tmp, 'site', rel, 'index.html'), 'utf8');
        const title = html.match(/<title>([^<]*)<\/title>/)[1].replaceAll('&amp;', '&');
        const h1 = html.match(/<h1[^>]*>([^<]*)</)[1].trim();
        const page = await open(rel).catch((e) => problems.push(`/${rel}: does not open offline: ${e.message}`));
        if (!page) continue;
        if ((await page.title()) !== title) problems.push(`/${rel}: title "${await page.title()}", not "${title}"`);
        const main = await page.locator('main').innerText().catch(() => '');
        if (!main.includes(h1) || main.length < 200) problems.push(`/${rel}: <main> does not show its text offline (${main.length} characters)`);
        const note = page.locator('.offline-note');
        if (!(await note.isVisible())) problems.push(`/${rel}: no visible offline note`);
        else if ((await note.innerText()).trim() !== NOTES[lang]) problems.push(`/${rel}: the note says "${await note.innerText()}", not "${NOTES[lang]}"`);
      }
      assertNone(problems, 'pages offline');
    });

    test('sw: axe finds no WCAG A/AA violation with the offline note shown', { timeout: 120_000 }, async () => {
      ready();
      await setOffline(true);
      for (const rel of ['', 'uk/risks/']) {
        const page = await open(rel);
        assert.ok(await page.locator('.offline-note').isVisible(), `/${rel}: no offline note`);
        for (const colorScheme of ['light', 'dark']) {
          await page.emulateMedia({ colorScheme });
          const shot = path.join(ctx.config.artifactsDir, 'screenshots', `offline-${rel.replaceAll('/', '_') || 'index'}-${colorScheme}.png`);
          await fs.mkdir(path.dirname(shot), { recursive: true });
          await page.screenshot({ path: shot });
          assertNone((await axeViolations(page)).map(describeViolation), `axe violations on /${rel} offline, ${colorScheme}`);
        }
        await page.emulateMedia({ colorScheme: 'light' });
      }
    });

    test('sw: after a rebuild, the next visit shows the new text, offline again too, and what went is no longer stored', { timeout: 180_000 }, async () => {
      ready();
      await setOffline(false);
      const file = path.join(s.tmp, MARKDOWN);
      await fs.writeFile(file, (await fs.readFile(file, 'utf8')).replace(OLD_SENTENCE, NEW_SENTENCE));
      // A file that goes must go from the store too.
      await fs.rm(path.join(s.tmp, 'static', GONE));
      await build();
      let page = await open(PAGE);
      let main = await page.locator('main').innerText();
      assert.ok(main.includes(NEW_SENTENCE), `online, /${PAGE} does not show the new sentence`);
      assert.equal(await page.locator('.offline-note').count(), 0, `online, /${PAGE} shows the offline note`);
      const url = s.server.baseUrl + PAGE;
      const updated = await poll(async () => (await s.page.evaluate(storedText, [s.server.baseUrl, url]))?.includes(NEW_SENTENCE) && allStored(ctx.config.languages));
      assert.ok(updated, `within ${WAIT / 1000} s of the visit, the stored /${PAGE} is not the new one`);
      const gone = s.server.baseUrl + GONE;
      assert.equal(await s.page.evaluate(storedText, [s.server.baseUrl, gone]), null, `${GONE} is still stored after it went`);
      const state = await s.page.evaluate(storedState, s.server.baseUrl);
      const m = await manifest();
      const listed = new Set([m.shared, ...Object.values(m.languages).map((l) => l.files)].flatMap((f) => Object.keys(f)).map((rel) => new URL(rel, s.server.baseUrl).href));
      assertNone(Object.keys(state.files).filter((u) => !listed.has(u)), 'stored files the new list does not name');
      await setOffline(true);
      page = await open(PAGE);
      main = await page.locator('main').innerText();
      assert.ok(main.includes(NEW_SENTENCE), `offline, /${PAGE} does not show the new sentence`);
      assert.ok(!main.includes(OLD_SENTENCE), `offline, /${PAGE} still shows the old sentence`);
      assert.ok(await page.locator('.offline-note').isVisible(), `offline, /${PAGE} shows no offline note`);
    });

    test('sw: no request to another origin, no console error', { timeout: 30_000 }, async () => {
      ready();
      assertNone([...new Set(s.problems)], 'problems');
    });
  });
}
