// Every public export carries a doc comment (the API reference of `npm run docs` is made of them), and the
// reference covers exactly the entries package.json exports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ENTRIES, undocumentedExports } from '../helpers/api-docs.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const json = <T>(file: string): T => JSON.parse(readFileSync(`${root}${file}`, 'utf8')) as T;

test('every export of every entry has a doc comment', () => {
  const missing = undocumentedExports().map((u) => `${u.entry}: ${u.name} (${u.file}:${u.line})`);
  assert.deepEqual(missing, [], `undocumented exports:\n${missing.join('\n')}`);
});

test("typedoc documents the entries with types in package.json's exports, and only those", () => {
  const exportsMap = json<{ exports: Record<string, { types?: string } | string> }>('package.json').exports;
  const typed = Object.values(exportsMap).flatMap((e) => (typeof e === 'object' && e.types !== undefined ? [e.types] : []))
    .map((t) => t.replace(/^\.\/dist\//, '').replace(/\.d\.ts$/, '.ts'));
  assert.deepEqual([...typed].sort(), [...ENTRIES].sort());
  assert.deepEqual([...json<{ entryPoints: string[] }>('typedoc.json').entryPoints].sort(), [...ENTRIES].sort());
});
