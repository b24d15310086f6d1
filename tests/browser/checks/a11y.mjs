// axe-core finds no WCAG 2.0/2.1/2.2 A or AA violation on any page, at 390 and 1280 px wide, in
// light and dark colour schemes. The light runs also save a full-page screenshot to artifacts/.
import { test } from 'node:test';
import { assertNone } from '../lib/assert.mjs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { createRequire } from 'node:module';
import { WIDTHS } from '../lib/browser.mjs';

const axeSource = await fs.readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

async function axeViolations(page) {
  await page.evaluate(axeSource);
  return page.evaluate(async (tags) => {
    const results = await window.axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
    });
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
    }));
  }, TAGS);
}

function describeViolation(v) {
  const nodes = v.nodes.slice(0, 5).map((n) => `    ${n.target}\n      ${n.summary.replace(/\n/g, '\n      ')}`);
  const more = v.nodes.length > 5 ? `\n    ... and ${v.nodes.length - 5} more` : '';
  return `${v.id} (${v.impact}): ${v.help}, ${v.nodes.length} element(s)\n${nodes.join('\n')}${more}`;
}

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
              await page.screenshot({ path: path.join(shots, `${p.name}-${width}.png`), fullPage: true });
            }
            const violations = await axeViolations(page);
            assertNone(violations.map(describeViolation), 'axe violations');
          } finally {
            await close();
          }
        });
      }
    }
  }
}
