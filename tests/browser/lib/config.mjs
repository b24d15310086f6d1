// Settings of a run, all from the environment. See README.md for what each one is for.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const env = process.env;

function list(value) {
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

// "a/b" -> "/a/b/", "" -> "/"
export function slashed(urlPath) {
  const inner = urlPath.replace(/^\/+|\/+$/g, '');
  return inner ? `/${inner}/` : '/';
}

export const suiteDir = path.resolve(here, '..');
export const projectRoot = path.resolve(env.FACTSHEET_ROOT ?? path.join(suiteDir, '..', '..'));

export const config = {
  // The generator to build the site with, run in projectRoot ...
  factsheetBin: path.resolve(projectRoot, env.FACTSHEET_BIN ?? 'target/release/factsheet'),
  // ... unless SITE_DIR names an existing build output to test as it is.
  siteDir: env.SITE_DIR ? path.resolve(env.SITE_DIR) : null,
  // The site is served under this path, as GitHub Pages serves a project site.
  basePath: slashed(env.BASE_PATH ?? '/some/sub/path/'),
  port: Number(env.PORT ?? 0),
  // Languages: the first one lives at the root, every other one under /<code>/.
  languages: list(env.LANGUAGES ?? 'en,uk'),
  expectedPages: Number(env.EXPECT_PAGES ?? 28),
  printPath: env.PRINT_PATH ?? 'print/',
  emergencySelector: env.EMERGENCY_SELECTOR ?? '.emergency, #emergency, [data-emergency]',
  chromium: env.CHROMIUM ?? '/usr/bin/chromium',
  java: env.JAVA ?? 'java',
  pdftotext: env.PDFTOTEXT ?? 'pdftotext',
  artifactsDir: path.resolve(env.ARTIFACTS_DIR ?? path.join(suiteDir, 'artifacts')),
  keepSite: Boolean(env.KEEP_SITE),
  // Quick local runs: ONLY=a11y,links runs those checks; PAGES=uk runs pages whose URL path matches.
  only: env.ONLY ? list(env.ONLY) : null,
  pageFilter: env.PAGES ? new RegExp(env.PAGES) : null,
  // How many tests of a per-page check run at once. A check of one page spends most of its time
  // waiting (page loads, network idle, fonts), so even 2 cores stay busier with 3 at once.
  concurrency: Math.max(1, Number(env.CONCURRENCY ?? 3)),
};
