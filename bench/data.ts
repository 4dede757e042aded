// Benchmark data, rebuilt in the project from the workload spec (BENCHMARKS.md):
// Fashion-MNIST from Debian's dataset-fashion-mnist (idx files, gzip), pixel/255 in float32; and the
// portable W2 tabular set (mulberry32 seed 42, Box–Muller cosine branch, a random teacher network).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readIdxFile } from '../src/io/node/idx.js';

export const FMNIST_DIR = process.env.FMNIST_DIR ?? '/usr/share/datasets/fashion-mnist';

export interface Fmnist { xTrain: Float32Array; yTrain: Uint8Array; xTest: Float32Array; yTest: Uint8Array }
export interface Tabular { x: Float32Array; y: Uint8Array; n: number; d: number }

/** sha256 of the canonical bytes, from the workload spec. */
export const SHA256: Record<string, string> = {
  'fmnist-train-x.f32': 'c8e7985e4e6a3382c3c25c81a43502a695894fef5d797f4c58a637801efb1612',
  'fmnist-train-y.u8': '657fbd221bfc9f4198cc14b5619cc33ec57c58dd0e47af4d99d6650759e869a7',
  'fmnist-test-x.f32': '0c0f08b9d95e81a9c662a7e200cbb82a22e7669e3a79c4e861585d1dbf736efd',
  'fmnist-test-y.u8': '3d0e6c6ea990b53b6f8f500a41cac93881d981b315f84578b7d915342ade01e9',
  'tabular-x.f32': '491ab4226cbc03a9138a5365c9ddfa200839d9ee77556a75a6d6f42e0b1b5d90',
  'tabular-y.u8': '6cbc789ef2eeb1205aaf09ee2dfdd2b52b2d877d92692472353fd3dbdb7709e9',
};

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const bytesOf = (a: Float32Array | Uint8Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function check(name: string, a: Float32Array | Uint8Array): void {
  const got = sha(bytesOf(a));
  if (got !== SHA256[name]) throw new Error(`${name}: sha256 ${got} differs from the spec's ${SHA256[name]}`);
}

function idx(name: string, magicDims: number): Uint8Array {
  const path = join(FMNIST_DIR, name);
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: install Fashion-MNIST with  apt-get install -y dataset-fashion-mnist  (Debian), then rerun`);
  }
  const a = readIdxFile(path);
  if (a.dims.length !== magicDims) throw new Error(`${name}: expected ${magicDims} dimensions, found ${a.dims.length}`);
  return a.data;
}

function images(name: string): Float32Array {
  const b = idx(name, 3);
  // pixel/255 in float64, one rounding to float32 (as numpy's uint8.astype(float32)/255).
  const out = new Float32Array(b.length);
  for (let i = 0; i < b.length; i++) out[i] = b[i]! / 255;
  return out;
}

const labels = (name: string): Uint8Array => Uint8Array.from(idx(name, 1));

/** Fashion-MNIST as the spec defines it; every array is checked against the spec's sha256. */
export function loadFmnist(): Fmnist {
  const f = {
    xTrain: images('train-images-idx3-ubyte.gz'), yTrain: labels('train-labels-idx1-ubyte.gz'),
    xTest: images('t10k-images-idx3-ubyte.gz'), yTest: labels('t10k-labels-idx1-ubyte.gz'),
  };
  check('fmnist-train-x.f32', f.xTrain);
  check('fmnist-train-y.u8', f.yTrain);
  check('fmnist-test-x.f32', f.xTest);
  check('fmnist-test-y.u8', f.yTest);
  return f;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The W2 set: y = 1 where Σ_j B_j·tanh(Σ_k X_ik A_kj) > 0, X standard normal (10000 × 20). */
export function generateTabular(): Tabular {
  const rng = mulberry32(42);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const n = 10000, d = 20, h = 16;
  const A = Array.from({ length: d * h }, () => normal() / Math.sqrt(d));
  const B = Array.from({ length: h }, () => normal() / Math.sqrt(h));
  const x = new Float32Array(n * d);
  for (let i = 0; i < n * d; i++) x[i] = normal();
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < h; j++) {
      let z = 0;
      for (let k = 0; k < d; k++) z += x[i * d + k]! * A[k * h + j]!;
      s += B[j]! * Math.tanh(z);
    }
    y[i] = s > 0 ? 1 : 0;
  }
  check('tabular-x.f32', x);
  check('tabular-y.u8', y);
  return { x, y, n, d };
}


/**
 * Write the flat little-endian files the peer harnesses read (BENCH_DATA); files already there with the
 * spec's sha256 are kept. Returns the folder.
 */
export function writeFlatFiles(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const valid = (name: string): boolean => existsSync(join(dir, name)) && sha(readFileSync(join(dir, name))) === SHA256[name];
  if (Object.keys(SHA256).every(valid)) return dir;
  const f = loadFmnist();
  const t = generateTabular();
  const files: [string, Float32Array | Uint8Array][] = [
    ['fmnist-train-x.f32', f.xTrain], ['fmnist-train-y.u8', f.yTrain],
    ['fmnist-test-x.f32', f.xTest], ['fmnist-test-y.u8', f.yTest],
    ['tabular-x.f32', t.x], ['tabular-y.u8', t.y],
  ];
  for (const [name, a] of files) writeFileSync(join(dir, name), bytesOf(a));
  return dir;
}
