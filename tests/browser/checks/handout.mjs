// The handout of each language, printed to A4 PDF by Chromium, fits on at most 2 pages (pdfinfo)
// and holds the title of every page it summarises, the emergency box and the QR code's address
// (pdftotext). The PDFs and their text are kept in artifacts/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs/promises';
import path from 'node:path';
import { assertNone } from '../lib/assert.mjs';

const run = promisify(execFile);
const squeeze = (text) => text.normalize('NFKC').toLocaleLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
const HANDOUT = 'handout/';

export default function register(ctx) {
  const { languages, emergencySelector } = ctx.config;
  for (const lang of languages) {
    const rel = lang === languages[0] ? HANDOUT : `${lang}/${HANDOUT}`;
    const p = ctx.pages.find((page) => page.rel === rel);
    if (ctx.config.pageFilter && !p) continue;

    test(`handout: /${rel} prints on at most 2 A4 pages with every section, the emergency box and the QR code`, { timeout: 120_000 }, async () => {
      assert.ok(p, `no handout at /${rel}`);
      const { page, close } = await ctx.open(ctx.url(p.rel));
      try {
        const dom = await page.evaluate((selector) => ({
          titles: [...document.querySelectorAll('.handout-section h2')].map((h) => h.innerText.trim()),
          emergency: document.querySelector(selector)?.innerText ?? '',
          qr: document.querySelector('.handout-qr svg[role="img"][aria-label]')?.getAttribute('aria-label') ?? null,
          address: document.querySelector('.handout-qr p a')?.innerText ?? '',
        }), emergencySelector);
        assert.ok(dom.titles.length >= 5, `only ${dom.titles.length} sections`);
        assert.ok(dom.qr, 'no named QR code image');
        await fs.mkdir(ctx.config.artifactsDir, { recursive: true });
        const pdf = path.join(ctx.config.artifactsDir, `handout-${lang}.pdf`);
        await page.pdf({ path: pdf, format: 'A4', printBackground: true });
        const info = (await run('pdfinfo', [pdf])).stdout;
        const pages = Number(info.match(/^Pages:\s+(\d+)/m)?.[1]);
        assert.ok(pages >= 1 && pages <= 2, `the handout prints on ${pages} A4 pages (at most 2)`);
        await run(ctx.config.pdftotext, ['-enc', 'UTF-8', pdf, `${pdf}.txt`]);
        const text = squeeze(await fs.readFile(`${pdf}.txt`, 'utf8'));
        const missing = [...dom.titles, dom.address, ...dom.emergency.split('\n').filter((l) => /\p{L}/u.test(l))]
          .filter((s) => !text.includes(squeeze(s)))
          .map((s) => `"${s}"`);
        assertNone(missing, 'texts missing from the PDF');
      } finally {
        await close();
      }
    });
  }
}
