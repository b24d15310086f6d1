// Watch mode in a real browser: `factsheet serve` on a temporary copy of the project, /risks/ open
// in Chromium. Editing content/risks.md shows the new sentence without a manual reload; breaking
// its front matter shows the error overlay (naming the file and line, over the last good page,
// with no axe violation inside it); fixing it removes the overlay; editing static/style.css swaps
// the stylesheet (href gains ?v=) without reloading the page. Finally: no request to another
// origin, no failed request, no console error. The real project's files are never touched.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { assertNone } from '../lib/assert.mjs';
import { axeViolations, describeViolation } from '../lib/axe.mjs';
import { projectRoot } from '../lib/config.mjs';
import { copyProject } from '../lib/site.mjs';

const PAGE = 'risks/';
const MARKDOWN = 'content/risks.md';
const STYLESHEET = 'static/style.css';
// A sentence of content/risks.md (it must occur exactly once), replaced by a new, unique one.
const OLD_SENTENCE = 'Stopping ketamine is the main treatment.';
const NEW_SENTENCE = `Live reload check ${process.pid}-${Date.now()}: this sentence is new.`;
const CSS_RULE_SELECTOR = '.factsheet-livereload-check';
const WAIT = 15_000; // for each change to reach the page
const STEP_TIMEOUT = 60_000;
const OVERLAY = '#factsheet-error-overlay';

/** Starts `factsheet serve` on root; resolves to { origin, child, output(), stop() }. */
async function startServe(bin, root) {
  const child = spawn(bin, ['serve', '--root', root, '--port', '0', '--interface', '127.0.0.1'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  const onExit = () => child.kill('SIGKILL');
  process.once('exit', onExit);
  const stop = async () => {
    process.removeListener('exit', onExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  const origin = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "Serving ... at URL" line within 20 s:\n${output}`)), 20_000);
    const onData = (chunk) => {
      output += chunk;
      const m = output.match(/^Serving .* at (http:\/\/\S+?)\/? \(Ctrl-C to stop\)$/m);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (err) => reject(new Error(`cannot run ${bin}: ${err.message}`)));
    exited.then((how) => reject(new Error(`factsheet serve exited (${how}) before serving:\n${output}`)));
  }).catch(async (err) => {
    await stop();
    throw err;
  });
  return { origin, child, output: () => output, stop };
}

/** Resolves to true when the locator reaches state within ms, false otherwise. */
function reaches(locator, state, ms = WAIT) {
  return locator.waitFor({ state, timeout: ms }).then(() => true, () => false);
}

/** Polls fn (in the page) until it returns a truthy value or ms pass; returns its last value. */
async function poll(page, fn, arg, ms = WAIT) {
  const end = Date.now() + ms;
  let value;
  for (;;) {
    value = await page.evaluate(fn, arg).catch(() => undefined); // mid-navigation: try again
    if (value || Date.now() > end) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}

export default function register(ctx) {
  const bin = ctx.config.factsheetBin;
  const s = { fatal: null, serve: null, tmp: null, page: null, log: null, close: null, titleLine: 0 };

  const mainText = () => s.page.locator('main').innerText().catch((e) => `(no <main>: ${e.message})`);
  const marker = () => s.page.evaluate(() => window.__marker).catch(() => undefined);
  const setMarker = (value) => s.page.evaluate((v) => { window.__marker = v; }, value);
  const serveSaid = () => `\nfactsheet serve said:\n${s.serve.output().trimEnd().split('\n').slice(-12).join('\n')}`;
  const edit = async (rel, change) => {
    const file = path.join(s.tmp, rel);
    await fs.writeFile(file, change(await fs.readFile(file, 'utf8')));
  };
  const ready = () => {
    if (s.fatal) assert.fail(`not run: ${s.fatal}`);
  };

  describe('livereload', () => {
    before(async () => {
      try {
        await fs.access(bin).catch(() => {
          throw new Error(`no factsheet binary at ${bin} (build it, or set FACTSHEET_BIN)`);
        });
        s.tmp = await copyProject(projectRoot, 'factsheet-livereload-');
        const markdown = await fs.readFile(path.join(s.tmp, MARKDOWN), 'utf8');
        const count = markdown.split(OLD_SENTENCE).length - 1;
        if (count !== 1) throw new Error(`${MARKDOWN} has the sentence "${OLD_SENTENCE}" ${count} times, not once`);
        s.titleLine = markdown.split('\n').findIndex((l) => /^title\s*=/.test(l)) + 1;
        if (!s.titleLine) throw new Error(`${MARKDOWN} has no "title =" line in its front matter`);
        s.serve = await startServe(bin, s.tmp);
        ({ page: s.page, log: s.log, close: s.close } = await ctx.open(`${s.serve.origin}/${PAGE}`));
        const live = await poll(s.page, () => window.__factsheetLive === true, null, 10_000);
        if (!live) throw new Error(`/${PAGE} did not load /__factsheet/live.js (window.__factsheetLive is not set)${serveSaid()}`);
      } catch (err) {
        s.fatal = err.message;
      }
    });

    after(async () => {
      await s.close?.().catch(() => {});
      await s.serve?.stop().catch(() => {});
      if (s.tmp && !ctx.config.keepSite) await fs.rm(s.tmp, { recursive: true, force: true });
    });

    test(`livereload: editing ${MARKDOWN} shows the new sentence without a manual reload`, { timeout: STEP_TIMEOUT }, async () => {
      ready();
      assert.ok((await mainText()).includes(OLD_SENTENCE), `<main> of /${PAGE} does not show "${OLD_SENTENCE}" before the edit`);
      await setMarker('before-edit');
      await edit(MARKDOWN, (t) => t.replace(OLD_SENTENCE, NEW_SENTENCE));
      const shown = await reaches(s.page.locator('main', { hasText: NEW_SENTENCE }), 'visible');
      assert.ok(shown, `within ${WAIT / 1000} s of the edit, <main> does not show "${NEW_SENTENCE}"${serveSaid()}`);
      assert.ok(!(await mainText()).includes(OLD_SENTENCE), `<main> still shows the old sentence "${OLD_SENTENCE}"`);
      assert.equal(await marker(), undefined, 'the new text appeared without a page reload (window.__marker survived)');
    });

    test(`livereload: a broken front matter shows the error overlay over the last good page`, { timeout: STEP_TIMEOUT }, async () => {
      ready();
      await setMarker('before-error');
      await edit(MARKDOWN, (t) => t.replace(/^title(\s*)=/m, 'titel$1='));
      const shown = await reaches(s.page.locator(OVERLAY), 'visible');
      assert.ok(shown, `within ${WAIT / 1000} s of breaking the front matter, no visible ${OVERLAY}${serveSaid()}`);
      const o = await s.page.evaluate((sel) => {
        const overlay = document.querySelector(sel);
        return {
          role: overlay.getAttribute('role'),
          title: document.querySelector('#factsheet-error-title')?.textContent ?? null,
          focused: document.activeElement?.id ?? null,
          errors: [...overlay.querySelectorAll('#factsheet-error-list > li.factsheet-error')].map((li) => ({
            file: li.dataset.file,
            line: li.dataset.line,
            column: li.dataset.column,
            where: li.querySelector('code.factsheet-error-file')?.textContent ?? null,
            message: li.querySelector('p.factsheet-error-message')?.textContent ?? null,
          })),
        };
      }, OVERLAY);
      const all = JSON.stringify(o.errors);
      assert.equal(o.role, 'alertdialog', `${OVERLAY} has role="${o.role}", not alertdialog`);
      assert.ok(o.title, 'the overlay has no #factsheet-error-title');
      const error = o.errors.find((e) => e.file === MARKDOWN);
      assert.ok(error, `no li.factsheet-error[data-file="${MARKDOWN}"] in the overlay; it lists ${all}`);
      assert.equal(error.line, String(s.titleLine), `the error's data-line is ${error.line}, not ${s.titleLine} (the line of the key): ${all}`);
      assert.ok(error.where?.startsWith(`${MARKDOWN}:${s.titleLine}`), `code.factsheet-error-file says "${error.where}", not ${MARKDOWN}:${s.titleLine}...`);
      assert.ok(error.message?.includes('titel'), `the error message "${error.message}" does not mention titel`);
      assert.equal(o.focused, 'factsheet-error-close', `focus is on #${o.focused}, not on the overlay's close button`);
      assert.ok((await mainText()).includes(NEW_SENTENCE), 'under the overlay, <main> no longer shows the last good build');
      assert.equal(await marker(), 'before-error', 'the page reloaded on a build error');
      const violations = await axeViolations(s.page, { selector: OVERLAY });
      assertNone(violations.map(describeViolation), `axe violations inside ${OVERLAY}`);
    });

    test('livereload: fixing the front matter removes the overlay', { timeout: STEP_TIMEOUT }, async () => {
      ready();
      await edit(MARKDOWN, (t) => t.replace(/^titel(\s*)=/m, 'title$1='));
      const gone = await reaches(s.page.locator(OVERLAY), 'detached');
      assert.ok(gone, `within ${WAIT / 1000} s of the fix, ${OVERLAY} is still there${serveSaid()}`);
      assert.ok((await mainText()).includes(NEW_SENTENCE), `after the fix, <main> does not show "${NEW_SENTENCE}"`);
    });

    test(`livereload: editing ${STYLESHEET} swaps the stylesheet (?v=) without reloading`, { timeout: STEP_TIMEOUT }, async () => {
      ready();
      await setMarker('before-css');
      await edit(STYLESHEET, (t) => `${t}\n${CSS_RULE_SELECTOR} { outline-offset: 1px; }\n`);
      // The page's own stylesheet now has ?v=<generation> and holds the new rule.
      const swapped = await poll(s.page, (selector) => {
        for (const sheet of document.styleSheets) {
          const link = sheet.ownerNode;
          const href = link?.getAttribute?.('href') ?? '';
          if (!/style\.css\?v=\d+/.test(href)) continue;
          if ([...sheet.cssRules].some((r) => r.selectorText === selector)) return href;
        }
        return null;
      }, CSS_RULE_SELECTOR);
      const hrefs = await s.page.$$eval('link[rel~="stylesheet"]', (ls) => ls.map((l) => l.getAttribute('href'))).catch(() => []);
      const links = `stylesheet links: ${JSON.stringify(hrefs)}${serveSaid()}`;
      assert.equal(await marker(), 'before-css', `the page reloaded for a CSS-only change (window.__marker is gone); ${links}`);
      assert.ok(swapped, `within ${WAIT / 1000} s, no stylesheet link with style.css?v=N holding the new rule ${CSS_RULE_SELECTOR}; ${links}`);
    });

    test('livereload: no request to another origin, no failed request, no console error', { timeout: STEP_TIMEOUT }, async () => {
      ready();
      const origin = s.serve.origin;
      const problems = [];
      for (const req of s.log.requests) {
        const u = new URL(req);
        if (u.origin !== origin && !['data:', 'blob:', 'about:'].includes(u.protocol)) problems.push(`request to another origin: ${req}`);
      }
      for (const { status, url } of s.log.badResponses) problems.push(`${url} answers ${status}`);
      // A reload cuts the open events stream: that one is expected to end "aborted".
      for (const failed of s.log.failedRequests) {
        if (!/\/__factsheet\/events \(net::ERR_ABORTED\)$/.test(failed)) problems.push(`request failed: ${failed}`);
      }
      for (const { text, url } of s.log.consoleErrors) problems.push(`console error: ${text}${url ? ` (${url})` : ''}`);
      assertNone([...new Set(problems)], 'problems');
    });
  });
}
