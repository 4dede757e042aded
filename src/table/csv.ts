/**
 * Reading CSV/TSV into a Table, chunk by chunk, in three phases over one tokenizer:
 *   head    the first 64 KiB decide the delimiter (sniffed outside quotes, or forced);
 *   sample  the header and the first `sampleRows` records (at most SAMPLE_BYTES of them) are tokenized
 *           to count, per column, numbers, decimal-comma numbers and text: that decides each type;
 *   main    the same bytes again, then the rest of the input, go cell by cell into typed columns.
 * Only the sampled bytes are held twice; memory is otherwise the columns themselves.
 */

import { cellRules, classify, decodeBytes, parseNumberBytes, showValue, type CellRules } from './cells.js';
import { ColumnBuilder, TypeStats, decideType } from './columns.js';
import { sniffDelimiter } from './sniff.js';
import { Tokenizer, type FieldSink } from './tokenizer.js';
import { TableError, type Column, type ReadTableOptions, type Table } from './types.js';
import type { BlockSink, StreamSummary } from './blocks.js';

const HEAD_BYTES = 1 << 16;
/** Most bytes held for the type sample, whatever `sampleRows` says (a wide file reaches it in few records). */
const SAMPLE_BYTES = 1 << 24;
/** Columns a table may have unless `maxColumns` says otherwise. */
export const DEFAULT_MAX_COLUMNS = 100_000;
/** Bytes one field may hold unless `maxFieldBytes` says otherwise. */
export const DEFAULT_MAX_FIELD_BYTES = 1 << 20;

/** The text of a field (its doubled quotes made single). */
function fieldText(b: Uint8Array, s: number, e: number, escaped: boolean): string {
  const t = decodeBytes(b, s, e);
  return escaped ? t.replace(/""/g, '"') : t;
}

/** The header: the column names, checked, and which columns are kept. */
interface Header { readonly names: readonly string[]; readonly line: number }

function checkHeader(names: string[], line: number, source: string): Header {
  const seen = new Map<string, number>();
  names.forEach((raw, i) => {
    const h = raw === '' ? `column${i + 1}` : raw;
    names[i] = h;
    const prev = seen.get(h);
    if (prev !== undefined) {
      throw new TableError(`${source}, line ${line}: the header names column ${showValue(h)} twice (columns ${prev + 1} and ${i + 1}); column names must be unique`, source, line, h);
    }
    seen.set(h, i);
  });
  return { names, line };
}

/** The sample pass: the header, then counts per column of what its cells are. */
class SampleSink implements FieldSink {
  tok: Tokenizer | null = null;
  header: Header | null = null;
  private names: string[] = [];
  stats: TypeStats[] = [];
  records = 0;
  private readonly point: number;

  constructor(private readonly rules: CellRules, private readonly sampleRows: number) {
    this.point = rules.decimal === ',' ? 44 : 46;
  }

  field(col: number, b: Uint8Array, s: number, e: number, escaped: boolean): void {
    if (this.header === null) { this.names.push(fieldText(b, s, e, escaped)); return; }
    const st = this.stats[col];
    if (st === undefined) return;
    if (!escaped && !this.rules.numericMarkers && !Number.isNaN(parseNumberBytes(b, s, e, this.point))) { st.numbers++; return; }
    const t = fieldText(b, s, e, escaped);
    st.add(classify(t, this.rules), t, this.tok!.recordLine);
  }

  record(): void {
    if (this.header === null) {
      this.header = checkHeader(this.names, this.tok!.recordLine, this.rules.source);
      this.stats = this.header.names.map(() => new TypeStats());
      return;
    }
    if (++this.records >= this.sampleRows) this.tok!.stop();
  }
}

/** The main pass: every cell into its column. */
class ColumnSink implements FieldSink {
  tok: Tokenizer | null = null;
  private inHeader = true;
  rows = 0;
  /** Rows handed out in blocks so far (a streamed read); `lines` holds the rows after them. */
  private drained = 0;
  lines: Int32Array;
  private readonly point: number;
  private readonly fast: boolean;

  get headerLine(): number { return this.header.line; }

  constructor(private readonly rules: CellRules, private readonly header: Header, readonly builders: readonly (ColumnBuilder | null)[], capacity: number, private readonly blocks: BlockSink | null = null) {
    this.point = rules.decimal === ',' ? 44 : 46;
    this.fast = !rules.numericMarkers;
    this.lines = new Int32Array(capacity);
  }

  field(col: number, b: Uint8Array, s: number, e: number, escaped: boolean): void {
    if (this.inHeader) return;
    const c = this.builders[col];
    if (c === undefined || c === null) return;
    if (c.type === 'number') {
      if (this.fast && !escaped && s !== e) {
        const v = parseNumberBytes(b, s, e, this.point);
        if (v === v) { c.pushNumber(v, 0); return; }
      }
    } else if (c.type === 'category' && !escaped) {
      c.pushCategoryBytes(b, s, e, this.tok!.recordLine);
      return;
    }
    c.pushText(fieldText(b, s, e, escaped), this.tok!.recordLine);
  }

  record(fields: number): void {
    if (this.inHeader) { this.inHeader = false; return; }
    const want = this.header.names.length;
    const line = this.tok!.recordLine;
    if (fields !== want) {
      const src = this.rules.source;
      throw new TableError(`${src}, line ${line}: ${fields} field${fields === 1 ? '' : 's'}, but the header (line ${this.header.line}) has ${want} columns; every row needs one value per column (ragged row)`, src, line);
    }
    const held = this.rows - this.drained;
    if (held === this.lines.length) {
      const l = new Int32Array(held + Math.min(held, 1 << 24));
      l.set(this.lines);
      this.lines = l;
    }
    this.lines[held] = line;
    this.rows++;
    if (this.blocks !== null && held + 1 >= this.blocks.blockRows) this.flush();
  }

  /** Hand the rows since the last block out as one block (a streamed read). */
  flush(): void {
    const rows = this.rows - this.drained;
    if (this.blocks === null || rows === 0) return;
    const cells = this.builders.filter((b) => b !== null).map((b) => b.drain());
    const lines = this.lines.slice(0, rows);
    this.drained = this.rows;
    this.blocks.onBlock({ rows, lines, cells });
  }
}

type Phase =
  | { readonly kind: 'head'; readonly chunks: Uint8Array[]; bytes: number }
  | { readonly kind: 'sample'; readonly chunks: Uint8Array[]; bytes: number; readonly tok: Tokenizer; readonly sink: SampleSink }
  | { readonly kind: 'main'; readonly tok: Tokenizer; readonly sink: ColumnSink };

/** A CSV/TSV read in progress: push the input's chunks in order, then finish. */
export class CsvRead {
  private phase: Phase = { kind: 'head', chunks: [], bytes: 0 };
  private readonly rules: CellRules;
  private delimiter = ',';
  bytes = 0;

  constructor(private readonly options: ReadTableOptions, private readonly source: string, private readonly totalBytes: number | null, private readonly blocks: BlockSink | null = null) {
    this.rules = cellRules(source, options.missing, options.decimal);
    if (options.decimal === ',' && options.delimiter === ',') {
      throw new TableError(`${source}: the delimiter and the decimal separator are both ','; with decimal: ',' the delimiter must be another (';', tab, '|')`, source);
    }
  }

  get rows(): number { return this.phase.kind === 'main' ? this.phase.sink.rows : 0; }

  push(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    const p = this.phase;
    switch (p.kind) {
      case 'head':
        p.chunks.push(chunk);
        p.bytes += chunk.length;
        if (p.bytes >= HEAD_BYTES) this.startSample(p.chunks);
        return;
      case 'sample':
        p.chunks.push(chunk);
        p.bytes += chunk.length;
        p.tok.feed(chunk);
        if (p.sink.records >= this.sampleRows() || p.bytes >= SAMPLE_BYTES) this.startMain(p.chunks, p.sink, p.bytes);
        return;
      case 'main':
        p.tok.feed(chunk);
        return;
    }
  }

  finish(): Table {
    return this.table(this.end());
  }

  /** The end of a streamed read: the last block handed out, and what the read knows of every column. */
  finishStream(): StreamSummary {
    const sink = this.end();
    sink.flush();
    if (sink.rows === 0) throw new TableError(`${this.source}: the file has a header (line ${sink.headerLine}) but no data rows`, this.source);
    return this.summarySoFar();
  }

  /** What the read knows of its columns so far (while blocks are handed out: their levels up to now). */
  summarySoFar(): StreamSummary {
    const p = this.phase;
    if (p.kind !== 'main') throw new Error('unreachable: blocks are handed out in the main phase');
    return { source: this.source, rows: p.sink.rows, columns: p.sink.builders.filter((b) => b !== null).map((b) => b.summary()), format: this.formatRead() };
  }

  private end(): ColumnSink {
    let p = this.phase;
    if (p.kind === 'head') { this.startSample(p.chunks); p = this.phase; }
    if (p.kind === 'sample') { p.tok.end(); this.startMain(p.chunks, p.sink, p.bytes); p = this.phase; }
    if (p.kind !== 'main') throw new Error('unreachable: a read ends in its main phase');
    p.tok.end();
    return p.sink;
  }

  private formatRead(): Table['format'] {
    return { kind: 'csv', delimiter: this.delimiter, decimal: this.rules.decimal };
  }

  private sampleRows(): number { return Math.max(1, this.options.sampleRows ?? 1000); }

  private tokenizer(sink: FieldSink): Tokenizer {
    return new Tokenizer(sink, {
      source: this.source, delimiter: this.delimiter.charCodeAt(0),
      maxFieldBytes: this.options.maxFieldBytes ?? DEFAULT_MAX_FIELD_BYTES, maxColumns: this.options.maxColumns ?? DEFAULT_MAX_COLUMNS,
    });
  }

  private startSample(chunks: Uint8Array[]): void {
    let head = concat(chunks);
    if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) head = head.subarray(3);
    const text = decodeBytes(head, 0, Math.min(head.length, HEAD_BYTES));
    if (text.trim() === '') throw new TableError(`${this.source}: the file is empty; expected a header row and data rows`, this.source);
    this.delimiter = this.options.delimiter ?? sniffDelimiter(text, this.rules.decimal);
    if (this.delimiter.length !== 1 || this.delimiter.charCodeAt(0) > 127 || '"\r\n'.includes(this.delimiter)) {
      throw new TableError(`${this.source}: delimiter ${showValue(this.delimiter)} must be one ASCII character other than a quote or a line break`, this.source);
    }
    const sink = new SampleSink(this.rules, this.sampleRows());
    const tok = this.tokenizer(sink);
    sink.tok = tok;
    this.phase = { kind: 'sample', chunks: [head], bytes: head.length, tok, sink };
    tok.feed(head);
    if (sink.records >= this.sampleRows()) this.startMain([head], sink, head.length);
  }

  private startMain(chunks: readonly Uint8Array[], sample: SampleSink, sampleBytes: number): void {
    const header = sample.header;
    if (header === null) throw new TableError(`${this.source}: the file is empty; expected a header row and data rows`, this.source);
    const keep = this.kept(header);
    // Room for the rows the input's size suggests, so big columns are not copied as they grow.
    const perRow = Math.min(sampleBytes, sample.tok!.bytesRead) / Math.max(1, sample.records + 1);
    const capacity = this.blocks !== null ? this.blocks.blockRows
      : this.totalBytes === null ? 1024 : Math.min(2 ** 30, Math.ceil((this.totalBytes / perRow) * 1.05) + 1024);
    const builders = header.names.map((name, i) => {
      if (!keep[i]) return null;
      const forced = this.options.types?.[name];
      const b = new ColumnBuilder(name, i, this.rules, forced !== undefined, capacity);
      b.decide(decideType(sample.stats[i]!, forced, this.rules, name, i));
      return b;
    });
    const sink = new ColumnSink(this.rules, header, builders, capacity, this.blocks);
    const tok = this.tokenizer(sink);
    sink.tok = tok;
    this.phase = { kind: 'main', tok, sink };
    for (const c of chunks) tok.feed(c);
  }

  private kept(header: Header): boolean[] {
    const wanted = this.options.columns;
    if (wanted === undefined) return header.names.map(() => true);
    const set = new Set(wanted);
    for (const w of wanted) {
      if (!header.names.includes(w)) {
        throw new TableError(`${this.source}: no column ${showValue(w)} (option columns); the columns are ${header.names.slice(0, 50).map((n) => showValue(n)).join(', ')}${header.names.length > 50 ? ', …' : ''}`, this.source, null, w);
      }
    }
    return header.names.map((n) => set.has(n));
  }

  private table(sink: ColumnSink): Table {
    if (sink.rows === 0) throw new TableError(`${this.source}: the file has a header (line ${sink.headerLine}) but no data rows`, this.source);
    const columns: Column[] = [];
    for (const b of sink.builders) if (b !== null) columns.push(b.finish());
    return { source: this.source, columns, rows: sink.rows, lines: sink.lines.slice(0, sink.rows), format: this.formatRead() };
  }
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const c of chunks) { out.set(c, o); o += c.length; }
  return out;
}
