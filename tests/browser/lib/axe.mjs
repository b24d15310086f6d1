// axe-core, injected from its npm package (not @axe-core/playwright, which needs a newer Node).
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';

const axeSource = await fs.readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** WCAG 2.0, 2.1 and 2.2, levels A and AA. */
export const WCAG_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** WCAG A and AA, and axe's best practices (unique landmarks, one h1, headings in order...). */
export const WCAG_AA_BEST = [...WCAG_AA, 'best-practice'];

/** The violations on the page, or only inside `selector`. */
export async function axeViolations(page, { tags = WCAG_AA, selector = null } = {}) {
  await page.evaluate(axeSource);
  return page.evaluate(async ({ tags, selector }) => {
    const context = selector ? { include: [[selector]] } : document;
    const results = await window.axe.run(context, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
    });
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
    }));
  }, { tags, selector });
}

/** A violation as readable lines: rule, impact, help, and the first few elements. */
export function describeViolation(v) {
  const nodes = v.nodes.slice(0, 5).map((n) => `    ${n.target}\n      ${n.summary.replace(/\n/g, '\n      ')}`);
  const more = v.nodes.length > 5 ? `\n    ... and ${v.nodes.length - 5} more` : '';
  return `${v.id} (${v.impact}): ${v.help}, ${v.nodes.length} element(s)\n${nodes.join('\n')}${more}`;
}
