/** Guessing how a text table is written: its delimiter, from the first lines, outside quotes. */

const CANDIDATES = [',', '\t', ';', '|'] as const;

/**
 * The delimiter of a sample of the file: the candidate that occurs (outside quotes) the same, non-zero
 * number of times on the most of the first lines; ties go to the order ',', tab, ';', '|'. With a decimal
 * comma, ',' is not a candidate.
 */
export function sniffDelimiter(sample: string, decimal: '.' | ',' = '.'): string {
  const lines = firstLines(sample, 20);
  const candidates = CANDIDATES.filter((d) => decimal === '.' || d !== ',');
  let best: string = candidates[0]!;
  let bestScore = -1;
  for (const d of candidates) {
    const counts = lines.map((l) => countOutsideQuotes(l, d));
    const first = counts[0] ?? 0;
    if (first === 0) continue;
    const score = counts.filter((c) => c === first).length;
    if (score > bestScore) { best = d; bestScore = score; }
  }
  return best;
}

/** Up to `max` non-blank records of the sample (a line break inside quotes does not end one). */
function firstLines(sample: string, max: number): string[] {
  const lines: string[] = [];
  let from = 0;
  let quoted = false;
  for (let i = 0; i < sample.length && lines.length < max; i++) {
    const ch = sample.charCodeAt(i);
    if (ch === 34) quoted = !quoted;
    else if (!quoted && (ch === 10 || ch === 13)) {
      const line = sample.slice(from, i);
      if (line.trim() !== '') lines.push(line);
      from = i + 1;
    }
  }
  // A last line cut off by the end of the sample would miscount, unless the sample is the whole file.
  const rest = sample.slice(from);
  if (rest.trim() !== '' && lines.length === 0) lines.push(rest);
  return lines;
}

function countOutsideQuotes(line: string, d: string): number {
  let n = 0;
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === d) n++;
  }
  return n;
}
