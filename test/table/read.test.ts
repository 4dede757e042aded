import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readTable, readTableSync, TableError, type Column, type ReadTableOptions, type Table } from '../../src/index.js';

async function* chunked(text: string, size: number): AsyncGenerator<Uint8Array> {
  const buf = new TextEncoder().encode(text);
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

function read(text: string, options: ReadTableOptions = {}): Table {
  return readTableSync(text, { source: 'data.csv', ...options });
}

function failure(text: string, options: ReadTableOptions = {}): TableError {
  try {
    read(text, options);
  } catch (e) {
    assert.ok(e instanceof TableError, `expected a TableError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the read to fail');
}

function col(t: Table, name: string): Column {
  const c = t.columns.find((x) => x.name === name);
  assert.ok(c !== undefined, `no column ${name}`);
  return c;
}

function numbers(t: Table, name: string): number[] {
  const c = col(t, name);
  assert.equal(c.type, 'number');
  return c.type === 'number' ? [...c.values] : [];
}

function cells(t: Table, name: string): (string | null)[] {
  const c = col(t, name);
  assert.ok(c.type === 'category' || c.type === 'boolean', `${name} is ${c.type}`);
  return c.type === 'category' || c.type === 'boolean' ? [...c.codes].map((k) => (k < 0 ? null : c.levels[k]!)) : [];
}

test('a CSV with a BOM, CRLF line ends and quoted fields is read into typed columns', () => {
  const t = read('\uFEFFx,name,y\r\n1.5,"Smith, J",0\r\n-2e3,"two\r\nlines",1\r\n');
  assert.equal(t.rows, 2);
  assert.deepEqual(t.columns.map((c) => [c.name, c.type]), [['x', 'number'], ['name', 'category'], ['y', 'number']]);
  assert.deepEqual(numbers(t, 'x'), [1.5, -2000]);
  assert.deepEqual(cells(t, 'name'), ['Smith, J', 'two\r\nlines']);
  assert.deepEqual(t.format, { kind: 'csv', delimiter: ',', decimal: '.' });
});

test('data rows carry the line an editor shows, across quoted line breaks, lone CRs and blank lines', () => {
  assert.deepEqual([...read('a,b\n1,"x\ny"\n\n2,z\n3,w').lines], [2, 5, 6]);
  assert.deepEqual([...read('a,b\r1,"x\ry"\r\r2,z\r').lines], [2, 5]);
  assert.deepEqual([...read('a,b\r\n1,"x\r\ny"\r\n\r\n2,z').lines], [2, 5]);
});

test('doubled quotes inside a quoted field are one quote; spaces around unquoted fields are trimmed', () => {
  const t = read('a,b\n"q""uote", x \n"", y\n');
  assert.deepEqual(cells(t, 'a'), ['q"uote', null]);
  assert.deepEqual(cells(t, 'b'), ['x', 'y']);
});

test('tab-, semicolon- and pipe-separated files are recognised by sniffing, outside quotes', () => {
  assert.equal(read('a\tb\tc\n1\t2\t3\n').format.delimiter, '\t');
  assert.equal(read('a;b\n"1,5";2\n"x,y";3\n').format.delimiter, ';');
  assert.equal(read('a|b\n1|2\n').format.delimiter, '|');
  assert.deepEqual(read('a,b\nx,y\n', { delimiter: ';' }).columns.map((c) => c.name), ['a,b']);
});

test('reading in chunks of 1, 2 and 3 bytes gives the same table as reading at once', async () => {
  const text = '\uFEFFé,b,c\r\n"1.0",ü, 3 \r\n2,"q""uo\r\nte",4\r\n,"",5';
  const whole = read(text);
  for (const size of [1, 2, 3, 7]) {
    const pieces = await readTable(chunked(text, size), { source: 'data.csv' });
    assert.deepEqual(pieces, whole, `chunks of ${size}`);
  }
});

test('every input kind reads the same: string, bytes, ArrayBuffer, Blob, ReadableStream, async iterable of strings', async () => {
  const text = 'a,b\n1,x\n2,y\n';
  const bytes = new TextEncoder().encode(text);
  const want = read(text, { source: 't' });
  const inputs = [text, bytes, bytes.buffer, new Blob([bytes]), new Blob([bytes]).stream(), (async function* () { yield 'a,b\n1,'; yield 'x\n2,y\n'; })()];
  for (const input of inputs) assert.deepEqual(await readTable(input, { source: 't' }), want);
});

test('a column is numeric when most sampled cells are numbers; else categorical in order of first appearance', () => {
  const t = read('n,c,m\n1,b,1\n2,a,x\n3,b,y\n');
  assert.deepEqual(numbers(t, 'n'), [1, 2, 3]);
  const c = col(t, 'c');
  assert.ok(c.type === 'category');
  assert.deepEqual(c.levels, ['b', 'a']);
  assert.deepEqual(c.counts, [2, 1]);
  assert.equal(col(t, 'm').type, 'category');
});

test('numbers are plain decimals read exactly: signs, exponents, leading points, many digits', () => {
  const values = ['1e-3', '-.5', '+2', '0.1', '123456789012345678', '3.141592653589793238', '1e22', '1e-300', '-0', '007', '2.5E+3', '9007199254740993'];
  const t = read(`x\n${values.join('\n')}\n`);
  assert.deepEqual(numbers(t, 'x'), values.map(Number));
  assert.ok(Object.is(numbers(t, 'x')[8], -0));
});

test('hex, Infinity, 1e999 and words are not numbers: in a numeric column they are errors naming the place', () => {
  for (const bad of ['0x10', 'Infinity', '1e999', 'seven', '1.2.3', '1e']) {
    const e = failure(`a,b\n1,2\n3,4\n5,${bad}\n`, { sampleRows: 2 });
    assert.match(e.message, /^data\.csv, line 4, column 'b' \(column 2\): '.*' is not a number, but the column is numeric/);
    assert.equal(e.line, 4);
    assert.equal(e.column, 'b');
  }
});

test('the first value decides a column whose sampled cells are all missing', () => {
  const t = read('a,b\nNA,\n,x\n5,y\n', { sampleRows: 1 });
  assert.deepEqual(numbers(t, 'a'), [NaN, NaN, 5]);
  assert.deepEqual(cells(t, 'b'), [null, 'x', 'y']);
});

test('missing cells are recorded with the place of the first one; the markers are configurable', () => {
  const t = read('a,b\n1,x\nNA,\n3,?\n');
  const a = col(t, 'a');
  assert.equal(a.missing, 1);
  assert.deepEqual(a.firstMissing, { line: 3, value: 'NA' });
  assert.deepEqual(cells(t, 'b'), ['x', null, null]);
  const custom = read('a,b\n1,x\n-999,NA\n3,y\n', { missing: ['-999', ''] });
  assert.deepEqual(numbers(custom, 'a'), [1, NaN, 3]);
  assert.deepEqual(cells(custom, 'b'), ['x', 'NA', 'y']);
  assert.match(failure('a\n1\n2\n\'\'\n', { missing: [] }).message, /is not a number/);
});

test('an empty cell is an error when the empty string is not a missing marker', () => {
  assert.match(failure('a,b\n1,2\n3,4\n5,\n', { missing: ['NA'] }).message, /line 4, column 'b' \(column 2\): '' \(an empty cell\) is not a number/);
});

test('columns of true/false or yes/no spellings are booleans: code 0 false, 1 true', () => {
  const t = read('p,q,r\nyes,TRUE,1\nno,FALSE,0\n,TRUE,1\nyes,FALSE,0\n');
  const p = col(t, 'p');
  assert.ok(p.type === 'boolean');
  assert.deepEqual(p.levels, ['no', 'yes']);
  assert.deepEqual([...p.codes], [1, 0, -1, 1]);
  assert.deepEqual(p.counts, [1, 2]);
  assert.equal(col(t, 'q').type, 'boolean');
  assert.equal(col(t, 'r').type, 'number');
  assert.equal(read('p\nyes\nmaybe\n').columns[0]!.type, 'category');
});

test('a column with no value at all is empty', () => {
  const t = read('a,b\n1,\n2,NA\n');
  assert.equal(col(t, 'b').type, 'empty');
  assert.equal(col(t, 'b').missing, 2);
});

test('forced types: a numeric-looking column read as categories, a column forced to numbers refuses text', () => {
  const t = read('zip,y\n10115,1\n20095,0\n', { types: { zip: 'category' } });
  assert.deepEqual(cells(t, 'zip'), ['10115', '20095']);
  assert.match(failure('a,b\nx,1\n', { types: { a: 'number' } }).message, /line 2, column 'a' \(column 1\): 'x' is not a number/);
});

test('only the chosen columns are kept; an unknown one is named with the columns there are', () => {
  const t = read('a,b,c\n1,2,3\n', { columns: ['c', 'a'] });
  assert.deepEqual(t.columns.map((c) => [c.name, c.index]), [['a', 0], ['c', 2]]);
  assert.match(failure('a,b\n1,2\n', { columns: ['z'] }).message, /data\.csv: no column 'z' \(option columns\); the columns are 'a', 'b'/);
});

test('decimal commas are read as numbers with decimal: \',\' (the delimiter is then sniffed among the others)', () => {
  const t = read('Größe;Gewicht;Name\n1,75;70,5;Anna\n1,8;80;Bernd\n-0,5e2;1;x\n', { decimal: ',' });
  assert.equal(t.format.delimiter, ';');
  assert.equal(t.format.decimal, ',');
  assert.deepEqual(numbers(t, 'Größe'), [1.75, 1.8, -50]);
  assert.deepEqual(numbers(t, 'Gewicht'), [70.5, 80, 1]);
  assert.match(failure('a,b\n1,2\n', { decimal: ',', delimiter: ',' }).message, /delimiter and the decimal separator are both ','/);
});

test('without decimal: \',\' a decimal-comma column is refused with the column, an example and the option — never read as categories', () => {
  const e = failure('Größe;Gewicht\n1,75;70\n1,80;80\n1,62;65\n');
  assert.match(e.message, /^data\.csv, line 2, column 'Größe' \(column 1\): values like '1,75' are numbers written with a decimal comma; pass decimal: ',' \(--decimal ,\)/);
  assert.equal(e.column, 'Größe');
  // Found after the sample, in a numeric column: the error says so too.
  assert.match(failure('a;b\n1;2\n3;1,5\n', { sampleRows: 1 }).message, /'1,5' is not a number.*decimal comma: pass decimal: ','/);
});

test('a ragged row is refused with its line and both field counts', () => {
  assert.match(failure('a,b,c\n1,2,3\n4,5\n').message, /^data\.csv, line 3: 2 fields, but the header \(line 1\) has 3 columns; every row needs one value per column \(ragged row\)$/);
  assert.match(failure('a,b\n1,2\n3,4,5\n').message, /line 3: 3 fields/);
});

test('an empty file and a header without rows are refused', () => {
  assert.match(failure('').message, /^data\.csv: the file is empty/);
  assert.match(failure('\uFEFF\r\n \r\n').message, /^data\.csv: the file is empty/);
  assert.match(failure('a,b\n').message, /header \(line 1\) but no data rows/);
});

test('quote errors name the line where the record starts', () => {
  assert.match(failure('a,b\n1,2\n3,"4\n5,6\n').message, /^data\.csv, line 3: a quoted field starts in this record but its closing quote never comes$/);
  assert.match(failure('a,b\n1,"2"x\n').message, /^data\.csv, line 2: a quote closes a field but is not followed by a delimiter/);
  assert.match(failure('a,b\n1,"2"  x\n').message, /^data\.csv, line 2: text follows the closing quote of a field/);
});

test('a header that names a column twice is refused; an empty header cell is named by its position', () => {
  assert.match(failure('a,b,a\n1,2,3\n').message, /^data\.csv, line 1: the header names column 'a' twice \(columns 1 and 3\)/);
  assert.deepEqual(read('a,,c\n1,2,3\n').columns.map((c) => c.name), ['a', 'column2', 'c']);
});

test('a field longer than maxFieldBytes is refused with its line and the option to raise it; the quoted value is cut short', () => {
  const big = 'x'.repeat(2000);
  assert.match(failure(`a,b\n1,${big}\n`, { maxFieldBytes: 1000 }).message, /^data\.csv, line 2: field 2 is longer than 1,000 bytes.*option maxFieldBytes/);
  assert.equal(read(`a,b\n1,${big}\n`, { maxFieldBytes: 4000 }).rows, 1);
  const e = failure(`a\n1\n2\n${big}\n`, { sampleRows: 2 });
  assert.ok(e.message.length < 400, `message of ${e.message.length} characters`);
  assert.match(e.message, /'x{40}…' \(2,000 characters\) is not a number/);
});

test('an unclosed quote over a large file stops at the field limit with a hint, instead of reading the rest into one cell', async () => {
  const rest = '1,2\n'.repeat(100_000);
  await assert.rejects(readTable(chunked(`a,b\n1,"2\n${rest}`, 65536), { source: 'data.csv', maxFieldBytes: 10_000 }),
    /^TableError: data\.csv, line 2: field 2 is longer than 10,000 bytes .*closing quote of a quoted field missing/);
});

test('more columns than maxColumns are refused at the header, before the line is held', () => {
  const header = Array.from({ length: 2001 }, (_, i) => `c${i}`).join(',');
  assert.match(failure(`${header}\n`, { maxColumns: 2000 }).message, /^data\.csv, line 1: more than 2,000 fields; a table may have at most 2,000 columns \(option maxColumns\)/);
});

test('by default a 10 MB cell and a header of 1.4 million columns are refused with short messages naming the limits', () => {
  const cell = failure(`a,b\n1,${'z'.repeat(10_000_000)}\n`);
  assert.match(cell.message, /^data\.csv, line 2: field 2 is longer than 1,048,576 bytes/);
  assert.ok(cell.message.length < 300);
  const wide = failure(`${Array.from({ length: 1_400_000 }, (_, i) => `c${i}`).join(',')}\n1\n`);
  assert.match(wide.message, /^data\.csv, line 1: more than 100,000 fields; a table may have at most 100,000 columns \(option maxColumns\)/);
});

test('unknown options are refused with the closest known name', async () => {
  const typo: ReadTableOptions = JSON.parse('{"sampelRows":3}');
  await assert.rejects(readTable('a\n1\n', typo), /readTable: unknown option sampelRows \(did you mean sampleRows\?\)/);
  const semicolon: ReadTableOptions = JSON.parse('{"decimal":";"}');
  assert.throws(() => readTableSync('a\n1\n', semicolon), /option decimal must be/);
});

test('progress reports bytes, the total when known, and rows', async () => {
  const text = `a,b\n${'1,2\n'.repeat(1000)}`;
  const seen: { bytes: number; totalBytes: number | null; rows: number }[] = [];
  await readTable(chunked(text, 500), { totalBytes: text.length, onProgress: (p) => seen.push(p) });
  const last = seen.at(-1)!;
  assert.deepEqual(last, { bytes: text.length, totalBytes: text.length, rows: 1000 });
  assert.ok(seen.length > 5);
});
