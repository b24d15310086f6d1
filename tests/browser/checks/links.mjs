// Every same-origin link, stylesheet, image and script on a page resolves (the server answers 200
// after redirects), and every #fragment names an element of the target page. Links to other
// origins, mailto: and tel: are not followed. The 404 page is checked too, at a missing URL deep
// under the site, where only absolute links can work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNone } from '../lib/assert.mjs';
import { idsInPage } from '../lib/browser.mjs';

// Every URL the page refers to, resolved, with the element that refers to it.
function referencesInPage() {
  const refs = [];
  const add = (el, attr, value) => {
    if (value) refs.push({ url: new URL(value, document.baseURI).href, where: `<${el.tagName.toLowerCase()} ${attr}="${value}">` });
  };
  const srcset = (el, attr) => {
    for (const candidate of (el.getAttribute(attr) ?? '').split(',')) add(el, attr, candidate.trim().split(/\s+/)[0]);
  };
  for (const el of document.querySelectorAll('a[href], area[href], link[href]')) add(el, 'href', el.getAttribute('href'));
  for (const el of document.querySelectorAll('img[src], script[src], source[src], iframe[src], video[src], audio[src], track[src], input[src], embed[src]')) {
    add(el, 'src', el.getAttribute('src'));
  }
  for (const el of document.querySelectorAll('video[poster]')) add(el, 'poster', el.getAttribute('poster'));
  for (const el of document.querySelectorAll('object[data]')) add(el, 'data', el.getAttribute('data'));
  for (const el of document.querySelectorAll('img[srcset], source[srcset]')) srcset(el, 'srcset');
  for (const el of document.querySelectorAll('[*|href]:not(a):not(area):not(link)')) {
    add(el, 'href', el.getAttribute('href') ?? el.getAttributeNS('http://www.w3.org/1999/xlink', 'href'));
  }
  return { refs, url: location.href };
}

function fragmentOf(url) {
  const raw = url.hash.slice(1);
  try {
    return [raw, decodeURIComponent(raw)];
  } catch {
    return [raw];
  }
}

async function brokenReferences(ctx, pageUrl) {
  const { page, close } = await ctx.open(pageUrl);
  let found;
  let ids;
  try {
    found = await page.evaluate(referencesInPage);
    ids = new Set(await page.evaluate(idsInPage));
  } finally {
    await close();
  }
  const here = new URL(found.url);
  here.hash = '';
  const broken = [];
  for (const { url: href, where } of found.refs) {
    const url = new URL(href);
    if (url.origin !== ctx.origin) continue;
    const target = new URL(url);
    target.hash = '';
    const status = target.href === here.href ? 200 : await ctx.status(target.href);
    if (status !== 200) {
      broken.push(`${where}: ${target.href} answers ${status}`);
      continue;
    }
    const fragment = fragmentOf(url);
    if (!fragment[0] || fragment.at(-1).toLowerCase() === 'top') continue;
    const targetIds = target.href === here.href ? ids : await ctx.idsOf(target.href);
    if (!fragment.some((f) => targetIds.has(f))) broken.push(`${where}: no element with id "${fragment.at(-1)}" in ${target.href}`);
  }
  return [...new Set(broken)];
}

export default function register(ctx) {
  for (const p of ctx.pages) {
    test(`links: ${p.label} links, assets and fragments resolve`, { timeout: 90_000 }, async () => {
      const broken = await brokenReferences(ctx, ctx.url(p.rel));
      assertNone(broken, 'broken references');
    });
  }
  test('links: the 404 page (at a missing URL) links, assets and fragments resolve', { timeout: 90_000 }, async () => {
    const missing = ctx.url('no/such/page/');
    assert.equal(await ctx.status(missing), 404, `${missing} should answer 404`);
    const broken = await brokenReferences(ctx, missing);
    assertNone(broken, 'broken references');
  });
}
