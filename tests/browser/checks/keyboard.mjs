// Keyboard: the first Tab after a fresh page load focuses the skip link (a.skip-link, or the first
// link to "#main"), which is then visible on screen, and Enter on it moves focus into <main>.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeElement } from '../lib/browser.mjs';

// Runs in the page: what has focus, and whether it is the skip link / inside <main>.
const focusState = `(() => {
  const describe = ${describeElement};
  const skip = document.querySelector('a.skip-link') ??
    [...document.querySelectorAll('a[href]')].find((a) => a.getAttribute('href') === '#main');
  const main = document.querySelector('main');
  const active = document.activeElement;
  const box = skip?.getBoundingClientRect();
  return {
    skip: skip ? describe(skip) : null,
    active: describe(active),
    onSkip: Boolean(skip) && active === skip,
    skipVisible: Boolean(box) && box.width > 1 && box.height > 1 && box.bottom > 0 && box.right > 0 &&
      box.top < innerHeight && box.left < innerWidth,
    inMain: Boolean(main) && (active === main || main.contains(active)),
  };
})()`;

export default function register(ctx) {
  for (const p of ctx.pages) {
    test(`keyboard: ${p.label} Tab reaches the skip link, Enter moves focus into <main>`, { timeout: 60_000 }, async () => {
      const { page, close } = await ctx.open(ctx.url(p.rel));
      try {
        await page.keyboard.press('Tab');
        await page.waitForTimeout(500); // let a sliding skip link finish its transition
        const first = await page.evaluate(focusState);
        assert.ok(first.skip, 'no skip link (a.skip-link or a[href="#main"]) on the page');
        assert.ok(first.onSkip, `the first Tab focuses ${first.active}, not the skip link ${first.skip}`);
        assert.ok(first.skipVisible, `the focused skip link ${first.skip} is not visible in the viewport`);
        await page.keyboard.press('Enter');
        await page.waitForTimeout(100);
        const after = await page.evaluate(focusState);
        assert.ok(after.inMain, `after Enter on the skip link, focus is on ${after.active}, not in <main>`);
      } finally {
        await close();
      }
    });
  }
}
