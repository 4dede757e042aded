/**
 * A dictionary from a cell's bytes to its code, so a categorical column is encoded without making a
 * string per cell: each distinct spelling is decoded once, when first seen. Open addressing over FNV-1a
 * hashes; the spellings live in one byte pool. Codes: ≥ 0 a level, −1 a missing marker.
 */

const MAX_ENTRIES = 1 << 20;

export class ByteDictionary {
  private slots = new Int32Array(64).fill(-1);
  private starts: Int32Array = new Int32Array(32);
  private lengths: Int32Array = new Int32Array(32);
  private hashes: Int32Array = new Int32Array(32);
  private codes: Int32Array = new Int32Array(32);
  private pool = new Uint8Array(1024);
  private poolLen = 0;
  size = 0;

  /** Room for more spellings (a column of ids would make the dictionary as large as the column). */
  get full(): boolean { return this.size >= MAX_ENTRIES; }

  static hash(b: Uint8Array, s: number, e: number): number {
    let h = 0x811c9dc5;
    for (let i = s; i < e; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
    return h | 0;
  }

  /** The code of bytes[s, e) with hash h, or −2 when not in the dictionary. */
  get(b: Uint8Array, s: number, e: number, h: number): number {
    const mask = this.slots.length - 1;
    const n = e - s;
    for (let k = h & mask; ; k = (k + 1) & mask) {
      const idx = this.slots[k]!;
      if (idx < 0) return -2;
      if (this.hashes[idx] !== h || this.lengths[idx] !== n) continue;
      const p = this.starts[idx]!;
      let same = true;
      for (let i = 0; i < n; i++) if (this.pool[p + i] !== b[s + i]) { same = false; break; }
      if (same) return this.codes[idx]!;
    }
  }

  add(b: Uint8Array, s: number, e: number, h: number, code: number): void {
    const idx = this.size;
    if (idx === this.starts.length) this.growEntries();
    const n = e - s;
    if (this.poolLen + n > this.pool.length) {
      const p = new Uint8Array(Math.max(this.pool.length * 2, this.poolLen + n));
      p.set(this.pool.subarray(0, this.poolLen));
      this.pool = p;
    }
    this.pool.set(b.subarray(s, e), this.poolLen);
    this.starts[idx] = this.poolLen;
    this.lengths[idx] = n;
    this.hashes[idx] = h;
    this.codes[idx] = code;
    this.poolLen += n;
    this.size++;
    if (this.size * 2 > this.slots.length) this.rehash();
    else this.place(idx);
  }

  private place(idx: number): void {
    const mask = this.slots.length - 1;
    let k = this.hashes[idx]! & mask;
    while (this.slots[k]! >= 0) k = (k + 1) & mask;
    this.slots[k] = idx;
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2).fill(-1);
    for (let i = 0; i < this.size; i++) this.place(i);
  }

  private growEntries(): void {
    const grow = (a: Int32Array): Int32Array => { const x = new Int32Array(a.length * 2); x.set(a); return x; };
    this.starts = grow(this.starts);
    this.lengths = grow(this.lengths);
    this.hashes = grow(this.hashes);
    this.codes = grow(this.codes);
  }
}
