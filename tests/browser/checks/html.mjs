// Every HTML file of the build is valid HTML for the Nu HTML Checker (vnu.jar from the vnu-jar
// package), run once over all files: java -jar vnu.jar --errors-only --format json FILES.
import { test } from 'node:test';
import { assertNone } from '../lib/assert.mjs';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vnuJar from 'vnu-jar';

function runVnu(java, files) {
  return new Promise((resolve, reject) => {
    const child = spawn(java, ['-jar', String(vnuJar), '--errors-only', '--format', 'json', ...files], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (out += chunk));
    child.on('error', (err) => reject(new Error(`cannot run ${java}: ${err.message}`)));
    child.on('close', (code) => {
      try {
        resolve(JSON.parse(out).messages);
      } catch {
        reject(new Error(`vnu.jar exited with ${code} and no JSON report:\n${out}`));
      }
    });
  });
}

export default function register({ config, siteDir, files }) {
  const htmlFiles = files.filter((f) => f.endsWith('.html'));
  let report;
  const messages = () => (report ??= runVnu(config.java, htmlFiles.map((f) => path.join(siteDir, f))));

  for (const file of htmlFiles) {
    test(`html: ${file} is valid (Nu HTML Checker)`, { timeout: 180_000 }, async () => {
      const errors = (await messages()).filter(
        (m) => m.url && path.resolve(fileURLToPath(m.url)) === path.join(siteDir, file),
      );
      const lines = errors.map((m) => `line ${m.lastLine ?? '?'}: ${m.message}${m.extract ? `  [${m.extract.trim().replace(/\s+/g, ' ')}]` : ''}`);
      assertNone(lines, 'errors');
    });
  }

  test('html: the checker reports nothing outside the files', { timeout: 180_000 }, async () => {
    const stray = (await messages()).filter((m) => !m.url || !htmlFiles.some((f) => path.join(siteDir, f) === path.resolve(fileURLToPath(m.url))));
    assertNone(stray.map((m) => `${m.url ?? ''} ${m.message}`), 'other messages');
  });
}
