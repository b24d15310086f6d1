// Reporter for node:test: one line per test as it ends, then a plain summary: the failures
// again, a count per check ("a11y: 88 passed, 0 failed"), and a last line exactly
// "N passed, N failed". Test names start with their check's name and a colon.
function errorText(error) {
  const err = error?.cause ?? error;
  if (!err) return 'failed';
  const message = err.message ?? String(err);
  const isAssertion = err.code === 'ERR_ASSERTION' || err.name === 'AssertionError';
  // Stacks of our own assertions say nothing; keep them for unexpected errors.
  return isAssertion || !err.stack ? message : err.stack;
}

function indent(text, prefix = '      ') {
  return text.trimEnd().split('\n').map((line) => prefix + line).join('\n');
}

export default async function* reporter(source) {
  const counts = new Map();
  const failures = [];
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for await (const { type, data } of source) {
    if (type !== 'test:pass' && type !== 'test:fail') continue;
    if (data.details?.type === 'suite') continue;
    const group = data.name.includes(':') ? data.name.slice(0, data.name.indexOf(':')) : 'other';
    if (!counts.has(group)) counts.set(group, { passed: 0, failed: 0, skipped: 0 });
    const count = counts.get(group);
    const seconds = ((data.details?.duration_ms ?? 0) / 1000).toFixed(1);
    if (data.skip !== undefined || data.todo !== undefined) {
      skipped += 1;
      count.skipped += 1;
      const reason = typeof data.skip === 'string' ? ` (${data.skip})` : '';
      yield `skip  ${data.name}${reason}\n`;
    } else if (type === 'test:pass') {
      passed += 1;
      count.passed += 1;
      yield `ok    ${data.name} [${seconds}s]\n`;
    } else {
      failed += 1;
      count.failed += 1;
      const text = errorText(data.details?.error);
      failures.push({ name: data.name, text });
      yield `FAIL  ${data.name} [${seconds}s]\n${indent(text)}\n`;
    }
  }

  let summary = '\n==== Summary ====\n';
  if (failures.length) {
    summary += `\nFailures (${failures.length}):\n`;
    for (const { name, text } of failures) summary += `\n  FAIL ${name}\n${indent(text)}\n`;
    summary += '\n';
  }
  for (const [group, c] of counts) {
    const skip = c.skipped ? `, ${c.skipped} skipped` : '';
    summary += `  ${group.padEnd(10)} ${c.passed} passed, ${c.failed} failed${skip}\n`;
  }
  if (skipped) summary += `  (${skipped} skipped)\n`;
  summary += `${passed} passed, ${failed} failed\n`;
  yield summary;
}
