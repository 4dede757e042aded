/**
 * JSON lines: one JSON object per line, keys as column names (in order of first appearance; a key a
 * record lacks is a missing cell). Values follow the rules of CSV cells (see values.ts); a nested object
 * or array is refused with its line and key. Types are decided on the first `sampleRows` records.
 */

import { cellRules, decodeBytes, showValue, type CellRules } from './cells.js';
import { ColumnBuilder, TypeStats, decideType } from './columns.js';
import { DEFAULT_MAX_COLUMNS, DEFAULT_MAX_FIELD_BYTES } from './csv.js';
import { TableError, type ReadTableOptions, type Table } from './types.js';
import { classifyValue, finishTable, pushValue, type CellValue } from './values.js';

interface Parsed { readonly line: number; readonly record: Readonly<Record<string, CellValue>> }

export class JsonlRead {
  private readonly rules: CellRules;
  private carry = new Uint8Array(0);
  private line = 0;
  private sample: Parsed[] | null = [];
  private readonly builders = new Map<string, ColumnBuilder>();
  rows = 0;
  private lines = new Int32Array(1024);
  bytes = 0;

  constructor(private readonly options: ReadTableOptions, private readonly source: string) {
    this.rules = cellRules(source, options.missing, options.decimal);
  }

  push(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    let b = chunk;
    if (this.carry.length > 0) { b = new Uint8Array(this.carry.length + chunk.length); b.set(this.carry); b.set(chunk, this.carry.length); }
    let from = 0;
    for (let i = b.indexOf(10, from); i >= 0; i = b.indexOf(10, from)) {
      this.lineOf(b, from, i);
      from = i + 1;
    }
    this.carry = b.slice(from);
    const max = this.options.maxFieldBytes ?? DEFAULT_MAX_FIELD_BYTES;
    if (this.carry.length > 16 * max) {
      throw new TableError(`${this.source}, line ${this.line + 1}: a line longer than ${(16 * max).toLocaleString('en-US')} bytes; raise the limit with the option maxFieldBytes if the file really holds such records`, this.source, this.line + 1);
    }
  }

  finish(): Table {
    if (this.carry.length > 0) this.lineOf(this.carry, 0, this.carry.length);
    if (this.sample !== null) this.decide();
    if (this.rows === 0) throw new TableError(`${this.source}: the file has no records`, this.source);
    const builders = [...this.builders.values()];
    return finishTable(this.source, builders, this.rows, this.lines.slice(0, this.rows), this.options, 'jsonl');
  }

  private lineOf(b: Uint8Array, s: number, e: number): void {
    this.line++;
    if (this.line === 1 && b[s] === 0xef && b[s + 1] === 0xbb && b[s + 2] === 0xbf) s += 3;
    const text = decodeBytes(b, s, e).trim();
    if (text === '') return;
    const record = this.parse(text);
    if (this.sample !== null) {
      this.sample.push({ line: this.line, record });
      if (this.sample.length >= Math.max(1, this.options.sampleRows ?? 1000)) this.decide();
    } else this.add(record, this.line);
  }

  private parse(text: string): Readonly<Record<string, CellValue>> {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (e) {
      throw new TableError(`${this.source}, line ${this.line}: not a JSON object (${(e as Error).message}); each line must hold one object`, this.source, this.line);
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      throw new TableError(`${this.source}, line ${this.line}: ${showValue(text)} is not a JSON object; each line must hold one object, keyed by column name`, this.source, this.line);
    }
    const out: Record<string, CellValue> = Object.create(null) as Record<string, CellValue>;
    for (const [k, x] of Object.entries(v)) {
      if (typeof x === 'object' && x !== null) {
        throw new TableError(`${this.source}, line ${this.line}, column ${showValue(k)}: a nested ${Array.isArray(x) ? 'array' : 'object'}; a table cell holds a number, a string, a boolean or null`, this.source, this.line, k);
      }
      if (typeof x === 'number' || typeof x === 'string' || typeof x === 'boolean' || x === null) out[k] = x;
    }
    return out;
  }

  /** The sample is complete: decide the types, then add its records. */
  private decide(): void {
    const sample = this.sample ?? [];
    this.sample = null;
    const stats = new Map<string, TypeStats>();
    for (const { line, record } of sample) {
      for (const [k, v] of Object.entries(record)) {
        let s = stats.get(k);
        if (s === undefined) { s = new TypeStats(); stats.set(k, s); }
        s.add(classifyValue(v, this.rules), String(v), line);
      }
    }
    for (const [k, s] of stats) this.column(k).decide(decideType(s, this.options.types?.[k], this.rules, k, this.builders.size - 1));
    for (const { line, record } of sample) this.add(record, line);
  }

  private column(name: string): ColumnBuilder {
    let b = this.builders.get(name);
    if (b === undefined) {
      const max = this.options.maxColumns ?? DEFAULT_MAX_COLUMNS;
      if (this.builders.size >= max) {
        throw new TableError(`${this.source}, line ${this.line}: more than ${max.toLocaleString('en-US')} keys; a table may have at most ${max.toLocaleString('en-US')} columns (option maxColumns)`, this.source, this.line);
      }
      const forced = this.options.types?.[name];
      b = new ColumnBuilder(name, this.builders.size, this.rules, forced !== undefined);
      if (forced !== undefined) b.decide(forced);
      for (let i = 0; i < this.rows; i++) b.pushMissing(this.lines[i]!, '');
      this.builders.set(name, b);
    }
    return b;
  }

  private add(record: Readonly<Record<string, CellValue>>, line: number): void {
    for (const k in record) this.column(k);
    for (const [k, b] of this.builders) pushValue(b, record[k], line);
    if (this.rows === this.lines.length) { const l = new Int32Array(this.rows * 2); l.set(this.lines); this.lines = l; }
    this.lines[this.rows++] = line;
  }
}
