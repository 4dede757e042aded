import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTableFile } from '../../src/io/node/read-table.js';
import { Preprocessor } from '../../src/workflow/preprocessor.js';

test('the features in a line name a column of many levels once, with its count, and list a few levels in full', async () => {
  const csv = join(mkdtempSync(join(tmpdir(), 'mlpkit-features-')), 'shops.csv');
  const lines = ['store,region,price,y'];
  for (let i = 0; i < 400; i++) lines.push(`S${i % 40},${['north', 'south', 'east'][i % 3]},${(i % 17) / 4},${i % 2}`);
  writeFileSync(csv, lines.join('\n') + '\n');
  const prep = Preprocessor.fit(await readTableFile(csv), { target: 'y' });
  assert.equal(prep.featureNames.length, 40 + 3 + 1, 'one input per level and one for the number');
  assert.equal(prep.featureSummary, 'store (40 one-hot levels: S0, S1, S10, …), region (one-hot: east, north, south), price');
});
