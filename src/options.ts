/**
 * Checking option objects at every door: an unknown key is refused with the closest known name
 * ("unknown option hidden_layer_sizes (did you mean hiddenLayerSizes?)"), never silently ignored.
 */

/** Edit distance (insertions, deletions, substitutions), case-insensitive, ignoring '_' and '-'. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase().replace(/[_-]/g, '');
  const t = b.toLowerCase().replace(/[_-]/g, '');
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const cur = [i];
    for (let j = 1; j <= t.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (s[i - 1] === t[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[t.length]!;
}

/** The known name closest to `name`, if it is close enough to be a likely typo. */
export function closest(name: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(name, k);
    if (d < bestD) { bestD = d; best = k; }
  }
  return best !== null && bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : null;
}

/**
 * "unknown option X (did you mean Y?)", or the list of known names when none is close. `path` names a
 * nested option object ('optimizer.'), written before the key and the suggestions.
 */
export function unknownOptionMessage(where: string, key: string, known: readonly string[], path = ''): string {
  const near = closest(key, known);
  const hint = near !== null ? ` (did you mean ${path}${near}?)` : `; known options: ${known.map((k) => path + k).join(', ')}`;
  return `${where}: unknown option ${path}${key}${hint}`;
}

/** Throw for the first key of `o` that is not in `known`. Keys whose value is undefined count too. */
export function checkKeys(o: object, known: readonly string[], where: string, path = ''): void {
  for (const key of Object.keys(o)) {
    if (!known.includes(key)) throw new Error(unknownOptionMessage(where, key, known, path));
  }
}
