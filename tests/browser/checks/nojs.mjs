// Every page is readable with JavaScript off: its <main> holds real text (over 200 characters).
import { test } from 'node:test';
import assert from 'node:assert/strict';

const MIN_CHARS = 200;

export default function register(ctx) {
  for (const p of ctx.pages) {
    test(`nojs: ${p.label} is readable without JavaScript`, { timeout: 60_000 }, async () => {
      const { page, close } = await ctx.open(ctx.url(p.rel), { javaScriptEnabled: false });
      try {
        const mains = await page.locator('main').count();
        assert.equal(mains, 1, `the page has ${mains} <main> elements, not 1`);
        const text = (await page.locator('main').innerText()).replace(/\s+/g, ' ').trim();
        assert.ok(text.length > MIN_CHARS, `<main> shows only ${text.length} characters: "${text.slice(0, 120)}"`);
      } finally {
        await close();
      }
    });
  }
}
