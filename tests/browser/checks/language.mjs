// The language switcher in the header leads to the same page in the other language: following
// the header's a[hreflang] for the other language lands on the twin (/X/ <-> /uk/X/), and
// <html lang> changes with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';

const primary = (tag) => (tag ?? '').toLowerCase().split('-')[0];

export default function register(ctx) {
  for (const p of ctx.pages) {
    test(`language: ${p.label} switches to ${p.twinLang} (/${p.twinRel})`, { timeout: 60_000 }, async () => {
      const { page, close } = await ctx.open(ctx.url(p.rel));
      try {
        const lang = await page.locator('html').getAttribute('lang');
        assert.equal(primary(lang), p.lang, `<html lang="${lang}"> on a page of language ${p.lang}`);
        const links = page.locator('header a[hreflang]');
        const hreflangs = await links.evaluateAll((as) => as.map((a) => a.getAttribute('hreflang')));
        const index = hreflangs.findIndex((h) => primary(h) === p.twinLang);
        assert.ok(index >= 0, `no <a hreflang="${p.twinLang}"> in the page's <header> (found: ${hreflangs.join(', ') || 'none'})`);
        await Promise.all([
          page.waitForURL((u) => u.href !== ctx.url(p.rel), { waitUntil: 'commit' }),
          links.nth(index).click(),
        ]);
        await page.waitForLoadState('load');
        const landed = new URL(page.url());
        landed.hash = '';
        assert.equal(landed.href, ctx.url(p.twinRel), 'the switcher leads elsewhere than the twin');
        const twinLang = await page.locator('html').getAttribute('lang');
        assert.equal(primary(twinLang), p.twinLang, `the twin has <html lang="${twinLang}">`);
      } finally {
        await close();
      }
    });
  }
}
