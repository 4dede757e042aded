/**
 * A seeded pseudo-random generator, passed explicitly everywhere (no Math.random in the library).
 *
 * xoshiro128** (Blackman & Vigna) over four 32-bit words, seeded through splitmix32 so that
 * nearby seeds give unrelated streams. Its state is four numbers, so it survives JSON and
 * structuredClone, and a checkpoint can resume the exact stream.
 */

export type RngState = readonly [number, number, number, number];

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** A seeded pseudo-random generator (xoshiro128**): every random draw in the library takes one, so runs repeat exactly; its state survives JSON. */
export class Rng {
  /** The four state words, as int32 (typed-array slots: updating them allocates nothing). */
  private readonly s = new Int32Array(4);

  constructor(seed: number | RngState = 0) {
    const s = this.s;
    if (typeof seed === 'number') {
      if (!Number.isFinite(seed)) throw new Error(`Rng: seed must be a finite number, got ${seed}`);
      const sm = splitmix32(Math.floor(seed) ^ Math.floor(seed / 2 ** 32));
      for (let i = 0; i < 4; i++) s[i] = sm();
    } else {
      for (let i = 0; i < 4; i++) s[i] = seed[i]! >>> 0;
    }
    if ((s[0]! | s[1]! | s[2]! | s[3]!) === 0) s[0] = 1;
  }

  /** The generator's state, to store in a checkpoint. */
  state(): RngState {
    const s = this.s;
    return [s[0]! >>> 0, s[1]! >>> 0, s[2]! >>> 0, s[3]! >>> 0];
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const s1 = s[1]!;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s1;
    s[1] = s1 ^ s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /**
   * A standard normal sample (Box–Muller, cosine branch only: no cached second sample,
   * so the four state words are the whole state and a checkpoint resumes the exact stream).
   */
  normal(): number {
    const u = 1 - this.uniform(); // in (0, 1]: log(u) is finite
    const v = this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** A permutation of 0..n−1 written into `out` (allocation-free when `out` is given). */
  permutation(n: number, out: Int32Array = new Int32Array(n)): Int32Array {
    for (let i = 0; i < n; i++) out[i] = i;
    return this.shuffle(out);
  }

  /** An independent generator derived from this one (for a layer, a restart, a worker). */
  fork(): Rng {
    return new Rng([this.nextUint32(), this.nextUint32(), this.nextUint32(), this.nextUint32()]);
  }
}

/** Rotate a 32-bit word left (as int32 bits). */
function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
