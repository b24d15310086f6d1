// A page asks nothing of any origin but its own, every request it makes succeeds, and it logs no
// console error. Each page is loaded twice (1280 px light, 390 px dark) and scrolled to the
// bottom, so that lazy and colour-scheme-specific assets are asked for too. The service worker
// is allowed here: what it stores in the background must come from the same origin too.
import { test } from 'node:test';
import { assertNone } from '../lib/assert.mjs';

const LOCAL_SCHEMES = ['data:', 'blob:', 'about:'];

async function problemsOf(ctx, url, { expectStatus = 200 } = {}) {
  const problems = [];
  for (const [width, colorScheme] of [[1280, 'light'], [390, 'dark']]) {
    const { page, log, response, close } = await ctx.open(url, { width, colorScheme, serviceWorkers: 'allow' });
    try {
      await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
      await page.waitForLoadState('networkidle');
      const at = `(${width}px ${colorScheme})`;
      if (response?.status() !== expectStatus) problems.push(`${at} page answers ${response?.status()}, not ${expectStatus}`);
      for (const req of log.requests) {
        const u = new URL(req);
        if (u.origin !== ctx.origin && !LOCAL_SCHEMES.includes(u.protocol)) problems.push(`${at} request to another origin: ${req}`);
      }
      // A 404 page is itself a 404 response, which Chromium also logs as a console error.
      const expected = (u) => expectStatus !== 200 && u === url;
      for (const { status, url: u } of log.badResponses) if (!expected(u)) problems.push(`${at} ${u} answers ${status}`);
      for (const failed of log.failedRequests) problems.push(`${at} request failed: ${failed}`);
      for (const { text, url: u } of log.consoleErrors) if (!expected(u)) problems.push(`${at} console error: ${text}${u ? ` (${u})` : ''}`);
    } finally {
      await close();
    }
  }
  return [...new Set(problems)];
}

export default function register(ctx) {
  for (const p of ctx.pages) {
    test(`network: ${p.label} loads only from its own origin, without errors`, { timeout: 90_000 }, async () => {
      const problems = await problemsOf(ctx, ctx.url(p.rel));
      assertNone(problems, 'problems');
    });
  }
  test('network: the 404 page (at a missing URL) loads only from its own origin, without errors', { timeout: 90_000 }, async () => {
    const problems = await problemsOf(ctx, ctx.url('no/such/page/'), { expectStatus: 404 });
    assertNone(problems, 'problems');
  });
}
