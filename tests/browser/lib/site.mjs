// Building the site with the generator, and finding its pages in the output.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** What a build reads: content, theme, UI strings and settings (a file may be absent). */
const PROJECT_FILES = ['content', 'templates', 'static', 'i18n', 'site.toml', 'sources.toml', 'terms.toml'];

/**
 * Copies the project's files from projectRoot into a new temporary folder named prefix + a
 * random suffix, for checks that change or add to them; the project itself is never touched.
 * Returns the folder.
 */
export async function copyProject(projectRoot, prefix) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  for (const item of PROJECT_FILES) {
    await fs.cp(path.join(projectRoot, item), path.join(dir, item), { recursive: true }).catch((e) => {
      if (e.code !== 'ENOENT') throw e;
    });
  }
  return dir;
}

/** Runs `factsheet build --base-url URL --output-dir DIR [extraArgs]` in the project root. */
export async function buildSite({ bin, projectRoot, baseUrl, outputDir, extraArgs = [] }) {
  const args = ['build', '--base-url', baseUrl, '--output-dir', outputDir, ...extraArgs];
  const started = Date.now();
  const { code, output } = await new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (err) => reject(new Error(`cannot run ${bin}: ${err.message}`)));
    child.on('close', (code) => resolve({ code, output }));
  });
  if (code !== 0) {
    throw new Error(`${bin} ${args.join(' ')} exited with ${code}:\n${output.trimEnd()}`);
  }
  return { seconds: (Date.now() - started) / 1000, output };
}

/** Every file under dir, as paths relative to dir with forward slashes, sorted. */
export async function listFiles(dir) {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath ?? e.path, e.name)).split(path.sep).join('/'))
    .sort();
}

/**
 * The pages of a build: every index.html (404.html is not one). Each page is
 * { rel: 'uk/risks/', label: '/uk/risks/', lang: 'uk', twinRel: 'risks/', name: 'uk_risks' }:
 * the first language lives at the root, every other one under /<code>/, and a page's twin is
 * the same path in the other language (with two languages; more would need a twin per language).
 */
export function pagesOf(files, languages) {
  const [defaultLang, ...others] = languages;
  return files
    .filter((f) => f === 'index.html' || f.endsWith('/index.html'))
    .map((f) => {
      const rel = f.slice(0, -'index.html'.length);
      const first = rel.split('/')[0];
      const lang = others.includes(first) ? first : defaultLang;
      const inLang = lang === defaultLang ? rel : rel.slice(first.length + 1);
      const twinLang = lang === defaultLang ? others[0] : defaultLang;
      const twinRel = twinLang === defaultLang ? inLang : `${twinLang}/${inLang}`;
      return {
        rel,
        label: `/${rel}`,
        lang,
        inLang,
        twinLang,
        twinRel,
        name: rel ? rel.slice(0, -1).replaceAll('/', '_') : 'index',
      };
    })
    .sort((a, b) => (a.label < b.label ? -1 : 1));
}
