/**
 * Whether every value of an array is finite: the scan behind every input check (a whole training table,
 * a batch to predict) and the divergence checks. The portable scan sums x·0 (0 for every finite x, NaN for
 * ±∞ and NaN) in four independent chains, so no add waits on the last; a backend may offer a faster one
 * (the native addon's vector scan, about 2.5× faster on a 188 MB table), which then serves the process.
 */

import type { Vec } from './backend.js';

type Scan = (data: Vec) => boolean;

let offered: Scan | null = null;

function portableScan(data: Vec): boolean {
  let p0 = 0;
  let p1 = 0;
  let p2 = 0;
  let p3 = 0;
  const n = data.length;
  const end = n - (n % 4);
  for (let k = 0; k < end; k += 4) {
    p0 += data[k]! * 0;
    p1 += data[k + 1]! * 0;
    p2 += data[k + 2]! * 0;
    p3 += data[k + 3]! * 0;
  }
  for (let k = end; k < n; k++) p0 += data[k]! * 0;
  return p0 + p1 + p2 + p3 === 0;
}

/** True when every value of `data` is finite (no NaN, no ±∞). */
export function allFinite(data: Vec): boolean {
  return offered === null ? portableScan(data) : offered(data);
}

/** Use `scan` for every later `allFinite` in this process (it must answer exactly as the portable scan). */
export function offerFiniteScan(scan: Scan): void {
  offered = scan;
}
