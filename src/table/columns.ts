/**
 * Columns being filled, whatever the reader: the type is decided on a sample (or forced), then each cell
 * goes straight into a growing Float64Array (numbers) or Int32Array of codes into the column's levels
 * (categories, dictionary-encoded as they are read). A non-number in a numeric column is an error naming
 * the source, line, column and value — never a NaN and never a silent switch to categories.
 */

import { CellKind, cellPlace, classify, decodeBytes, parseNumber, showValue, type CellRules } from './cells.js';
import { ByteDictionary } from './dictionary.js';
import { TableError, type CellPlace, type Column, type ColumnSummary } from './types.js';

/** What the sampled cells of a column were. */
export class TypeStats {
  numbers = 0;
  texts = 0;
  commas = 0;
  firstComma: CellPlace | null = null;

  add(kind: CellKind, s: string, line: number): void {
    switch (kind) {
      case CellKind.Missing: return;
      case CellKind.Number: this.numbers++; return;
      case CellKind.Text: this.texts++; return;
      case CellKind.Comma:
        this.commas++;
        if (this.firstComma === null) this.firstComma = { line, value: s };
        return;
    }
  }
}

/** The refusal of numbers written with a decimal comma when `decimal: ','` was not given. */
function decimalCommaError(rules: CellRules, name: string, index: number, at: CellPlace): TableError {
  return new TableError(
    `${cellPlace(rules.source, at.line, name, index)}: values like ${showValue(at.value)} are numbers written with a decimal comma; ` +
    `pass decimal: ',' (--decimal ,) to read them as numbers, or read the column as categories with types: { ${showValue(name)}: 'category' } (--categorical ${name})`,
    rules.source, at.line, name,
  );
}

/**
 * The type of a column from its sample: numeric when most non-missing cells are numbers (the others are
 * then errors, not categories); null when the sample holds no value (the first value decides).
 */
export function decideType(stats: TypeStats, forced: 'number' | 'category' | undefined, rules: CellRules, name: string, index: number): 'number' | 'category' | null {
  if (forced !== undefined) return forced;
  if (stats.commas > 0 && stats.numbers + stats.commas > stats.texts && stats.firstComma !== null) {
    throw decimalCommaError(rules, name, index, stats.firstComma);
  }
  if (stats.numbers + stats.texts + stats.commas === 0) return null;
  return stats.numbers > stats.texts + stats.commas ? 'number' : 'category';
}

/** Pairs of spellings read as booleans, false first. */
const BOOLEAN_PAIRS: readonly (readonly [string, string])[] = [
  ['false', 'true'], ['False', 'True'], ['FALSE', 'TRUE'], ['no', 'yes'], ['No', 'Yes'], ['NO', 'YES'],
];

/** Longest growth step, so a huge column does not double past what it needs. */
const MAX_STEP = 1 << 24;

export class ColumnBuilder {
  type: 'number' | 'category' | null = null;
  values = new Float64Array(0);
  codes = new Int32Array(0);
  readonly levels: string[] = [];
  readonly counts: number[] = [];
  private readonly levelIndex = new Map<string, number>();
  missing = 0;
  firstMissing: CellPlace | null = null;
  length = 0;
  private capacity: number;

  constructor(readonly name: string, readonly index: number, readonly rules: CellRules, readonly forced: boolean, capacity = 1024) {
    this.capacity = Math.max(16, capacity);
  }

  decide(type: 'number' | 'category' | null): void {
    this.type = type;
    if (type === 'number') { this.values = new Float64Array(this.capacity); this.values.fill(NaN, 0, this.length); }
    if (type === 'category') { this.codes = new Int32Array(this.capacity); this.codes.fill(-1, 0, this.length); }
  }

  /** Room for one more row. */
  private grow(): void {
    this.capacity = this.capacity + Math.min(this.capacity, MAX_STEP);
    if (this.type === 'number') { const v = new Float64Array(this.capacity); v.set(this.values); this.values = v; }
    if (this.type === 'category') { const c = new Int32Array(this.capacity); c.set(this.codes); this.codes = c; }
  }

  /** A number already parsed (the column is numeric, or undecided and becomes numeric). */
  pushNumber(v: number, line: number): void {
    if (this.type !== 'number') {
      if (this.type === 'category') { this.pushText(String(v), line); return; }
      this.decide('number');
    }
    if (this.length === this.capacity) this.grow();
    this.values[this.length++] = v;
  }

  pushMissing(line: number, spelling: string): void {
    this.missing++;
    if (this.firstMissing === null) this.firstMissing = { line, value: spelling };
    if (this.length === this.capacity) this.grow();
    if (this.type === 'number') this.values[this.length] = NaN;
    else if (this.type === 'category') this.codes[this.length] = -1;
    this.length++;
  }

  /** A cell's text, read by the column's type (deciding it on the first value when undecided). */
  pushText(s: string, line: number): void {
    if (this.rules.missing.has(s)) { this.pushMissing(line, s); return; }
    if (this.type === null) {
      const kind = classify(s, this.rules);
      if (kind === CellKind.Comma) {
        const stats = new TypeStats();
        stats.add(kind, s, line);
        decideType(stats, undefined, this.rules, this.name, this.index);
      }
      this.decide(kind === CellKind.Number ? 'number' : 'category');
    }
    if (this.type === 'number') {
      const v = parseNumber(s, this.rules.decimal);
      if (Number.isNaN(v)) throw this.notANumber(s, line);
      if (this.length === this.capacity) this.grow();
      this.values[this.length++] = v;
      return;
    }
    if (this.length === this.capacity) this.grow();
    const code = this.levelCode(s);
    this.counts[code]!++;
    this.codes[this.length++] = code;
  }

  private dictionary: ByteDictionary | null = null;

  /** A cell of a categorical column given as bytes (no quotes to undo): looked up without making a string. */
  pushCategoryBytes(b: Uint8Array, s: number, e: number, line: number): void {
    const dict = this.dictionary ??= new ByteDictionary();
    const h = ByteDictionary.hash(b, s, e);
    let code = dict.get(b, s, e, h);
    if (code === -2) {
      const text = decodeBytes(b, s, e);
      if (dict.full) { this.pushText(text, line); return; }
      code = this.rules.missing.has(text) ? -1 : this.levelCode(text);
      dict.add(b, s, e, h, code);
    }
    if (code === -1) { this.pushMissing(line, this.firstMissing === null ? decodeBytes(b, s, e) : ''); return; }
    if (this.length === this.capacity) this.grow();
    this.counts[code]!++;
    this.codes[this.length++] = code;
  }

  private levelCode(s: string): number {
    let code = this.levelIndex.get(s);
    if (code === undefined) {
      code = this.levels.length;
      this.levelIndex.set(s, code);
      this.levels.push(s);
      this.counts.push(0);
    }
    return code;
  }

  notANumber(s: string, line: number): TableError {
    const comma = this.rules.decimal === '.' && classify(s, this.rules) === CellKind.Comma
      ? ` It looks like a decimal comma: pass decimal: ',' (--decimal ,) to read such numbers.`
      : '';
    return new TableError(
      `${cellPlace(this.rules.source, line, this.name, this.index)}: ${showValue(s)} is not a number, but the column is numeric (most of its cells are numbers). ` +
      `Fix the cell, mark it missing (empty or NA) and impute it (--impute), or read the column as categories with types: { ${showValue(this.name)}: 'category' } (--categorical ${this.name}).${comma}`,
      this.rules.source, line, this.name,
    );
  }

  /** Cells pushed before the last drain (a streamed read hands its blocks out as it goes). */
  private drained = 0;

  /** The cells since the last drain, as one block of the column (null while no cell has decided its type), and room for the next. */
  drain(): Float64Array | Int32Array | null {
    const n = this.length;
    const out = this.type === 'number' ? this.values.slice(0, n) : this.type === 'category' ? this.codes.slice(0, n) : null;
    this.drained += n;
    this.length = 0;
    return out;
  }

  /** What `finish` says of the whole column, without its cells (of a streamed read, whose cells went out in blocks). */
  summary(): ColumnSummary {
    const base = { name: this.name, index: this.index, missing: this.missing, firstMissing: this.firstMissing };
    const n = this.drained + this.length;
    if (this.type === null || (!this.forced && this.missing === n)) return { type: 'empty', ...base };
    if (this.type === 'number') return { type: 'number', ...base };
    const map = this.booleanMap();
    if (map === null) return { type: 'category', ...base, levels: [...this.levels], counts: [...this.counts] };
    const counts = [0, 0];
    this.counts.forEach((k, code) => { counts[map.codes[code]!]! += k; });
    return { type: 'boolean', ...base, levels: map.levels, counts, codeMap: map.codes };
  }

  /** A category column of exactly two boolean spellings: its levels (false first) and the code each level becomes; else null. */
  private booleanMap(): { levels: [string, string]; codes: number[] } | null {
    const pair = this.forced ? undefined : BOOLEAN_PAIRS.find(([f, t]) => this.levels.every((l) => l === f || l === t));
    if (pair === undefined) return null;
    return { levels: [pair[0], pair[1]], codes: this.levels.map((l) => (l === pair[0] ? 0 : 1)) };
  }

  finish(): Column {
    const base = { name: this.name, index: this.index, missing: this.missing, firstMissing: this.firstMissing };
    const n = this.length;
    if (this.type === null || (!this.forced && this.missing === n)) return { type: 'empty', ...base };
    if (this.type === 'number') return { type: 'number', ...base, values: trim(this.values, n) };
    const codes = trim(this.codes, n);
    const bool = this.booleanMap();
    if (bool === null) return { type: 'category', ...base, codes, levels: this.levels, counts: this.counts };
    // Booleans: code 0 = false, 1 = true, whatever order they appeared in.
    const map = bool.codes;
    const counts = [0, 0];
    for (let i = 0; i < n; i++) {
      const c = codes[i]!;
      if (c >= 0) { const b = map[c]!; codes[i] = b; counts[b]!++; }
    }
    return { type: 'boolean', ...base, codes, levels: bool.levels, counts };
  }
}

/** The first n values; copied when the spare room is large, else a view (no second copy of a big column). */
function trim<T extends Float64Array | Int32Array>(a: T, n: number): T {
  if (a.length === n) return a;
  return (a.length - n > (n >> 3) + 1024 ? a.slice(0, n) : a.subarray(0, n)) as T;
}
