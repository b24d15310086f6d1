// Every phone number listed in site.toml ([[phones]]) that a page writes is a tel: link a reader
// can tap, with an accessible name that holds the number and says what it calls; on every page
// of both languages and on the 404 page. Headings, code and other links keep numbers as text
// (by design: see docs/authoring.md), and so do source lists: a publisher's description
// ("Interfax-Ukraine on 103") is a reference, not a number to call. Printed, a number is plain text: no link colour, no
// underline, no URL after it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { assertNone } from '../lib/assert.mjs';
import { projectRoot } from '../lib/config.mjs';

// The listed numbers, as written in site.toml: `number = "103"` inside [[phones]] tables.
async function listedNumbers() {
  const toml = await fs.readFile(path.join(projectRoot, 'site.toml'), 'utf8');
  const numbers = [];
  for (const table of toml.split(/^\[\[phones\]\]\s*$/m).slice(1)) {
    const m = table.match(/^number\s*=\s*"([^"]+)"/m);
    if (m) numbers.push(m[1]);
  }
  return numbers;
}

// In the page: every text occurrence of a listed number that should be a link but is not, and
// every tel: link whose accessible name lacks its number or says nothing more.
function inspect(numbers) {
  const sep = '[ \\u00a0\\u202f\\-\\u2011]';
  const patterns = numbers.map((n) => {
    const body = [...n].map((c) => (/[ \-]/.test(c) ? sep : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
    // On its own: not inside a longer number or a word.
    return new RegExp(`(?<![\\p{L}\\p{N}+]|\\p{N}[ .,])${body}(?![\\p{L}\\p{N}%]|[ .,]\\p{N})`, 'u');
  });
  const unlinked = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (el.closest('h1, h2, h3, h4, h5, h6, code, pre, script, style, title, .references, .source-list, a:not([href^="tel:"])')) continue;
    if (el.closest('a[href^="tel:"]')) continue;
    // Hidden text (the search box's templates) is not written on the page.
    if (!el.checkVisibility?.() ?? false) continue;
    numbers.forEach((n, i) => {
      if (patterns[i].test(node.data)) unlinked.push(`"${n}" in <${el.tagName.toLowerCase()}>: "${node.data.trim().slice(0, 80)}"`);
    });
  }
  const badNames = [];
  const links = [...document.querySelectorAll('a[href^="tel:"]')];
  for (const a of links) {
    const name = (a.getAttribute('aria-label') ?? a.textContent).trim();
    const text = a.textContent.trim();
    const digits = (s) => s.replace(/\D/g, '');
    if (!name.includes(text) || name === text) badNames.push(`${a.outerHTML}: the name must hold "${text}" and say what it calls`);
    if (digits(a.getAttribute('href')) !== digits(text)) badNames.push(`${a.outerHTML}: href and text differ`);
  }
  return { unlinked, badNames, count: links.length };
}

export default function register(ctx) {
  let numbersOnce;
  const numbers = () => (numbersOnce ??= listedNumbers());

  for (const p of ctx.pages) {
    test(`phones: /${p.rel} every listed number is a named tel: link`, { timeout: 60_000 }, async () => {
      const listed = await numbers();
      assert.ok(listed.length > 0, 'site.toml lists no [[phones]]');
      const { page, close } = await ctx.open(ctx.url(p.rel));
      try {
        const found = await page.evaluate(inspect, listed);
        assertNone(found.unlinked, 'numbers written as plain text');
        assertNone(found.badNames, 'tel: links without a good name');
        // The emergency box is on every page and writes numbers.
        assert.ok(found.count > 0, 'no tel: link on the page');
      } finally {
        await close();
      }
    });
  }

  test('phones: the 404 page numbers are named tel: links in every language', { timeout: 60_000 }, async () => {
    const listed = await numbers();
    const { page, close } = await ctx.open(ctx.url('no/such/page/'));
    try {
      const found = await page.evaluate(inspect, listed);
      assertNone(found.unlinked, 'numbers written as plain text');
      assertNone(found.badNames, 'tel: links without a good name');
      const langs = await page.$$eval('a[href^="tel:"]', (as) => [...new Set(as.map((a) => a.closest('[lang]').lang))]);
      assert.deepEqual(langs.sort(), [...ctx.config.languages].sort(), 'tel: links in each language section');
    } finally {
      await close();
    }
  });

  const first = ctx.pages.find((p) => p.rel === 'risks/') ?? ctx.pages[0];
  if (first) {
    test(`phones: /${first.rel} printed, numbers are plain text`, { timeout: 60_000 }, async () => {
      const { page, close } = await ctx.open(ctx.url(first.rel));
      try {
        await page.emulateMedia({ media: 'print' });
        const styles = await page.$$eval('a[href^="tel:"]', (as) => as.map((a) => {
          const s = getComputedStyle(a);
          const parent = getComputedStyle(a.parentElement);
          return {
            html: a.outerHTML.slice(0, 60),
            colour: s.color === parent.color,
            underline: s.textDecorationLine.includes('underline'),
            after: getComputedStyle(a, '::after').content,
          };
        }));
        assert.ok(styles.length > 0, 'no tel: link');
        const problems = styles
          .filter((s) => !s.colour || s.underline || !['none', 'normal', ''].includes(s.after))
          .map((s) => `${s.html}: colour of its text ${s.colour}, underlined ${s.underline}, ::after ${s.after}`);
        assertNone(problems, 'tel: links styled as links in print');
      } finally {
        await close();
      }
    });
  }
}
