// axe-core finds no WCAG 2.0/2.1/2.2 A or AA violation, and nothing against its best practices,
// on any page, at 390 and 1280 px wide, in light and dark colour schemes. At 390 px the menu is
// opened first, so that its links are checked too. The light runs also save a screenshot to
// artifacts/: the whole page, except for the print pages, whose dozens of screens take longer to
// capture than the check itself (their printed form is in artifacts/ as PDFs).
import { test } from 'node:test';
import { assertNone } from '../lib/assert.mjs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { WIDTHS } from '../lib/browser.mjs';
import { axeViolations, describeViolation, WCAG_AA_BEST } from '../lib/axe.mjs';

export default function register(ctx) {
  const shots = path.join(ctx.config.artifactsDir, 'screenshots');
  for (const p of ctx.pages) {
    for (const width of Object.values(WIDTHS)) {
      for (const colorScheme of ['light', 'dark']) {
        test(`a11y: ${p.label} ${width}px ${colorScheme}`, { timeout: 90_000 }, async () => {
          const { page, close } = await ctx.open(ctx.url(p.rel), { width, colorScheme });
          try {
            if (colorScheme === 'light') {
              await fs.mkdir(shots, { recursive: true });
              const fullPage = p.inLang !== ctx.config.printPath;
              await page.screenshot({ path: path.join(shots, `${p.name}-${width}.png`), fullPage });
            }
            const summary = page.locator('.site-menu > summary');
            if (await summary.isVisible()) await summary.click();
            const violations = await axeViolations(page, { tags: WCAG_AA_BEST });
            assertNone(violations.map(describeViolation), 'axe violations');
          } finally {
            await close();
          }
        });
      }
    }
  }
}
