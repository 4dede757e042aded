import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TableError, readTableSync, tableFromColumns, tableFromRows, type Table } from '../../src/index.js';

function summary(t: Table): unknown[] {
  return t.columns.map((c) => {
    switch (c.type) {
      case 'number': return [c.name, c.type, [...c.values]];
      case 'category':
      case 'boolean': return [c.name, c.type, [...c.codes], c.levels];
      case 'empty': return [c.name, c.type, c.missing];
    }
  });
}

test('rows of objects follow the rules of CSV cells: numbers, numeric strings, missing markers, booleans', () => {
  const rows = [
    { a: 1, b: 'x', c: true, d: '1.5', e: null },
    { a: 2.5, b: 'NA', c: false, d: '2', e: undefined },
    { a: NaN, b: 'y', d: 3 },
  ];
  const t = tableFromRows(rows);
  const csv = readTableSync('a,b,c,d,e\n1,x,true,1.5,\n2.5,NA,false,2,\nNaN,y,,3,\n');
  assert.deepEqual(summary(t), summary(csv));
  assert.equal(t.format.kind, 'rows');
});

test('arrays of cells take a header; a ragged row names its line', () => {
  const t = tableFromRows([[1, 'a'], [2, 'b']], { header: ['n', 's'] });
  assert.deepEqual(summary(t), [['n', 'number', [1, 2]], ['s', 'category', [0, 1], ['a', 'b']]]);
  assert.throws(() => tableFromRows([[1, 'a'], [2]], { header: ['n', 's'] }), /rows, line 3: 1 cells, but the header has 2 columns/);
  assert.throws(() => tableFromRows([[1, 'a']]), /arrays of cells need the option header/);
});

test('a text value in a numeric column of rows is an error naming the row as a CSV line, the column and the value', () => {
  const rows = Array.from({ length: 20 }, (_, i) => ({ x: i === 17 ? 'oops' : i }));
  assert.throws(() => tableFromRows(rows, { source: 'train rows' }), (e: unknown) => {
    assert.ok(e instanceof TableError);
    assert.match(e.message, /^train rows, line 19, column 'x' \(column 1\): 'oops' is not a number/);
    return true;
  });
  assert.throws(() => tableFromRows([{ x: 1 }, { x: 2 }, { x: Infinity }]), /'Infinity' is not a number/);
});

test('columns of typed arrays and of values make the same table; lengths must agree', () => {
  const t = tableFromColumns({ f: Float32Array.of(0.5, 1.5), i: Int32Array.of(3, 4), s: ['u', null], b: [true, false] });
  assert.deepEqual(summary(t), [['f', 'number', [0.5, 1.5]], ['i', 'number', [3, 4]], ['s', 'category', [0, -1], ['u']], ['b', 'boolean', [1, 0], ['false', 'true']]]);
  assert.throws(() => tableFromColumns({ a: [1, 2], b: [1] }), /column 'b' has 1 values, but column 'a' has 2/);
  const chosen = tableFromColumns({ a: [1], b: [2] }, { types: { a: 'category' }, columns: ['a'] });
  assert.deepEqual(summary(chosen), [['a', 'category', [0], ['1']]]);
});

test('decimal commas in string cells are refused without decimal: \',\' and read with it', () => {
  assert.throws(() => tableFromRows([{ g: '1,5' }, { g: '2,5' }]), /values like '1,5' are numbers written with a decimal comma/);
  assert.deepEqual(summary(tableFromRows([{ g: '1,5' }, { g: '2,5' }], { decimal: ',' })), [['g', 'number', [1.5, 2.5]]]);
});

test('JSON lines: keys are columns in order of first appearance, a missing key is a missing cell, nesting is refused', () => {
  const t = readTableSync('{"a":1,"b":"x"}\n\n{"a":2.5,"c":true}\r\n{"b":"NA","c":false,"a":null}\n', { source: 'd.jsonl' });
  assert.equal(t.format.kind, 'jsonl');
  assert.deepEqual(summary(t), [['a', 'number', [1, 2.5, NaN]], ['b', 'category', [0, -1, -1], ['x']], ['c', 'boolean', [-1, 1, 0], ['false', 'true']]]);
  assert.deepEqual([...t.lines], [1, 3, 4]);
  assert.throws(() => readTableSync('{"a":1}\n{"a":[1,2]}\n', { source: 'd.jsonl' }), /^TableError: d\.jsonl, line 2, column 'a': a nested array/);
  assert.throws(() => readTableSync('{"a":1}\n{"a":\n', { source: 'd.jsonl' }), /^TableError: d\.jsonl, line 2: not a JSON object/);
  assert.throws(() => readTableSync('{"a":1}\n[1]\n', { source: 'd.jsonl' }), /d\.jsonl, line 2: '\[1\]' is not a JSON object/);
  assert.throws(() => readTableSync('{"a":1}\n{"a":2}\n{"a":"x"}\n', { source: 'd.jsonl', sampleRows: 2 }), /^TableError: d\.jsonl, line 3, column 'a' \(column 1\): 'x' is not a number/);
});

test('the options of rows and columns are checked as a reader\'s are', () => {
  const typo: Record<string, unknown> = { hedaer: ['a'] };
  assert.throws(() => tableFromRows([[1]], typo), /tableFromRows: unknown option hedaer \(did you mean header\?\)/);
  const badType: Parameters<typeof tableFromColumns>[1] = JSON.parse('{"types":{"a":"text"}}');
  assert.throws(() => tableFromColumns({ a: [1] }, badType), /tableFromColumns: option types: column 'a' may be 'number' or 'category', got "text"/);
});
