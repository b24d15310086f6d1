// The offline copy in Firefox, from file://, as a clinic's USB stick is opened: every page
// loads with its stylesheet and script, every link, stylesheet, script and image points at a
// file of the copy (no folder, no missing file, no fragment without its id, nothing loaded
// from elsewhere), and the search box finds pages in both languages.
//
// Not part of `npm test` (CI installs Chromium only): run it by hand with Debian's Firefox ESR.
// It talks WebDriver BiDi to Firefox directly: Playwright drives only its own patched Firefox,
// which cannot be downloaded here, and BiDi needs no driver.
//
//   apt-get install -y firefox-esr
//   target/release/factsheet build --offline --output-dir /tmp/offline
//   node --experimental-websocket tests/browser/firefox-offline.mjs /tmp/offline [firefox-esr]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(process.argv[2] ?? 'public-offline');
const firefox = process.argv[3] ?? '/usr/bin/firefox-esr';
const PORT = 9333 + Math.floor(Math.random() * 500);

// Query, the page it is typed on, and where the first result must lead.
const SEARCHES = [
  { from: 'about/index.html', query: 'bladder', first: 'risks/index.html#bladder' },
  { from: 'uk/risks/index.html', query: 'кетаміну', first: 'uk/index.html' },
  { from: 'uk/index.html', query: 'передозуванням', first: 'uk/risks/index.html#overdose' },
];

function pages(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return pages(path);
    return e.name.endsWith('.html') ? [path] : [];
  });
}

/** Starts Firefox and resolves once its BiDi server listens. */
function startFirefox() {
  const profile = mkdtempSync(join(tmpdir(), 'factsheet-firefox-'));
  const child = spawn(firefox, ['--headless', '--no-remote', '--profile', profile,
    `--remote-debugging-port=${PORT}`, 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((ok, fail) => {
    let err = '';
    const timer = setTimeout(() => fail(new Error(`Firefox did not start: ${err}`)), 60_000);
    child.stderr.on('data', (d) => {
      err += d;
      if (err.includes('WebDriver BiDi listening')) {
        clearTimeout(timer);
        ok({ child, profile });
      }
    });
    child.on('exit', (code) => fail(new Error(`Firefox exited (${code}): ${err}`)));
  });
}

/** A BiDi session: `send(method, params)` resolves with the command's result. */
async function connect() {
  const ws = new WebSocket(`ws://127.0.0.1:${PORT}/session`);
  await new Promise((ok, fail) => { ws.onopen = ok; ws.onerror = fail; });
  let next = 1;
  const waiting = new Map();
  ws.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    const w = waiting.get(msg.id);
    if (!w) return;
    waiting.delete(msg.id);
    if (msg.type === 'error') w.fail(new Error(`${msg.error}: ${msg.message}`));
    else w.ok(msg.result);
  };
  const send = (method, params) => new Promise((ok, fail) => {
    const id = next++;
    waiting.set(id, { ok, fail });
    ws.send(JSON.stringify({ id, method, params }));
  });
  await send('session.new', { capabilities: {} });
  return { ws, send };
}

/** Evaluates `expression` (which gives a JSON string, or a promise of one) in the page. */
async function evaluate(send, context, expression) {
  const r = await send('script.evaluate', {
    expression, target: { context }, awaitPromise: true, resultOwnership: 'none',
  });
  if (r.type === 'exception') throw new Error(r.exceptionDetails.text);
  return JSON.parse(r.result.value);
}

const COLLECT = `JSON.stringify({
  title: document.title,
  styled: getComputedStyle(document.body).marginTop === '0px' && document.styleSheets.length > 0,
  scripted: typeof window.factsheetSearch !== 'undefined' || !!document.getElementById('search-input'),
  // canonical and alternate links name the published pages; the browser loads neither.
  refs: [...document.querySelectorAll('a[href], link[href]:not([rel=canonical]):not([rel=alternate]), script[src], img[src]')].map((e) => ({
    tag: e.tagName.toLowerCase(), url: e.href || e.src,
  })),
})`;

function search(query) {
  return `new Promise((done) => {
    document.querySelector('.search-toggle')?.click();
    const input = document.getElementById('search-input');
    input.focus();
    input.value = ${JSON.stringify(query)};
    input.dispatchEvent(new Event('input'));
    const started = Date.now();
    (function wait() {
      const links = [...document.querySelectorAll('.search-results li a')].map((a) => a.href);
      if (links.length || Date.now() - started > 5000) {
        done(JSON.stringify({ links, status: document.getElementById('search-status').textContent }));
      } else setTimeout(wait, 50);
    })();
  })`;
}

const problems = [];
const { child, profile } = await startFirefox();
let checkedRefs = 0;
try {
  const { ws, send } = await connect();
  const tree = await send('browsingContext.getTree', {});
  const context = tree.contexts[0].context;
  const files = pages(root);
  const ids = new Map();
  const idsOf = (file) => {
    if (!ids.has(file)) {
      ids.set(file, new Set([...readFileSync(file, 'utf8').matchAll(/\sid="([^"]+)"/g)].map((m) => m[1])));
    }
    return ids.get(file);
  };
  for (const file of files) {
    const where = file.slice(root.length + 1);
    await send('browsingContext.navigate', { context, url: pathToFileURL(file).href, wait: 'complete' });
    const page = await evaluate(send, context, COLLECT);
    if (!page.title) problems.push(`${where}: no title`);
    if (!page.styled) problems.push(`${where}: the stylesheet did not apply`);
    if (!page.scripted && !where.startsWith('print')) problems.push(`${where}: search.js did not run`);
    for (const { tag, url } of page.refs) {
      checkedRefs += 1;
      if (!url.startsWith('file:')) {
        // Links out are fine; anything the page loads must come from the copy.
        if (tag !== 'a' || !/^(https?|mailto|tel):/.test(url)) problems.push(`${where}: <${tag}> ${url} is not in the copy`);
        continue;
      }
      const [path, fragment] = url.split('#');
      const target = fileURLToPath(path);
      if (!target.startsWith(root + sep) && target !== root) {
        problems.push(`${where}: ${url} is outside the copy`);
      } else if (!existsSync(target)) {
        problems.push(`${where}: ${url} is missing`);
      } else if (!statSync(target).isFile()) {
        problems.push(`${where}: ${url} is a folder (Firefox would list it)`);
      } else if (fragment && target.endsWith('.html') && !idsOf(target).has(decodeURIComponent(fragment))) {
        problems.push(`${where}: ${url}: no element with that id`);
      }
    }
  }
  for (const s of SEARCHES) {
    await send('browsingContext.navigate', { context, url: pathToFileURL(join(root, s.from)).href, wait: 'complete' });
    const { links, status } = await evaluate(send, context, search(s.query));
    const expected = pathToFileURL(join(root, s.first.split('#')[0])).href + (s.first.includes('#') ? `#${s.first.split('#')[1]}` : '');
    if (links[0] !== expected) problems.push(`search "${s.query}" on ${s.from}: first result ${links[0]} (status "${status}"), expected ${expected}`);
  }
  await send('session.end', {});
  ws.close();
  console.log(`Firefox (${firefox}): ${files.length} pages, ${checkedRefs} links checked, ${SEARCHES.length} searches, from ${pathToFileURL(root).href}`);
} finally {
  child.kill();
  rmSync(profile, { recursive: true, force: true });
}
if (problems.length) {
  console.log(problems.join('\n'));
  console.log(`${problems.length} problems`);
  process.exit(1);
}
console.log('no problems found');
