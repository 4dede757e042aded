// Model files and ONNX files from elsewhere, mutated a few hundred times each: every mutant loads and predicts
// finite, normalized output, or fails with one clear line that names a field, node or tensor — never a stack
// trace, a raw engine error or a silently wrong answer. The counts are printed as test diagnostics.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/main.js';
import { Model } from '../../src/graph/model.js';
import { decodeFloats, encodeFloats } from '../../src/io/base64.js';
import { checkPredictions } from '../../src/io/model-checks.js';
import { parseModelFile } from '../../src/io/model-file.js';
import { exportOnnx } from '../../src/io/onnx/export.js';
import { importOnnx } from '../../src/io/onnx/import.js';
import { decodeModel, encodeModel, type ModelData, type TensorData } from '../../src/io/onnx/proto.js';
import { Rng } from '../../src/rng.js';

const MODEL_MUTANTS = 300;
const ONNX_MUTANTS = 400;
/** A mutant may not grow the heap by more than this (a limit that failed would allocate gigabytes). */
const HEAP_BOUND = 512 * 1024 * 1024;

const dir = mkdtempSync(join(tmpdir(), 'mlpkit-fuzz-'));
const data = join(dir, 'iris.csv');
const modelPath = join(dir, 'model.json');
let modelText = '';

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (s) => { stdout += s; }, stderr: (s) => { stderr += s; } });
  return { code, stdout, stderr };
}

before(async () => {
  assert.equal((await run('datasets', 'export', 'iris', '--out', data)).code, 0);
  const trained = await run('train', data, '--target', 'species', '--epochs', '3', '--hidden', '5', '--batchnorm', 'before', '--out', modelPath, '--quiet');
  assert.equal(trained.code, 0, trained.stderr);
  modelText = readFileSync(modelPath, 'utf8');
});

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every place in a JSON value: the container and the key of each leaf and branch. */
function places(v: Json, out: { parent: Json[] | { [k: string]: Json }; key: string | number }[] = []): typeof out {
  if (Array.isArray(v)) v.forEach((x, i) => { out.push({ parent: v, key: i }); places(x, out); });
  else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) { out.push({ parent: v, key: k }); places(v[k]!, out); }
  return out;
}

const NON_FINITE = '"@@NONFINITE@@"';

/** Values a hostile or corrupt file might hold where a good one holds something else. */
function oddValue(rng: Rng): Json {
  const odd: Json[] = [NON_FINITE.slice(1, -1), -1, 0, 1e308, -1e308, 2 ** 53, 0.5, '', 'x'.repeat(100_000), null, [], {}, true, [1, 2, 3], { columns: ['injected'] }];
  return odd[Math.floor(rng.uniform() * odd.length)]!;
}

/** Float values of a base64 array with one replaced by NaN, ±Infinity, a negative or a huge number. */
function corruptFloats(b64: string, rng: Rng): string {
  const v = decodeFloats(b64, 'float32', 'fuzz');
  if (v.length === 0) return b64;
  const bad = [NaN, Infinity, -Infinity, -1, -1e30, 3e38][Math.floor(rng.uniform() * 6)]!;
  v[Math.floor(rng.uniform() * v.length)] = bad;
  return encodeFloats(v, 'float32');
}

function mutateModel(text: string, rng: Rng): string {
  const kind = Math.floor(rng.uniform() * 8);
  if (kind === 0) return text.slice(0, Math.floor(rng.uniform() * text.length));
  if (kind === 1) {
    const i = Math.floor(rng.uniform() * text.length);
    return text.slice(0, i) + String.fromCharCode(32 + Math.floor(rng.uniform() * 95)) + text.slice(i + 1);
  }
  const json = JSON.parse(text) as { [k: string]: Json };
  const all = places(json);
  const at = all[Math.floor(rng.uniform() * all.length)]!;
  const parent = at.parent as Record<string | number, Json>;
  switch (kind) {
    case 2: case 3: parent[at.key] = oddValue(rng); break;
    case 4: if (Array.isArray(at.parent)) at.parent.splice(Number(at.key), 1); else delete parent[at.key]; break;
    case 5: {
      const objects = all.map((p) => (p.parent as Record<string | number, Json>)[p.key]).filter((v): v is { [k: string]: Json } => v !== null && typeof v === 'object' && !Array.isArray(v));
      const o = objects[Math.floor(rng.uniform() * objects.length)] ?? json;
      const key = ['__proto__', 'constructor', 'prototype'][Math.floor(rng.uniform() * 3)]!;
      return JSON.stringify(o === json ? { ...json } : json).replace(JSON.stringify(o), JSON.stringify(o).replace(/^\{/, `{"${key}":{"columns":[{"name":"x","kind":"numeric"}]},`));
    }
    case 6: {
      const section = rng.uniform() < 0.5 ? 'weights' : 'state';
      const enc = json[section] as { base64: string };
      enc.base64 = corruptFloats(enc.base64, rng);
      break;
    }
    default: {
      // The class lists: one more, one fewer, or a duplicate.
      const prep = json.preprocessing as { target: { classes: Json[] } };
      const lists = [json.classes as Json[], prep.target.classes];
      const list = lists[Math.floor(rng.uniform() * 2)]!;
      const r = rng.uniform();
      if (r < 0.4) list.push(`class${list.length}`); else if (r < 0.8) list.pop(); else list.push(list[0]!);
    }
  }
  return JSON.stringify(json).replaceAll(NON_FINITE, '1e999');
}

/** A failure is clear when it is one line, names a place, and is neither a stack trace nor an engine error. */
function clearFailure(message: string): string | null {
  if (/\n\s+at /.test(message) || /\bat \S+ \(/.test(message)) return 'a stack trace';
  if (/internal error|RangeError|TypeError|RuntimeError|WebAssembly|undefined/.test(message)) return 'an engine error';
  if (message.length > 1500) return `${message.length} characters`;
  if (!/\$[.[]|preprocessing|line \d+|column|layer '|node \d|tensor|initializer|input '|output '|not valid JSON|format|ONNX|importOnnx: /.test(message)) return 'no field named';
  return null;
}

test(`${MODEL_MUTANTS} mutants of a trained model file: predict is right or fails clearly`, { timeout: 300_000 }, async (t) => {
  const rng = new Rng(17);
  const counts = { tried: 0, predicted: 0, refused: 0, bad: 0 };
  const problems: string[] = [];
  const heap0 = process.memoryUsage().heapUsed;
  for (let i = 0; i < MODEL_MUTANTS; i++) {
    const mutant = mutateModel(modelText, rng);
    const path = join(dir, `mutant-${i}.json`);
    writeFileSync(path, mutant);
    counts.tried++;
    const r = await run('predict', path, data, '--proba');
    if (r.code === 0) {
      const rows = r.stdout.trim().split('\n').slice(1).map((l) => l.split(','));
      const classes = r.stdout.split('\n')[0]!.split(',').slice(1);
      const fine = rows.length === 150 && rows.every((cells) => {
        const p = cells.slice(1).map(Number);
        return classes.includes(cells[0]!) && p.length === classes.length && p.every(Number.isFinite) && Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-4;
      });
      if (fine) counts.predicted++;
      else { counts.bad++; problems.push(`mutant ${i}: exit 0 with output that is not finite, normalized probabilities: ${r.stdout.slice(0, 200)}`); }
    } else {
      const lines = r.stderr.trimEnd().split('\n');
      const why = lines.length === 1 && lines[0]!.startsWith('mlpkit: ') ? clearFailure(lines[0]!) : 'not one mlpkit: line';
      if (why === null) counts.refused++;
      else { counts.bad++; problems.push(`mutant ${i}: ${why}: ${r.stderr.slice(0, 300)}`); }
    }
    assert.ok(process.memoryUsage().heapUsed - heap0 < HEAP_BOUND, `mutant ${i}: the heap grew by more than ${HEAP_BOUND} bytes`);
  }
  t.diagnostic(`model-file mutants: tried ${counts.tried}, predicted correctly ${counts.predicted}, refused clearly ${counts.refused}, bad ${counts.bad}`);
  assert.deepEqual(problems, []);
  assert.ok(counts.refused > MODEL_MUTANTS / 3, 'most mutants break the file');
});

/** Structured damage to an ONNX model: tensors made non-finite or resized, nodes renamed, cut or emptied. */
function mutateOnnxModel(m: ModelData, rng: Rng): ModelData {
  const pick = <T>(a: readonly T[]): T | undefined => a[Math.floor(rng.uniform() * a.length)];
  const g = m.graph;
  const tensors = g.initializer;
  const kind = Math.floor(rng.uniform() * 7);
  const withTensor = (f: (t: TensorData) => TensorData): ModelData => {
    const t = pick(tensors);
    return t === undefined ? m : { ...m, graph: { ...g, initializer: tensors.map((x) => (x === t ? f(x) : x)) } };
  };
  const floats = (t: TensorData): number[] => (t.rawData === undefined ? [...(t.floatData ?? [])] : Array.from(new Float32Array(t.rawData.slice().buffer)));
  switch (kind) {
    case 0: return withTensor((t) => { const v = floats(t); v[Math.floor(rng.uniform() * v.length)] = pick([NaN, Infinity, -Infinity, -1, 3e38])!; return { name: t.name, dims: t.dims, dataType: t.dataType, floatData: v }; });
    case 1: return withTensor((t) => ({ ...t, dims: t.dims.map((d, j) => (j === 0 ? pick([0, d + 1, d - 1, -1, 2 ** 40])! : d)) }));
    case 2: return withTensor((t) => ({ name: t.name, dims: t.dims, dataType: t.dataType, floatData: floats(t).slice(1) }));
    case 3: {
      const n = pick(g.node);
      return { ...m, graph: { ...g, node: g.node.map((x) => (x === n ? { ...x, input: x.input.slice(0, Math.floor(rng.uniform() * x.input.length)) } : x)) } };
    }
    case 4: {
      const n = pick(g.node);
      return { ...m, graph: { ...g, node: g.node.map((x) => (x === n ? { ...x, output: pick([[], [''], ['renamed']])! } : x)) } };
    }
    case 5: return { ...m, graph: { ...g, input: g.input.map((v) => ({ ...v, name: pick(['', 'other', v.name])!, shape: [1, pick([0, 2, 5, 1e9])!] })) } };
    default: return { ...m, graph: { ...g, node: g.node.filter(() => rng.uniform() < 0.8) } };
  }
}

function mutateOnnxBytes(bytes: Uint8Array, rng: Rng): Uint8Array {
  const b = bytes.slice();
  const kind = Math.floor(rng.uniform() * 3);
  if (kind === 0) return b.subarray(0, Math.floor(rng.uniform() * b.length));
  const flips = 1 + Math.floor(rng.uniform() * 8);
  for (let k = 0; k < flips; k++) b[Math.floor(rng.uniform() * b.length)] = Math.floor(rng.uniform() * 256);
  if (kind === 1) return b;
  const i = Math.floor(rng.uniform() * b.length);
  return Uint8Array.from([...b.subarray(0, i), ...b.subarray(i, Math.min(b.length, i + 64)), ...b.subarray(i)]);
}

test(`${ONNX_MUTANTS} mutants of real ONNX files: importOnnx gives a model that predicts finite, normalized output, or a clear error`, { timeout: 300_000 }, (t) => {
  const torch = new Uint8Array(readFileSync(new URL('../fixtures/onnx/torch_relu_tanh_softmax.onnx', import.meta.url)));
  const torchX = (JSON.parse(readFileSync(new URL('../fixtures/onnx/torch_relu_tanh_softmax.json', import.meta.url), 'utf8')) as { x: number[][] }).x;
  const ours = exportOnnx(parseModelFile(modelText));
  const oursX = readFileSync(data, 'utf8').trim().split('\n').slice(1, 41).map((l) => l.split(',').slice(0, 4).map(Number));
  const sources = [{ bytes: torch, x: torchX }, { bytes: ours, x: oursX }];
  const rng = new Rng(23);
  const counts = { tried: 0, imported: 0, refused: 0, bad: 0 };
  const problems: string[] = [];
  const heap0 = process.memoryUsage().heapUsed;
  for (let i = 0; i < ONNX_MUTANTS; i++) {
    const src = sources[i % 2]!;
    let bytes: Uint8Array;
    if (rng.uniform() < 0.5) bytes = mutateOnnxBytes(src.bytes, rng);
    else {
      try {
        bytes = encodeModel(mutateOnnxModel(decodeModel(src.bytes), rng));
      } catch {
        bytes = mutateOnnxBytes(src.bytes, rng); // The encoder refuses the damage (a negative dim): damage the bytes instead.
      }
    }
    counts.tried++;
    try {
      const r = importOnnx(bytes);
      const model = new Model(r.spec, { trainable: false });
      model.setWeights(r.weights);
      model.setState(r.state);
      const width = model.spec.inputSize;
      const x = src.x.map((row) => Array.from({ length: width }, (_, j) => row[j % row.length]!));
      const y = model.predict(x);
      try {
        checkPredictions(y.data, y.rows, y.cols);
      } catch (e) {
        const why = clearFailure((e as Error).message);
        if (why === null) { counts.refused++; continue; }
        throw e;
      }
      const softmax = r.spec.layers.find((l) => l.name === r.spec.output);
      const normalized = softmax?.kind !== 'dense' || softmax.activation !== 'softmax'
        || Array.from({ length: y.rows }, (_, row) => Array.from(y.data).slice(row * y.cols, (row + 1) * y.cols).reduce((a, b) => a + b, 0)).every((s) => Math.abs(s - 1) < 1e-4);
      if (normalized) counts.imported++;
      else { counts.bad++; problems.push(`mutant ${i}: softmax rows do not sum to 1`); }
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const why = !(e instanceof Error) ? 'not an Error' : !message.startsWith('importOnnx: ') ? 'no importOnnx: prefix' : clearFailure(message);
      if (why === null) counts.refused++;
      else { counts.bad++; problems.push(`mutant ${i}: ${why}: ${message.slice(0, 300)}`); }
    }
    assert.ok(process.memoryUsage().heapUsed - heap0 < HEAP_BOUND, `mutant ${i}: the heap grew by more than ${HEAP_BOUND} bytes`);
  }
  t.diagnostic(`ONNX mutants: tried ${counts.tried}, imported and predicted ${counts.imported}, refused clearly ${counts.refused}, bad ${counts.bad}`);
  assert.deepEqual(problems, []);
});
