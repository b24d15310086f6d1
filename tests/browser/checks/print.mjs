// The print page of each language, printed to PDF by Chromium, holds the h2 heading of every one
// of its sections in document order, and the text of the emergency box; the fact sheet starts on
// the first sheet (the first section's title and its first key fact). The PDF's text comes from
// pdftotext (poppler-utils); the PDFs and their text are kept in artifacts/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNone } from '../lib/assert.mjs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs/promises';
import path from 'node:path';

const run = promisify(execFile);

// Letters and digits only, lower case: immune to line breaks, hyphenation, bullets, ligatures
// and quotes, which differ between the DOM and a PDF's text.
const squeeze = (text) => text.normalize('NFKC').toLocaleLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');

// Strings found in haystack in order; those not found after the previous match are reported.
function missingInOrder(haystack, needles) {
  const missing = [];
  let at = 0;
  for (const needle of needles) {
    const found = haystack.indexOf(squeeze(needle), at);
    if (found < 0) {
      const anywhere = haystack.includes(squeeze(needle));
      missing.push(`"${needle}"${anywhere ? ' (present, but out of order)' : ''}`);
    } else {
      at = found + squeeze(needle).length;
    }
  }
  return missing;
}

async function printToText(ctx, p) {
  const { page, close } = await ctx.open(ctx.url(p.rel));
  try {
    // What the page says on screen; page.pdf() then prints it with print media.
    const dom = await page.evaluate((selector) => {
      const main = document.querySelector('main') ?? document.body;
      let headings = [...main.querySelectorAll('h2')];
      const inSections = headings.filter((h) => h.closest('section, article'));
      if (inSections.length) headings = inSections;
      const box = document.querySelector(selector);
      const first = document.querySelector('.print-section');
      const fact = first?.querySelector('.key-facts li') ?? first?.querySelector('.content p');
      return {
        firstSection: first ? [first.querySelector('h2, h3')?.innerText ?? '', fact?.innerText.split(/\s+/).slice(0, 6).join(' ') ?? ''] : null,
        headings: headings.map((h) => h.innerText.trim()).filter(Boolean),
        emergency: box ? box.innerText.split('\n').map((l) => l.trim()).filter((l) => /[\p{L}\p{N}]/u.test(l)) : null,
      };
    }, ctx.config.emergencySelector);
    await fs.mkdir(ctx.config.artifactsDir, { recursive: true });
    const pdf = path.join(ctx.config.artifactsDir, `print-${p.lang}.pdf`);
    await page.pdf({ path: pdf, format: 'A4', printBackground: true });
    await run(ctx.config.pdftotext, ['-enc', 'UTF-8', pdf, `${pdf}.txt`]);
    await run(ctx.config.pdftotext, ['-enc', 'UTF-8', '-l', '1', pdf, `${pdf}.p1.txt`]);
    return {
      ...dom,
      pdfText: squeeze(await fs.readFile(`${pdf}.txt`, 'utf8')),
      firstSheet: squeeze(await fs.readFile(`${pdf}.p1.txt`, 'utf8')),
    };
  } finally {
    await close();
  }
}

export default function register(ctx) {
  const { languages, printPath, emergencySelector } = ctx.config;
  for (const lang of languages) {
    const rel = lang === languages[0] ? printPath : `${lang}/${printPath}`;
    const p = ctx.pages.find((page) => page.rel === rel);
    if (ctx.config.pageFilter && !p) continue;
    let printed;
    const printOnce = () => (printed ??= printToText(ctx, p));

    test(`print: /${rel} PDF has every section heading, in order`, { timeout: 120_000 }, async () => {
      assert.ok(p, `no print page at /${rel}`);
      const { headings, pdfText } = await printOnce();
      assert.ok(headings.length > 0, 'the print page has no h2 section headings in <main>');
      const missing = missingInOrder(pdfText, headings);
      assertNone(missing, `of ${headings.length} headings missing from the PDF`);
    });

    test(`print: /${rel} PDF has the emergency box`, { timeout: 120_000 }, async () => {
      assert.ok(p, `no print page at /${rel}`);
      const { emergency, pdfText } = await printOnce();
      assert.ok(emergency, `no emergency box (${emergencySelector}) on the print page`);
      assert.ok(emergency.length > 0, 'the emergency box is empty');
      const missing = missingInOrder(pdfText, emergency);
      assertNone(missing, 'lines of the emergency box missing from the PDF');
    });

    test(`print: /${rel} PDF starts the fact sheet on its first sheet`, { timeout: 120_000 }, async () => {
      assert.ok(p, `no print page at /${rel}`);
      const { firstSection, firstSheet } = await printOnce();
      assert.ok(firstSection, 'the print page has no .print-section');
      assert.ok(firstSection.every(Boolean), `the first section has no title or no text: ${JSON.stringify(firstSection)}`);
      const missing = missingInOrder(firstSheet, firstSection);
      assertNone(missing, 'of the first section\'s title and first words missing from sheet 1');
    });
  }
}
