import { chromium } from 'playwright-core';
const [,, url, out, w, h, big] = process.argv;
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const ctx = await b.newContext({ viewport: { width: +w, height: +h }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 });
const p = await ctx.newPage(); await p.goto(url);
if (big) await p.addStyleTag({ content: 'html{font-size:200% !important}' });
await p.screenshot({ path: out, fullPage: false });
await b.close();
