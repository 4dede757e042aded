/**
 * Cells: what a cell's text means (missing, a number, a number with a decimal comma, text) and how a
 * cell is quoted in a message. Numbers are read straight from UTF-8 bytes where they can be (no string
 * per cell); the few that cannot take the exact path through `Number`.
 */

/** Cells read as missing unless the caller says otherwise. */
export const DEFAULT_MISSING: readonly string[] = ['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', '?'];

/** A plain decimal number: optional sign, digits with one optional point, optional exponent. */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const COMMA_NUMBER = /^[+-]?(\d+,?\d*|,\d+)([eE][+-]?\d+)?$/;
/** A number written with a decimal comma (and no point): what a European spreadsheet exports. */
const DECIMAL_COMMA = /^[+-]?(\d*,\d+|\d+,\d*)([eE][+-]?\d+)?$/;

/** How the cells of one read are to be understood. */
export interface CellRules {
  readonly source: string;
  readonly missing: ReadonlySet<string>;
  readonly decimal: '.' | ',';
  /** Some missing marker is itself a number (e.g. '-999'): cells must be compared before parsing. */
  readonly numericMarkers: boolean;
}

export function cellRules(source: string, missing: readonly string[] | undefined, decimal: '.' | ',' | undefined): CellRules {
  const set = new Set(missing ?? DEFAULT_MISSING);
  const d = decimal ?? '.';
  const numericMarkers = [...set].some((m) => !Number.isNaN(parseNumber(m, d)));
  return { source, missing: set, decimal: d, numericMarkers };
}

/** The number a cell's text holds, or NaN if it is not a plain finite decimal number. */
export function parseNumber(s: string, decimal: '.' | ',' = '.'): number {
  if (decimal === ',') {
    if (!COMMA_NUMBER.test(s)) return NaN;
    s = s.replace(',', '.');
  } else if (!NUMBER.test(s)) return NaN;
  const v = Number(s);
  return Number.isFinite(v) ? v : NaN;
}

/** True when the text is a number with a decimal comma (so reading it needs `decimal: ','`). */
export function isDecimalComma(s: string): boolean {
  return DECIMAL_COMMA.test(s);
}

export const enum CellKind { Missing, Number, Comma, Text }

/** What a cell's text is, under the rules. */
export function classify(s: string, rules: CellRules): CellKind {
  if (rules.missing.has(s)) return CellKind.Missing;
  if (!Number.isNaN(parseNumber(s, rules.decimal))) return CellKind.Number;
  if (rules.decimal === '.' && isDecimalComma(s)) return CellKind.Comma;
  return CellKind.Text;
}

/** Powers of ten that are exact doubles: m·10^k (m < 2^53, |k| ≤ 22) is then one correctly rounded operation. */
const POW10 = Float64Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * The number in bytes[start, end), or NaN when it is not a plain number. The fast path (at most 15
 * significant digits, a decimal exponent within ±22) is exact (Clinger); anything else goes through
 * `Number` on the decoded text, so every result equals `parseNumber` of the same text.
 */
export function parseNumberBytes(b: Uint8Array, start: number, end: number, point: number): number {
  let i = start;
  let c = b[i];
  const negative = c === 45;
  if (negative || c === 43) c = b[++i];
  let m = 0;
  let digits = 0;
  let scale = 0;
  let seen = 0;
  while (i < end && c !== undefined && c >= 48 && c <= 57) {
    if (digits > 0 || c !== 48) { m = m * 10 + (c - 48); digits++; }
    seen++;
    c = b[++i];
  }
  if (i < end && c === point) {
    c = b[++i];
    while (i < end && c !== undefined && c >= 48 && c <= 57) {
      if (digits > 0 || c !== 48) { m = m * 10 + (c - 48); digits++; }
      scale--;
      seen++;
      c = b[++i];
    }
  }
  if (seen === 0) return NaN;
  if (i < end && (c === 101 || c === 69)) {
    c = b[++i];
    const eNeg = c === 45;
    if (eNeg || c === 43) c = b[++i];
    let e = 0;
    let eDigits = 0;
    while (i < end && c !== undefined && c >= 48 && c <= 57) { if (e < 100000) e = e * 10 + (c - 48); eDigits++; c = b[++i]; }
    if (eDigits === 0) return NaN;
    scale += eNeg ? -e : e;
  }
  if (i !== end) return NaN;
  if (digits <= 15 && scale >= -22 && scale <= 22) {
    const v = scale >= 0 ? m * POW10[scale]! : m / POW10[-scale]!;
    return negative ? -v : v;
  }
  return parseNumber(decodeBytes(b, start, end), point === 44 ? ',' : '.');
}

const utf8 = new TextDecoder('utf-8');

/** The text of bytes[start, end) (UTF-8; ASCII without a decoder call). */
export function decodeBytes(b: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n === 0) return '';
  if (n <= 24) {
    let ascii = true;
    for (let i = start; i < end; i++) if (b[i]! >= 128) { ascii = false; break; }
    if (ascii) { let s = ''; for (let i = start; i < end; i++) s += String.fromCharCode(b[i]!); return s; }
  }
  return utf8.decode(b.subarray(start, end));
}

/** Longest stretch of a value quoted in a message. */
export const SHOWN_CHARS = 40;

/** A cell's text as it should appear in a message: quoted, invisible characters made visible, cut to a readable length. */
export function showValue(v: string): string {
  if (v === '') return "'' (an empty cell)";
  const cut = v.length > SHOWN_CHARS;
  const q = JSON.stringify(cut ? v.slice(0, SHOWN_CHARS) : v).replace(/^"|"$/g, "'");
  return cut ? `${q.slice(0, -1)}…' (${v.length.toLocaleString('en-US')} characters)` : q;
}

/** Where a cell is, as a user would look it up: the source, the line as an editor numbers it, and the column. */
export function cellPlace(source: string, line: number, column: string, index: number): string {
  return `${source}, line ${line}, column ${showValue(column)} (column ${index + 1})`;
}
