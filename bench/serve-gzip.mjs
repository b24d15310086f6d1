// A static server for the first-paint benchmark (bench/lighthouse.sh): serves a build under a
// sub-path as GitHub Pages does, gzip-compressed as GitHub Pages sends HTML, CSS and JS (the
// test suite's server, tests/browser/lib/server.mjs, sends files as they are).
//
// node bench/serve-gzip.mjs SITE_DIR BASE_PATH PORT
import http from 'node:http';
import fs from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';

const [siteDir, basePath = '/', port = '8000'] = process.argv.slice(2);
const root = path.resolve(siteDir);
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};
const COMPRESSED = new Set(['.html', '.css', '.js', '.json', '.webmanifest', '.svg']);

async function file(urlPath) {
  if (!urlPath.startsWith(basePath)) return null;
  let f = path.join(root, decodeURIComponent(urlPath.slice(basePath.length)));
  if (!f.startsWith(root)) return null;
  const stat = await fs.stat(f).catch(() => null);
  if (stat?.isDirectory()) f = path.join(f, 'index.html');
  return (await fs.stat(f).catch(() => null))?.isFile() ? f : null;
}

http
  .createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const f = (await file(url.pathname)) ?? path.join(root, '404.html');
    const status = f.endsWith('404.html') && !url.pathname.endsWith('404.html') ? 404 : 200;
    let body = await fs.readFile(f);
    const ext = path.extname(f);
    const headers = { 'content-type': TYPES[ext] ?? 'application/octet-stream', 'cache-control': 'no-cache' };
    if (COMPRESSED.has(ext) && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
      body = zlib.gzipSync(body, { level: 6 });
      headers['content-encoding'] = 'gzip';
    }
    headers['content-length'] = body.length;
    res.writeHead(status, headers);
    res.end(body);
  })
  .listen(Number(port), '127.0.0.1', () => console.log(`serving ${root} at http://127.0.0.1:${port}${basePath}`));
