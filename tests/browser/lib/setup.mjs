// What every check shares: a fresh build of the site (or SITE_DIR), served under the sub-path,
// the list of its pages, one Chromium, and cached look-ups of URLs and ids.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { config, projectRoot } from './config.mjs';
import { startServer } from './server.mjs';
import { buildSite, listFiles, pagesOf } from './site.mjs';
import { idsInPage, launchBrowser, openPage } from './browser.mjs';

export async function setup() {
  const cleanups = [];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  };
  try {
    await fs.rm(config.artifactsDir, { recursive: true, force: true });
    await fs.mkdir(config.artifactsDir, { recursive: true });

    let siteDir = config.siteDir;
    if (!siteDir) {
      const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'factsheet-browser-'));
      if (!config.keepSite) cleanups.push(() => fs.rm(tmp, { recursive: true, force: true }));
      siteDir = path.join(tmp, 'site');
    }
    // The server comes first: the build needs its port for the base URL. It serves siteDir,
    // which the build then fills.
    const server = await startServer({ siteDir, basePath: config.basePath, port: config.port });
    cleanups.push(server.close);
    let build = null;
    if (!config.siteDir) {
      build = await buildSite({
        bin: config.factsheetBin,
        projectRoot,
        baseUrl: server.baseUrl,
        outputDir: siteDir,
      });
    }

    const files = await listFiles(siteDir);
    let pages = pagesOf(files, config.languages);
    const allPages = pages;
    if (config.pageFilter) pages = pages.filter((p) => config.pageFilter.test(p.label));

    const browser = await launchBrowser(config.chromium);
    cleanups.push(() => browser.close());

    return {
      config,
      siteDir,
      build,
      files,
      allPages,
      pages,
      origin: server.origin,
      baseUrl: server.baseUrl,
      browser,
      url: (rel) => server.baseUrl + rel,
      open: (url, options) => openPage(browser, url, options),
      status: cached(statusOf),
      idsOf: cached((url) => idsOf(browser, url)),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

function cached(fn) {
  const cache = new Map();
  return (key) => {
    if (!cache.has(key)) cache.set(key, fn(key));
    return cache.get(key);
  };
}

/** HTTP status of url after redirects (GET, as a browser would follow a link). */
async function statusOf(url) {
  try {
    const res = await fetch(url, { redirect: 'follow' });
    await res.arrayBuffer();
    return res.status;
  } catch (err) {
    return `unreachable (${err.message})`;
  }
}

/** Every id (and <a name>) in the page at url, as Chromium sees it. */
async function idsOf(browser, url) {
  const { page, close } = await openPage(browser, url);
  try {
    return new Set(await page.evaluate(idsInPage));
  } finally {
    await close();
  }
}
