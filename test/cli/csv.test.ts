import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readTableFrom, sniffDelimiter, parseNumber, findColumn, type Table, type ReadTableOptions } from '../../cli/csv.js';
import { CliError } from '../../cli/errors.js';

async function* chunked(text: string, size: number): AsyncGenerator<Buffer> {
  const buf = Buffer.from(text, 'utf8');
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

function read(text: string, options: ReadTableOptions = {}, size = 1 << 16): Promise<Table> {
  return readTableFrom(chunked(text, size), 'data.csv', Buffer.byteLength(text), options);
}

async function failure(text: string, options: ReadTableOptions = {}): Promise<string> {
  try {
    await read(text, options);
  } catch (e) {
    assert.ok(e instanceof CliError, `expected a CliError, got ${String(e)}`);
    assert.equal(e.exitCode, 1);
    return e.message;
  }
  assert.fail('expected the read to fail');
}

test('a CSV with a BOM, CRLF line ends and quoted fields is read into typed columns', async () => {
  const t = await read('\uFEFFx,name,y\r\n1.5,"Smith, J",0\r\n-2e3,"two\r\nlines",1\r\n');
  assert.equal(t.rows, 2);
  assert.deepEqual(t.columns.map((c) => [c.name, c.type]), [['x', 'number'], ['name', 'category'], ['y', 'number']]);
  const x = t.columns[0]!;
  assert.ok(x.type === 'number');
  assert.deepEqual([...x.values], [1.5, -2000]);
  const name = t.columns[1]!;
  assert.ok(name.type === 'category');
  assert.deepEqual(name.levels, ['Smith, J', 'two\r\nlines']);
});

test('data rows carry the line an editor shows, across quoted line breaks and blank lines', async () => {
  const t = await read('a,b\n1,"x\ny"\n\n2,z\n3,w');
  assert.deepEqual([...t.lines], [2, 5, 6]);
});

test('tab- and semicolon-separated files are recognised by sniffing', async () => {
  assert.equal(sniffDelimiter('a\tb\tc\n1\t2\t3\n'), '\t');
  assert.equal(sniffDelimiter('a;b\n"1,5";2\n'), ';');
  const t = await read('a\tb\n1\t2\n3\t4\n');
  assert.equal(t.format.delimiter, '\t');
  assert.equal(t.columns.length, 2);
});

test('reading in 3-byte chunks gives the same table as reading at once', async () => {
  const text = '\uFEFFé,b\r\n"1,0",ü\r\n2,"q""uote"\r\n';
  const whole = await read(text);
  const pieces = await read(text, {}, 3);
  assert.deepEqual(pieces, whole);
});

test('missing cells are recorded with the place of the first one', async () => {
  const t = await read('a,b\n1,x\nNA,\n3,y\n');
  const a = t.columns[0]!;
  assert.ok(a.type === 'number');
  assert.equal(a.missing, 1);
  assert.ok(Number.isNaN(a.values[1]));
  assert.deepEqual(a.firstMissing, { line: 3, value: 'NA' });
  const b = t.columns[1]!;
  assert.ok(b.type === 'category');
  assert.deepEqual([...b.codes], [0, -1, 1]);
});

test('a non-number in a numeric column is refused with its file, line, column and value', async () => {
  const msg = await failure('a,b\n1,2\n3,4\n5,seven\n', { sampleRows: 2 });
  assert.match(msg, /data\.csv, line 4, column 'b' \(column 2\): 'seven' is not a number/);
});

test('a ragged row is refused with its line and both field counts', async () => {
  const msg = await failure('a,b,c\n1,2,3\n4,5\n');
  assert.match(msg, /data\.csv, line 3: 2 fields, but the header \(line 1\) has 3 columns/);
});

test('an empty file and a header without rows are refused', async () => {
  assert.match(await failure(''), /data\.csv: the file is empty/);
  assert.match(await failure('\uFEFF\r\n\r\n'), /data\.csv: the file is empty/);
  assert.match(await failure('a,b\n'), /header \(line 1\) but no data rows/);
});

test('an unclosed quote is refused at the line where its record starts', async () => {
  assert.match(await failure('a,b\n1,2\n3,"4\n5,6\n'), /data\.csv, line 3: a quoted field starts/);
});

test('a header that names a column twice is refused', async () => {
  assert.match(await failure('a,b,a\n1,2,3\n'), /names column 'a' twice \(columns 1 and 3\)/);
});

test('a forced kind makes a numeric-looking column categorical', async () => {
  const t = await read('zip,y\n10115,1\n20095,0\n', { kinds: new Map([['zip', 'category']]) });
  const zip = t.columns[0]!;
  assert.ok(zip.type === 'category');
  assert.deepEqual(zip.levels, ['10115', '20095']);
});

test('numbers are plain decimals: hex, Infinity and blanks are not numbers', () => {
  assert.equal(parseNumber('1e-3'), 0.001);
  assert.equal(parseNumber('-.5'), -0.5);
  assert.equal(parseNumber('0x10'), null);
  assert.equal(parseNumber('Infinity'), null);
  assert.equal(parseNumber('1e999'), null);
  assert.equal(parseNumber(''), null);
});

test('an unknown column is named and the columns there are are listed', async () => {
  const t = await read('a,b\n1,2\n');
  assert.throws(() => findColumn(t, 'y', 'the target'), /data\.csv: no column 'y' for the target; the columns are 'a', 'b'/);
});
