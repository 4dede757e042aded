/**
 * The CSV/TSV byte-level state machine: one pass over UTF-8 bytes, chunk after chunk, handing each
 * complete field to a sink as a byte range (no string, no per-cell object). Quoted fields may hold the
 * delimiter, line breaks and doubled quotes (""); LF, CRLF and a lone CR end a record and each count as
 * one editor line, inside quotes as well. Unquoted fields are trimmed of spaces (and tabs, unless tab is
 * the delimiter). A line holding nothing is skipped. A field that runs past the end of a chunk is copied
 * into a carry buffer (bounded by maxFieldBytes) and handed over when it completes.
 */

import { TableError } from './types.js';

export interface FieldSink {
  /** A complete field: bytes[start, end), outer quotes removed; inner quotes still doubled when `escaped`. */
  field(col: number, bytes: Uint8Array, start: number, end: number, escaped: boolean): void;
  /** The end of a record of `fields` fields. */
  record(fields: number): void;
}

export interface TokenizerOptions {
  readonly source: string;
  /** The delimiter's byte. */
  readonly delimiter: number;
  readonly maxFieldBytes: number;
  readonly maxColumns: number;
}

const enum S { Start, Unquoted, Quoted, QuoteInQuoted, AfterQuote }

const LF = 10;
const CR = 13;
const QUOTE = 34;
const SPACE = 32;
const TAB = 9;
const EMPTY = new Uint8Array(0);

export class Tokenizer {
  /** The editor line of the byte being read (1 = the first line). */
  line = 1;
  /** The line on which the current record starts. */
  recordLine = 1;
  private stopped = false;
  /** Bytes fed before the current chunk; after a stop, the bytes read up to it. */
  bytesRead = 0;
  private state = S.Start;
  private col = 0;
  private skipLF = false;
  private quoted = false;
  private escaped = false;
  private fieldStart = 0;
  private contentEnd = 0;
  private carry = new Uint8Array(1024);
  private carryLen = 0;
  private inCarry = false;
  private base = 0;
  private readonly d: number;
  private readonly trimTab: boolean;

  constructor(private readonly sink: FieldSink, private readonly o: TokenizerOptions) {
    this.d = o.delimiter;
    this.trimTab = o.delimiter !== TAB;
  }

  /** Stop reading (the rest of this chunk and later chunks are ignored). */
  stop(): void { this.stopped = true; }

  feed(b: Uint8Array): void {
    const n = b.length;
    let i = 0;
    this.base = this.inCarry ? this.carryLen : 0;
    while (i < n && !this.stopped) {
      switch (this.state) {
        case S.Start: i = this.start(b, i); break;
        case S.Unquoted: i = this.unquoted(b, i); break;
        case S.Quoted: i = this.quotedRun(b, i); break;
        case S.QuoteInQuoted: i = this.quoteInQuoted(b, i); break;
        case S.AfterQuote: i = this.afterQuote(b, i); break;
      }
    }
    this.bytesRead += i;
    if (this.state !== S.Start && !this.stopped) this.keep(b, n);
  }

  /** The end of the input: the last record may lack its line break. */
  end(): void {
    if (this.stopped) return;
    switch (this.state) {
      case S.Start:
        if (this.col === 0) return;
        this.fieldStart = this.contentEnd = this.inCarry ? this.carryLen : 0;
        break;
      case S.Unquoted: this.contentEnd = this.carryLen; break;
      case S.Quoted: throw this.error('a quoted field starts in this record but its closing quote never comes');
      case S.QuoteInQuoted:
      case S.AfterQuote: break;
    }
    this.fieldDone(EMPTY, 0);
    this.endRecord();
  }

  private pos(i: number): number { return this.inCarry ? this.base + i : i; }

  private start(b: Uint8Array, i: number): number {
    const c = b[i]!;
    if (c === LF && this.skipLF) { this.skipLF = false; return i + 1; }
    this.skipLF = false;
    if (c === this.d) {
      this.fieldStart = this.contentEnd = this.pos(i);
      this.fieldDone(b, i);
      return i + 1;
    }
    if (c === LF || c === CR) {
      // A line with nothing on it is skipped, as editors and spreadsheets do; otherwise the last field is empty.
      if (this.col > 0) {
        this.fieldStart = this.contentEnd = this.pos(i);
        this.fieldDone(b, i);
        this.endRecord();
      }
      this.newline(c);
      return i + 1;
    }
    if (c === QUOTE) {
      this.quoted = true;
      this.fieldStart = this.pos(i + 1);
      this.state = S.Quoted;
      return i + 1;
    }
    if (c === SPACE || (c === TAB && this.trimTab)) return i + 1;
    this.fieldStart = this.pos(i);
    this.state = S.Unquoted;
    return this.unquoted(b, i + 1);
  }

  private unquoted(b: Uint8Array, i: number): number {
    const n = b.length;
    const d = this.d;
    let j = i;
    for (; j < n; j++) {
      const c = b[j]!;
      if (c === d || c === LF || c === CR) break;
    }
    if (j === n) return n;
    this.contentEnd = this.pos(j);
    this.terminate(b, j);
    return j + 1;
  }

  private quotedRun(b: Uint8Array, i: number): number {
    const n = b.length;
    let line = this.line;
    let skip = this.skipLF;
    let j = i;
    for (; j < n; j++) {
      const c = b[j]!;
      if (c === QUOTE) break;
      if (c === LF) { if (!skip) line++; skip = false; } else if (c === CR) { line++; skip = true; } else skip = false;
    }
    this.line = line;
    this.skipLF = skip;
    if (j === n) return n;
    this.skipLF = false;
    this.contentEnd = this.pos(j);
    this.state = S.QuoteInQuoted;
    return j + 1;
  }

  private quoteInQuoted(b: Uint8Array, i: number): number {
    const c = b[i]!;
    if (c === QUOTE) { this.escaped = true; this.state = S.Quoted; return i + 1; }
    if (c === SPACE || (c === TAB && this.trimTab)) { this.state = S.AfterQuote; return i + 1; }
    if (c === this.d || c === LF || c === CR) { this.terminate(b, i); return i + 1; }
    throw this.error('a quote closes a field but is not followed by a delimiter or the end of the line (write a quote inside a quoted field as "")');
  }

  private afterQuote(b: Uint8Array, i: number): number {
    const c = b[i]!;
    if (c === SPACE || (c === TAB && this.trimTab)) return i + 1;
    if (c === this.d || c === LF || c === CR) { this.terminate(b, i); return i + 1; }
    throw this.error('text follows the closing quote of a field');
  }

  /** The field ends at b[i], a delimiter or a line break. */
  private terminate(b: Uint8Array, i: number): void {
    this.fieldDone(b, i);
    this.state = S.Start;
    const c = b[i]!;
    if (c !== this.d) {
      this.endRecord();
      this.newline(c);
    }
  }

  private newline(c: number): void {
    this.line++;
    this.skipLF = c === CR;
    this.recordLine = this.line;
  }

  private fieldDone(b: Uint8Array, i: number): void {
    let buf = b;
    let s = this.fieldStart;
    let e = this.contentEnd;
    if (this.inCarry) {
      this.append(b, 0, i);
      buf = this.carry;
      this.inCarry = false;
      this.carryLen = 0;
    }
    if (!this.quoted) {
      while (e > s && (buf[e - 1] === SPACE || (buf[e - 1] === TAB && this.trimTab))) e--;
    }
    if (e - s > this.o.maxFieldBytes) throw this.tooLong(e - s);
    if (this.col >= this.o.maxColumns) {
      throw this.error(`more than ${this.o.maxColumns.toLocaleString('en-US')} fields; a table may have at most ${this.o.maxColumns.toLocaleString('en-US')} columns (option maxColumns)`);
    }
    this.sink.field(this.col, buf, s, e, this.escaped);
    this.col++;
    this.quoted = false;
    this.escaped = false;
  }

  private endRecord(): void {
    const n = this.col;
    this.col = 0;
    this.sink.record(n);
  }

  /** The chunk ends inside a field: keep its bytes for the next chunk. */
  private keep(b: Uint8Array, n: number): void {
    if (this.inCarry) this.append(b, 0, n);
    else {
      this.carryLen = 0;
      this.append(b, this.fieldStart, n);
      this.contentEnd -= this.fieldStart;
      this.fieldStart = 0;
      this.inCarry = true;
    }
  }

  private append(b: Uint8Array, from: number, to: number): void {
    const need = this.carryLen + (to - from);
    if (need > this.o.maxFieldBytes + 2) throw this.tooLong(need);
    if (need > this.carry.length) {
      const c = new Uint8Array(Math.max(need, this.carry.length * 2));
      c.set(this.carry.subarray(0, this.carryLen));
      this.carry = c;
    }
    this.carry.set(b.subarray(from, to), this.carryLen);
    this.carryLen = need;
  }

  private tooLong(bytes: number): TableError {
    const hint = this.quoted ? ' (is the closing quote of a quoted field missing?)' : '';
    return this.error(`field ${this.col + 1} is longer than ${this.o.maxFieldBytes.toLocaleString('en-US')} bytes (${bytes.toLocaleString('en-US')} so far)${hint}; raise the limit with the option maxFieldBytes if the file really holds such cells`);
  }

  private error(reason: string): TableError {
    return new TableError(`${this.o.source}, line ${this.recordLine}: ${reason}`, this.o.source, this.recordLine);
  }
}
