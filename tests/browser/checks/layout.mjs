// The page on a phone, as a patient meets it (issue 20):
// - at 360x640 the emergency box starts on the first screen and ends within 1.25 screens;
// - at 390x844 the key facts start within 1.2 screens;
// - with the root font size doubled at 320 px wide (a phone's large-text setting, WCAG 2.2
//   SC 1.4.4 and 1.4.10), the page does not scroll sideways, and no word of the header, the
//   opened menu or the opened search box is split across lines or runs off the screen;
// - the search button search.js puts in place of the link is the link's size: nothing moves;
// - the menu is a disclosure the keyboard opens on a phone, and is open beside the page on a
//   wide screen;
// - printed, the page shows no control: no skip link, menu, language switch or search, even
//   with the menu and the search box open.
// Every page of both languages, with JavaScript on (the search button is the script's).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNone } from '../lib/assert.mjs';
import { describeElement } from '../lib/browser.mjs';

const SMALL = { width: 360, height: 640 };
const PHONE = { width: 390, height: 844 };
const LARGE_TEXT = { width: 320, height: 640 };
const NO_KEY_FACTS = ['print/', 'sources/', 'search/', 'handout/'];

/** Runs in the page: top and bottom of the first element matching each selector, in page px. */
function positions({ emergency }) {
  const box = (el) => {
    if (!el) return null;
    const r = el.getBoundingClientRect();
    return { top: Math.round(r.top + scrollY), bottom: Math.round(r.bottom + scrollY) };
  };
  // The page's own key facts box: on the print page every section has one, and none is the page's.
  const keyFacts = [...document.querySelectorAll('main .key-facts')].find((el) => !el.closest('.print-section'));
  return { emergency: box(document.querySelector(emergency)), keyFacts: box(keyFacts) };
}

// Doubles the root font size once the page is parsed, as a browser's text size setting does:
// the stylesheet sizes text in rem. (Chromium's own font size setting has no effect headless.)
const doubleText = () => {
  document.addEventListener('DOMContentLoaded', () => {
    document.documentElement.style.setProperty('font-size', '200%', 'important');
  });
};

/**
 * Runs in the page: every word of the header, the menu and the search whose DOM range is split
 * over two lines or reaches past the left or right edge of the viewport. A word's range gives
 * one rectangle per line (and per inline element), so two tops mean two lines.
 */
function brokenWords() {
  const problems = [];
  const roots = document.querySelectorAll('.site-header, .site-menu, .site-search, .skip-link');
  const width = document.documentElement.clientWidth;
  for (const root of roots) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (parent.closest('.visually-hidden, [hidden]') || !parent.checkVisibility()) continue;
      for (const m of node.data.matchAll(/\S+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const rects = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
        const lines = new Set(rects.map((r) => Math.round(r.top)));
        if (lines.size > 1) problems.push(`"${m[0]}" is split over ${lines.size} lines`);
        const out = rects.find((r) => r.left < -0.5 || r.right > width + 0.5);
        if (out) problems.push(`"${m[0]}" reaches ${Math.round(out.left)}–${Math.round(out.right)} px, outside 0–${width}`);
      }
    }
  }
  return problems;
}

/** Runs in the page: the controls that print media still shows. */
function printedControls() {
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += `#${el.id}`;
    for (const c of el.classList) s += `.${c}`;
    return s;
  };
  const controls = document.querySelectorAll(
    'button, input, select, textarea, summary, form, [role="search"], .skip-link, .site-nav, .lang-switch, .search-link',
  );
  return [...controls].filter((el) => el.checkVisibility()).map(describe);
}

// The menu and the search box open where they fold (a theme may show them open already).
async function openMenu(page) {
  const summary = page.locator('.site-menu > summary');
  if (await summary.isVisible()) await summary.click();
  await page.locator('.site-nav a').first().waitFor({ state: 'visible' });
}

async function openSearch(page) {
  const toggle = page.locator('.search-toggle');
  if (await toggle.isVisible()) await toggle.click();
  await page.locator('#search-input').waitFor({ state: 'visible' });
}

export default function register(ctx) {
  const { emergencySelector } = ctx.config;
  for (const p of ctx.pages) {
    test(`layout: ${p.label} at 360x640 the emergency box starts on screen 1 and ends by 800 px`, { timeout: 60_000 }, async () => {
      const { page, close } = await ctx.open(ctx.url(p.rel), { ...SMALL, mobile: true });
      try {
        const { emergency } = await page.evaluate(positions, { emergency: emergencySelector });
        assert.ok(emergency, `no emergency box (${emergencySelector})`);
        assert.ok(emergency.top < SMALL.height, `the emergency box starts at ${emergency.top} px, below the first screen (${SMALL.height} px)`);
        assert.ok(emergency.bottom <= SMALL.height * 1.25, `the emergency box ends at ${emergency.bottom} px, past 1.25 screens (${SMALL.height * 1.25} px)`);
      } finally {
        await close();
      }
    });

    test(`layout: ${p.label} at 390x844 the emergency box starts on screen 1, the key facts by 1013 px`, { timeout: 60_000 }, async () => {
      const { page, close } = await ctx.open(ctx.url(p.rel), { ...PHONE, mobile: true });
      try {
        const { emergency, keyFacts } = await page.evaluate(positions, { emergency: emergencySelector });
        assert.ok(emergency, `no emergency box (${emergencySelector})`);
        assert.ok(emergency.top < PHONE.height, `the emergency box starts at ${emergency.top} px, below the first screen`);
        // Every content page opens with key facts (the build requires it); the print, sources
        // and search pages have none of their own.
        if (!NO_KEY_FACTS.includes(p.inLang)) {
          assert.ok(keyFacts, 'no key facts box on the page');
          const limit = Math.round(PHONE.height * 1.2);
          assert.ok(keyFacts.top <= limit, `the key facts start at ${keyFacts.top} px, past 1.2 screens (${limit} px)`);
        }
      } finally {
        await close();
      }
    });

    test(`layout: ${p.label} at 390x844 nothing moves when search.js replaces the search link`, { timeout: 60_000 }, async () => {
      const where = async (javaScriptEnabled) => {
        const { page, close } = await ctx.open(ctx.url(p.rel), { ...PHONE, mobile: true, javaScriptEnabled });
        try {
          return await page.evaluate(positions, { emergency: emergencySelector });
        } finally {
          await close();
        }
      };
      const [without, withScript] = [await where(false), await where(true)];
      assert.ok(without.emergency, `no emergency box (${emergencySelector})`);
      assert.deepEqual(withScript, without, 'the emergency box and key facts sit elsewhere once the script has run');
    });

    test(`layout: ${p.label} at 320 px with 200 % text: no sideways scroll, no word of header or menu split`, { timeout: 60_000 }, async () => {
      const { page, close } = await ctx.open(ctx.url(p.rel), { ...LARGE_TEXT, mobile: true, initScript: doubleText });
      try {
        const rootSize = await page.evaluate(() => getComputedStyle(document.documentElement).fontSize);
        assert.equal(rootSize, '32px', 'the root font size was not doubled');
        const problems = [];
        const seen = new Set();
        for (const step of ['closed', 'menu open', 'search open']) {
          if (step === 'menu open') await openMenu(page);
          if (step === 'search open') await openSearch(page);
          const [scrollWidth, clientWidth] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
          if (scrollWidth > clientWidth) problems.push(`${step}: the page is ${scrollWidth} px wide in a ${clientWidth} px viewport`);
          for (const word of await page.evaluate(brokenWords)) {
            if (!seen.has(word)) problems.push(`${step}: ${word}`);
            seen.add(word);
          }
        }
        assertNone(problems, 'problems with large text');
      } finally {
        await close();
      }
    });

    test(`layout: ${p.label} printed shows no control, with the menu and the search box open`, { timeout: 60_000 }, async () => {
      const { page, close } = await ctx.open(ctx.url(p.rel), { ...PHONE });
      try {
        await openMenu(page);
        await openSearch(page);
        assert.ok((await page.evaluate(printedControls)).length > 0, 'no control is shown on screen: the check sees nothing');
        await page.emulateMedia({ media: 'print' });
        assertNone(await page.evaluate(printedControls), 'controls shown in print');
      } finally {
        await close();
      }
    });
  }

  for (const rel of ['risks/', 'uk/risks/']) {
    if (!ctx.pages.some((p) => p.rel === rel)) continue;
    test(`layout: /${rel} on a phone the keyboard opens the menu and reaches its links`, { timeout: 60_000 }, async () => {
      const { page, close } = await ctx.open(ctx.url(rel), { ...PHONE });
      try {
        assert.ok(await page.locator('.site-nav a').first().isHidden(), 'the menu is open before it is asked for');
        let onSummary = false;
        for (let i = 0; i < 8 && !onSummary; i++) {
          await page.keyboard.press('Tab');
          onSummary = await page.evaluate(() => document.activeElement.matches('.site-menu > summary'));
        }
        assert.ok(onSummary, 'Tab does not reach the menu button');
        await page.keyboard.press('Enter');
        assert.ok(await page.locator('.site-menu').evaluate((d) => d.open), 'Enter does not open the menu');
        await page.keyboard.press('Tab');
        const focused = await page.evaluate(`(${describeElement})(document.activeElement)`);
        assert.ok(await page.evaluate(() => document.activeElement.matches('.site-nav a')), `Tab from the open menu's button goes to ${focused}, not to its first link`);
      } finally {
        await close();
      }
    });

    test(`layout: /${rel} without JavaScript the menu opens and the search link leads to the list of pages`, { timeout: 60_000 }, async () => {
      const { page, close } = await ctx.open(ctx.url(rel), { ...SMALL, mobile: true, javaScriptEnabled: false });
      try {
        const link = page.locator('.site-search a');
        assert.ok(await link.isVisible(), 'no visible search link without JavaScript');
        const lang = rel.startsWith('uk/') ? 'uk/' : '';
        assert.equal(new URL(await link.getAttribute('href'), page.url()).href, ctx.url(`${lang}search/`));
        const [summaryBox, linkBox] = [await page.locator('.site-menu > summary').boundingBox(), await link.boundingBox()];
        assert.equal(Math.round(linkBox.y), Math.round(summaryBox.y), 'the search link is not on the menu button\'s row');
        await page.locator('.site-menu > summary').click();
        assert.ok(await page.locator('.site-nav a[aria-current="page"]').isVisible(), 'the menu does not open, or does not mark this page');
      } finally {
        await close();
      }
    });

    test(`layout: /${rel} on a wide screen the menu is open beside the page, with no button`, { timeout: 60_000 }, async () => {
      const { page, close } = await ctx.open(ctx.url(rel), { width: 1280 });
      try {
        assert.ok(await page.locator('.site-menu > summary').isHidden(), 'the menu button shows on a wide screen');
        const links = page.locator('.site-nav a');
        const count = await links.count();
        for (let i = 0; i < count; i++) {
          assert.ok(await links.nth(i).isVisible(), `menu link ${i + 1} of ${count} is hidden on a wide screen`);
        }
        await links.last().focus();
        assert.ok(await page.evaluate(() => document.activeElement.matches('.site-nav a')), 'the last menu link cannot take focus');
      } finally {
        await close();
      }
    });
  }
}
