// A plain static file server that serves a build under a sub-path, as GitHub Pages serves a
// project site: /base/path/x/ -> <siteDir>/x/index.html, /base/path/x -> 301 to /base/path/x/,
// and any missing path -> 404 with the body of <siteDir>/404.html. No directory listings.
//
// Standalone: node lib/server.mjs SITE_DIR [BASE_PATH] [PORT]
import http from 'node:http';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { slashed } from './config.mjs';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.xml': 'application/xml',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.pdf': 'application/pdf',
};

async function statOrNull(file) {
  try {
    return await fs.stat(file);
  } catch {
    return null;
  }
}

/** Starts the server; resolves to { server, origin, baseUrl, close() }. */
export async function startServer({ siteDir, basePath = '/', port = 0, host = '127.0.0.1' }) {
  const root = path.resolve(siteDir);

  async function send(req, res, status, file, headers = {}) {
    const body = await fs.readFile(file);
    res.writeHead(status, {
      'content-type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
      'content-length': body.length,
      'cache-control': 'no-store',
      ...headers,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  async function notFound(req, res) {
    const page = path.join(root, '404.html');
    if (await statOrNull(page)) return send(req, res, 404, page);
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(req.method === 'HEAD' ? undefined : 'Not found\n');
  }

  async function handle(req, res) {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' });
      return res.end();
    }
    const url = new URL(req.url, 'http://localhost');
    let urlPath;
    try {
      urlPath = decodeURIComponent(url.pathname);
    } catch {
      return notFound(req, res);
    }
    if (`${urlPath}/` === basePath) {
      res.writeHead(301, { location: basePath + url.search });
      return res.end();
    }
    if (!urlPath.startsWith(basePath) || urlPath.includes('\0')) return notFound(req, res);
    const file = path.join(root, urlPath.slice(basePath.length));
    if (file !== root && !file.startsWith(root + path.sep)) return notFound(req, res);

    const stat = await statOrNull(file);
    if (stat?.isFile()) return send(req, res, 200, file);
    if (stat?.isDirectory()) {
      if (!url.pathname.endsWith('/')) {
        res.writeHead(301, { location: `${url.pathname}/${url.search}` });
        return res.end();
      }
      const index = path.join(file, 'index.html');
      if ((await statOrNull(index))?.isFile()) return send(req, res, 200, index);
    }
    return notFound(req, res);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(String(err));
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const origin = `http://${host}:${server.address().port}`;
  return {
    server,
    origin,
    baseUrl: origin + basePath,
    close: () => new Promise((resolve) => {
      server.close(resolve);
      server.closeAllConnections();
    }),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [siteDir, basePath = '/', port = '8000'] = process.argv.slice(2);
  if (!siteDir) {
    console.error('usage: node lib/server.mjs SITE_DIR [BASE_PATH] [PORT]');
    process.exit(2);
  }
  const { baseUrl } = await startServer({ siteDir, basePath: slashed(basePath), port: Number(port) });
  console.log(`serving ${siteDir} at ${baseUrl}`);
}
