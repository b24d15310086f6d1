// Debian's Chromium, driven by playwright-core. One browser for the whole run; every check opens
// its page in a fresh context, which records every request, failed response and console error.
import { chromium } from 'playwright-core';

// Without the background-networking flags Chromium's own connections are refused here.
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchBrowser(executablePath) {
  return chromium.launch({ executablePath, headless: true, args: FLAGS });
}

export const WIDTHS = { narrow: 390, wide: 1280 };
const HEIGHTS = { 390: 844, 1280: 800 };

/**
 * Opens url in a new context. Options: width (390|1280), colorScheme ('light'|'dark'),
 * javaScriptEnabled, waitUntil; height (default: 844 at 390 px, else 800); mobile (a phone's
 * touch screen and viewport handling); initScript (run in every document before its own
 * scripts); serviceWorkers ('block' by default, 'allow' to let a page register static/sw.js).
 * Blocked by default because a registered worker stores every page of the language in the
 * background, which a check of one page does not need and which made the whole run twice as
 * long; the network and sw checks allow it, since what the worker asks for is what they check. Returns { page, context, log, close() }; log holds
 * requests (every URL asked for), badResponses (status >= 400), failedRequests and
 * consoleErrors ({ text, url } of console.error messages and uncaught page errors).
 */
export async function openPage(browser, url, options = {}) {
  const { width = 1280, colorScheme = 'light', javaScriptEnabled = true, waitUntil = 'load' } = options;
  const { height = HEIGHTS[width] ?? 800, mobile = false, initScript = null, serviceWorkers = 'block' } = options;
  const context = await browser.newContext({
    viewport: { width, height },
    javaScriptEnabled,
    serviceWorkers,
    ...(mobile ? { isMobile: true, hasTouch: true } : {}),
  });
  if (initScript) await context.addInitScript(initScript);
  // Generous: checks run side by side (config.concurrency) on machines slower than a laptop.
  context.setDefaultTimeout(45_000);
  const page = await context.newPage();
  const log = { requests: [], badResponses: [], failedRequests: [], consoleErrors: [] };
  page.on('request', (req) => log.requests.push(req.url()));
  page.on('response', (res) => {
    if (res.status() >= 400) log.badResponses.push({ status: res.status(), url: res.url() });
  });
  page.on('requestfailed', (req) => log.failedRequests.push(`${req.url()} (${req.failure()?.errorText})`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') log.consoleErrors.push({ text: msg.text(), url: msg.location().url });
  });
  page.on('pageerror', (err) => log.consoleErrors.push({ text: `uncaught: ${err.message}`, url: page.url() }));
  await page.emulateMedia({ colorScheme });
  const response = await page.goto(url, { waitUntil });
  return { page, context, log, response, close: () => context.close() };
}

/** Runs in the page: every id, and every <a name>, that a #fragment can point at. */
export function idsInPage() {
  return [
    ...[...document.querySelectorAll('[id]')].map((e) => e.id),
    ...[...document.querySelectorAll('a[name]')].map((e) => e.getAttribute('name')),
  ];
}

/** A short description of an element for messages: a#id.class "text". */
export function describeElement(el) {
  if (!el) return 'nothing';
  let s = el.tagName.toLowerCase();
  if (el.id) s += `#${el.id}`;
  for (const c of el.classList ?? []) s += `.${c}`;
  const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40);
  return text ? `${s} "${text}"` : s;
}
