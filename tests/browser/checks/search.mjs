// Search: the "Search" button above the page opens a box (and only then takes room) that finds
// the right page and heading in both languages (an inflected Ukrainian word included), finds
// nothing for nonsense, announces its results in a live region, is used with the keyboard
// alone, and leaves axe nothing to report. On a site large enough for a split index, it shows
// ten results and the rest behind a button, loading the pages of only those it shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { assertNone } from '../lib/assert.mjs';
import { axeViolations, describeViolation, WCAG_AA_BEST } from '../lib/axe.mjs';
import { projectRoot } from '../lib/config.mjs';
import { buildSite, copyProject } from '../lib/site.mjs';

// Query, the page the first result must be on, and its heading (its anchor and a word of it).
const QUERIES = [
  { lang: 'en', from: 'about/', query: 'bladder', page: 'risks/', anchor: 'bladder', heading: /bladder/i },
  { lang: 'en', from: '', query: 'Risks', page: 'risks/', anchor: '', heading: null },
  { lang: 'uk', from: 'uk/about/', query: 'сечового міхура', page: 'uk/risks/', anchor: 'bladder', heading: /міхур/i },
  // The heading says "Передозування"; the query is another case of the word.
  { lang: 'uk', from: 'uk/', query: 'передозуванням', page: 'uk/risks/', anchor: 'overdose', heading: /передозування/i },
  // "кетаміну" (genitive) finds the page titled "Кетамін ...".
  { lang: 'uk', from: 'uk/risks/', query: 'кетаміну', page: 'uk/', anchor: '', heading: null },
  // Both words inflected: the heading is "Кетамін як вуличний наркотик".
  { lang: 'uk', from: 'uk/risks/', query: 'вуличного наркотику', page: 'uk/', anchor: 'street-drug', heading: /вуличний наркотик/i },
  // The heading is written with ', the query with ʼ (U+02BC), as Ukrainian keyboards type it.
  { lang: 'uk', from: 'uk/', query: 'обовʼязково в лікарні', page: 'uk/ukraine/', anchor: 'hospital', heading: /обов.язково/i },
];

/** Opens the search box with its button; the box then has focus. */
async function openSearch(page) {
  const toggle = page.locator('.search-toggle');
  assert.equal(await toggle.getAttribute('aria-expanded'), 'false', 'the search button says it is open before it is pressed');
  assert.ok(await page.locator('#search-input').isHidden(), 'the search box shows before it is asked for');
  await toggle.click();
  assert.equal(await toggle.getAttribute('aria-expanded'), 'true', 'the search button does not say it is open');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'search-input', 'the opened box does not have focus');
}

/** Opens the search box, types `query` and waits for the announced result count. */
async function searchFor(page, query) {
  await openSearch(page);
  const input = page.getByRole('searchbox');
  await input.fill(query);
  const status = page.locator('#search-status');
  await status.filter({ hasText: /\S/ }).waitFor();
  return page.evaluate(() => ({
    status: document.querySelector('#search-status').textContent,
    results: [...document.querySelectorAll('.search-results li')].map((li) => ({
      href: li.querySelector('a').href,
      page: li.querySelector('.search-page')?.textContent ?? '',
      heading: li.querySelector('.search-heading')?.textContent ?? '',
      snippet: li.querySelector('.search-snippet')?.textContent ?? '',
    })),
  }));
}

// A copy of the project with MORE_PAGES generated pages per language under content/more/: enough
// for an index above the one-file limit (256 KB), so it is split into shards and fragments.
// Every RARE_EVERY-th page holds a word no other page has.
const MORE_PAGES = 700;
const RARE_EVERY = 40;
const RARE_PAGES = Math.ceil(MORE_PAGES / RARE_EVERY);
const WORDS = {
  en: { rare: 'pangolin', facts: 'Key facts', words: 'water sleep doctor nurse clinic morning evening family friend hospital pharmacy tablet spray medicine treatment answer symptom feeling heart breath memory street market garden river bridge window kitchen letter number paper pencil' },
  uk: { rare: 'панголін', facts: 'Основні факти', words: 'вода сон лікар медсестра клініка ранок вечір родина друг лікарня аптека таблетка спрей ліки лікування думка відповідь симптом відчуття серце дихання пам’ять вулиця ринок сад річка міст вікно кухня лист номер папір олівець' },
};

async function buildLargeSite(ctx) {
  const dir = await copyProject(projectRoot, 'factsheet-search-split-');
  const more = path.join(dir, 'content', 'more');
  await fs.mkdir(more);
  let seed = 1;
  const pick = (list) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return list[seed % list.length];
  };
  const sentence = (list, n) => Array.from({ length: n }, () => pick(list)).join(' ');
  const front = (title, weight) => `+++\ntitle = "${title}"\ndescription = "${title}."\nweight = ${weight}\nlast_reviewed = 2026-11-01\nnext_review = 2027-05-01\n+++\n\n`;
  for (const [lang, suffix] of [['en', ''], ['uk', '.uk']]) {
    const { rare, facts } = WORDS[lang];
    const list = WORDS[lang].words.split(' ');
    await fs.writeFile(path.join(more, `_index${suffix}.md`), `${front('More', 200)}## ${facts} {#key-facts}\n\n- ${sentence(list, 6)}.\n`);
    for (let i = 0; i < MORE_PAGES; i++) {
      const sections = [1, 2, 3].map((h) => {
        const extra = h === 2 && i % RARE_EVERY === 0 ? ` ${rare}` : '';
        return `## ${sentence(list, 3)}\n\n${sentence(list, 6)}${extra}. ${sentence(list, 6)}. ${sentence(list, 6)}.\n`;
      });
      const body = `## ${facts} {#key-facts}\n\n- ${sentence(list, 6)}.\n- ${sentence(list, 6)}.\n\n${sentence(list, 6)}.\n\n${sections.join('\n')}`;
      await fs.writeFile(path.join(more, `p${String(i).padStart(3, '0')}${suffix}.md`), front(`${sentence(list, 3)} ${i}`, 100 + i) + body);
    }
  }
  await buildSite({ bin: ctx.config.factsheetBin, projectRoot: dir, baseUrl: 'https://example.org/', outputDir: path.join(dir, 'public') });
  return dir;
}

export default function register(ctx) {
  for (const q of QUERIES) {
    test(`search: "${q.query}" on /${q.from} finds /${q.page}${q.anchor ? `#${q.anchor}` : ''}`, { timeout: 60_000 }, async () => {
      const { page, close } = await ctx.open(ctx.url(q.from));
      try {
        const label = await page.locator('label[for="search-input"]').textContent();
        assert.ok(label.trim(), 'the search box has no visible label');
        const { status, results } = await searchFor(page, q.query);
        assert.ok(results.length > 0, `no results; the status says "${status}"`);
        assert.match(status, /\d/, `the status "${status}" does not give the number of pages`);
        const first = results[0];
        const expected = ctx.url(q.page) + (q.anchor ? `#${q.anchor}` : '');
        assert.equal(decodeURI(first.href), expected, `first result: ${JSON.stringify(first)}`);
        if (q.heading) assert.match(first.heading, q.heading, `first result: ${JSON.stringify(first)}`);
        assert.ok(first.snippet.length > 20, `first result has no snippet: ${JSON.stringify(first)}`);
        // The result leads to a page that has the heading.
        await page.locator('.search-results a').first().click();
        await page.waitForURL(expected);
        if (q.anchor) assert.equal(await page.locator(`[id="${q.anchor}"]`).count(), 1);
      } finally {
        await close();
      }
    });
  }

  for (const [lang, from] of [['en', 'risks/'], ['uk', 'uk/risks/']]) {
    test(`search: nonsense finds nothing and says so (${lang})`, { timeout: 60_000 }, async () => {
      const { page, close } = await ctx.open(ctx.url(from));
      try {
        const { status, results } = await searchFor(page, 'qzxvbnmw');
        assert.equal(results.length, 0, `results for nonsense: ${JSON.stringify(results)}`);
        assert.ok(await page.locator('.search-results').isHidden(), 'an empty result list is shown');
        const expected = lang === 'en' ? /Nothing found/ : /Нічого не знайдено/;
        assert.match(status, expected);
        // The message links to the list of all pages.
        const href = await page.locator('#search-status a').getAttribute('href');
        assert.equal(new URL(href, page.url()).href, ctx.url(lang === 'en' ? 'search/' : 'uk/search/'));
      } finally {
        await close();
      }
    });
  }

  test('search: keyboard alone reaches, walks and leaves the results', { timeout: 60_000 }, async () => {
    const { page, close } = await ctx.open(ctx.url(''));
    try {
      // Skip link, site title, language switch, then the search button; Enter opens the box.
      let onToggle = false;
      for (let i = 0; i < 6 && !onToggle; i++) {
        await page.keyboard.press('Tab');
        onToggle = await page.evaluate(() => document.activeElement.matches('.search-toggle'));
      }
      assert.ok(onToggle, 'Tab does not reach the search button');
      await page.keyboard.press('Enter');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'search-input', 'Enter on the search button does not open the box');
      await page.keyboard.type('ketamine');
      await page.locator('#search-status').filter({ hasText: /\S/ }).waitFor();
      const count = await page.locator('.search-results a').count();
      assert.ok(count >= 3, `only ${count} results for "ketamine"`);
      const activeHref = () => page.evaluate(() => document.activeElement.getAttribute('href'));
      const hrefs = await page.locator('.search-results a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      await page.keyboard.press('ArrowDown');
      assert.equal(await activeHref(), hrefs[0], 'ArrowDown does not focus the first result');
      await page.keyboard.press('ArrowDown');
      assert.equal(await activeHref(), hrefs[1], 'a second ArrowDown does not focus the second result');
      await page.keyboard.press('ArrowUp');
      assert.equal(await activeHref(), hrefs[0], 'ArrowUp does not go back to the first result');
      await page.keyboard.press('ArrowUp');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'search-input', 'ArrowUp from the first result does not return to the box');
      // Enter in the box moves to the first result; Enter there opens it.
      await page.keyboard.press('Enter');
      assert.equal(await activeHref(), hrefs[0], 'Enter in the box does not focus the first result');
      await page.keyboard.press('Escape');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'search-input', 'Escape does not return to the box');
      assert.equal(await page.locator('#search-input').inputValue(), '', 'Escape does not clear the box');
      assert.ok(await page.locator('.search-results').isHidden(), 'Escape leaves the results shown');
      // Escape in the empty box closes it and gives focus back to its button.
      await page.keyboard.press('Escape');
      assert.ok(await page.locator('#search-input').isHidden(), 'Escape in the empty box leaves it open');
      assert.ok(await page.evaluate(() => document.activeElement.matches('.search-toggle')), 'Escape does not return to the search button');
      await page.keyboard.press('Enter');
      await page.keyboard.type('bladder');
      await page.locator('.search-results a').first().waitFor();
      await page.keyboard.press('ArrowDown');
      const target = await activeHref();
      await page.keyboard.press('Enter');
      await page.waitForURL((u) => u.href === new URL(target, ctx.url('')).href);
    } finally {
      await close();
    }
  });

  for (const [from, query] of [['risks/', 'ketamine'], ['uk/risks/', 'кетамін']]) {
    for (const width of [390, 1280]) {
      for (const colorScheme of ['light', 'dark']) {
        test(`search: axe finds nothing with results open on /${from} ${width}px ${colorScheme}`, { timeout: 90_000 }, async () => {
          const { page, close } = await ctx.open(ctx.url(from), { width, colorScheme });
          try {
            await searchFor(page, query);
            assertNone((await axeViolations(page, { tags: WCAG_AA_BEST })).map(describeViolation), 'axe violations');
          } finally {
            await close();
          }
        });
      }
    }
  }

  test('search: the live region and the box are named for assistive technology', { timeout: 60_000 }, async () => {
    const { page, close } = await ctx.open(ctx.url('uk/'));
    try {
      assert.equal(await page.getByRole('button', { name: 'Пошук', expanded: false }).count(), 1, 'no folded search button named in Ukrainian');
      await openSearch(page);
      assert.equal(await page.getByRole('search').count(), 1, 'no search landmark');
      assert.equal(await page.getByRole('searchbox', { name: 'Пошук на сайті' }).count(), 1, 'no searchbox labelled in Ukrainian');
      assert.equal(await page.getByRole('status').count(), 1, 'no status live region');
    } finally {
      await close();
    }
  });

  test('search: on a split index, ten results first, the rest behind a button, in both languages', { timeout: 240_000 }, async () => {
    const dir = await buildLargeSite(ctx);
    try {
      const out = path.join(dir, 'public');
      const entries = await fs.readdir(path.join(out, 'search-index.en'));
      assert.ok(entries.some((f) => /^p\d+\.js$/.test(f)), 'the index of the large site is not split into fragments');
      for (const [from, query, label] of [['more/p001/', 'pangolin', 'Show more results'], ['uk/more/p001/', 'панголіну', 'Показати ще результати']]) {
        const { page, close } = await ctx.open(pathToFileURL(path.join(out, from, 'index.html')).href, { width: 390 });
        try {
          const { status, results } = await searchFor(page, query);
          assert.match(status, new RegExp(`\\b${RARE_PAGES}\\b`), `"${query}": the status does not count all ${RARE_PAGES} pages`);
          assert.equal(results.length, 10, `"${query}": ${results.length} results shown at first, not 10`);
          const fragments = () => page.evaluate(() => [...document.querySelectorAll('script[src]')]
            .map((s) => s.getAttribute('src')).filter((src) => /search-index\.[a-z]+\/p\d+\.js$/.test(src)));
          assert.ok((await fragments()).length <= 10, `"${query}": ${(await fragments()).length} fragments loaded for 10 results`);
          const button = page.getByRole('button', { name: label });
          assert.ok(await button.isVisible(), `"${query}": no visible button "${label}"`);
          assertNone((await axeViolations(page, { tags: WCAG_AA_BEST })).map(describeViolation), 'axe violations with the button shown');
          // The arrow keys walk the results, then reach the button; Enter on it shows the rest
          // and moves focus to the first new result.
          await page.getByRole('searchbox').focus();
          for (let i = 0; i < 11; i++) await page.keyboard.press('ArrowDown');
          assert.ok(await page.evaluate(() => document.activeElement.matches('.search-more')), 'ArrowDown past the last result does not reach the button');
          await page.keyboard.press('Enter');
          await page.locator('.search-results li').nth(10).waitFor();
          const all = await page.locator('.search-results a').evaluateAll((as) => as.map((a) => a.href));
          assert.equal(all.length, RARE_PAGES, `"${query}": ${all.length} results after the button, not ${RARE_PAGES}`);
          assert.equal(new Set(all).size, all.length, 'a result is shown twice');
          for (const href of all) {
            const n = Number(/\/more\/p(\d+)\//.exec(href)?.[1]);
            assert.ok(n % RARE_EVERY === 0, `"${query}" found ${href}, which does not hold the word`);
          }
          assert.equal(await page.evaluate(() => document.activeElement.href), all[10], 'focus is not on the first new result');
          assert.ok(await button.isHidden(), 'the button stays with nothing more to show');
          assert.ok((await fragments()).length > 0, 'no fragment loaded');
        } finally {
          await close();
        }
      }
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
}
