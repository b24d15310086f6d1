// The build has the pages we expect: the right number, each with its twin, and a 404 page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNone } from '../lib/assert.mjs';

export default function register({ config, allPages, files }) {
  test('site: has the expected number of pages', { skip: !config.expectedPages && 'EXPECT_PAGES=0' }, () => {
    const list = allPages.map((p) => p.label).join(' ');
    assert.equal(allPages.length, config.expectedPages, `found ${allPages.length} index.html files: ${list}`);
  });

  test('site: every page has its twin in the other language', () => {
    const rels = new Set(allPages.map((p) => p.rel));
    const missing = allPages.filter((p) => !rels.has(p.twinRel)).map((p) => `${p.label} (no /${p.twinRel})`);
    assertNone(missing, 'pages without a twin');
  });

  test('site: has a 404.html at the root of the output', () => {
    assert.ok(files.includes('404.html'), 'no 404.html in the build output');
  });
}
