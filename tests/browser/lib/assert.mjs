import assert from 'node:assert/strict';

/** Fails with one line per problem: "3 broken references:\n- ...". */
export function assertNone(problems, what) {
  if (problems.length) assert.fail(`${problems.length} ${what}:\n${problems.map((p) => `- ${p}`).join('\n')}`);
}
