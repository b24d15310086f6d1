// The browser suite: builds the site (or takes SITE_DIR), serves it under a sub-path, and runs
// every check on every page with Debian's Chromium. Run with `npm test` (see README.md).
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup } from './lib/setup.mjs';
import { config } from './lib/config.mjs';
import site from './checks/site.mjs';
import html from './checks/html.mjs';
import a11y from './checks/a11y.mjs';
import links from './checks/links.mjs';
import network from './checks/network.mjs';
import nojs from './checks/nojs.mjs';
import language from './checks/language.mjs';
import keyboard from './checks/keyboard.mjs';
import print from './checks/print.mjs';
import livereload from './checks/livereload.mjs';
import search from './checks/search.mjs';
import offline from './checks/offline.mjs';
import phones from './checks/phones.mjs';
import handout from './checks/handout.mjs';
import layout from './checks/layout.mjs';
import sw from './checks/sw.mjs';

const checks = { site, html, a11y, links, network, nojs, language, keyboard, print, livereload, search, offline, phones, handout, layout, sw };

// Checks whose tests each open their own page and share nothing but memoised, read-only lookups:
// their tests run side by side. The others (a temporary copy of the project that a test edits,
// a served watch process, steps that build on the previous one) run one test at a time.
const SIDE_BY_SIDE = new Set(['html', 'a11y', 'links', 'network', 'nojs', 'language', 'keyboard', 'phones', 'layout']);

let ctx;
try {
  ctx = await setup();
} catch (err) {
  test('setup: build and serve the site', () => {
    assert.fail(err.message);
  });
}

if (ctx) {
  after(() => ctx.close());
  const { build, siteDir, baseUrl, pages } = ctx;
  console.log(`site: ${siteDir}${build ? ` (built in ${build.seconds.toFixed(1)}s)` : ''}`);
  console.log(`served at ${baseUrl}, ${pages.length} pages, Chromium ${ctx.browser.version()}\n`);
  for (const [name, register] of Object.entries(checks)) {
    if (config.only && !config.only.includes(name)) continue;
    const concurrency = SIDE_BY_SIDE.has(name) ? config.concurrency : 1;
    describe(name, { concurrency }, () => register(ctx));
  }
}
