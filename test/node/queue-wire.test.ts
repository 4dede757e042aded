// What travels on the queue: values through JSON without losing a bit, data bundles named by their
// hash, the Redis address with its password kept out of every message, and the check of a trial.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeBundle, encodeBundle } from '../../src/node/queue/bundle.js';
import { readPasswordFile, resolveConnection } from '../../src/node/queue/connection.js';
import { checkTrial } from '../../src/node/queue/trials.js';
import { fromWire, toWire, type Json } from '../../src/node/queue/wire.js';

const awkward = {
  f32: Float32Array.of(1.1, -0, 3e-39, Infinity),
  f64: Float64Array.of(Math.PI, Number.MIN_VALUE, -Infinity),
  i32: Int32Array.of(-1, 2 ** 31 - 1),
  numbers: [NaN, Infinity, -Infinity, -0, 0, 1 / 3],
  nested: { label: 'class_0', flag: true, none: null },
};

const bits = (a: Float32Array | Float64Array | Int32Array): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');

test('a value through the wire comes back bit for bit: typed arrays, NaN, ±Infinity and −0', () => {
  const json = JSON.parse(JSON.stringify(toWire(awkward))) as Json;
  const back = fromWire(json) as typeof awkward;
  assert.equal(bits(back.f32), bits(awkward.f32));
  assert.equal(bits(back.f64), bits(awkward.f64));
  assert.equal(bits(back.i32), bits(awkward.i32));
  assert.ok(back.f32 instanceof Float32Array && back.f64 instanceof Float64Array && back.i32 instanceof Int32Array);
  back.numbers.forEach((v, i) => assert.ok(Object.is(v, awkward.numbers[i]), `number ${i}: ${v}`));
  assert.deepEqual(back.nested, awkward.nested);
});

test('a data bundle comes back whole and is named by the hash of its bytes', () => {
  const b = encodeBundle(awkward);
  const back = decodeBundle(b.bytes, 'bundle') as typeof awkward;
  assert.equal(bits(back.f64), bits(awkward.f64));
  assert.equal(bits(back.f32), bits(awkward.f32));
  assert.ok(Object.is(back.numbers[3], -0));
  assert.match(b.sha256, /^[0-9a-f]{64}$/);
  assert.equal(encodeBundle(awkward).sha256, b.sha256);
  assert.notEqual(encodeBundle({ ...awkward, f64: Float64Array.of(Math.PI, 0, -Infinity) }).sha256, b.sha256);
  assert.throws(() => decodeBundle(b.bytes.subarray(0, b.bytes.length - 8), 'data 1234'), /^Error: data 1234: an array runs past the end$/);
  assert.throws(() => decodeBundle(new Uint8Array(16), 'data 1234'), /not an mlpkit data bundle/);
});

test('the Redis address: password from the address or a file, TLS for rediss://, and never in what is printed', () => {
  const a = resolveConnection({ url: 'redis://alice:s3cr%40t@queue.example:6390/2' });
  assert.equal(a.display, 'redis://queue.example:6390/2');
  assert.deepEqual([a.options.host, a.options.port, a.options.db, a.options.username, a.options.password, a.options.tls], ['queue.example', 6390, 2, 'alice', 's3cr@t', undefined]);
  const dir = mkdtempSync(join(tmpdir(), 'mlpkit-redis-'));
  writeFileSync(join(dir, 'pw'), 'from-a-file\n');
  const t = resolveConnection({ url: 'rediss://queue.example', password: readPasswordFile(join(dir, 'pw')) });
  assert.equal(t.display, 'rediss://queue.example:6379');
  assert.equal(t.options.password, 'from-a-file');
  assert.deepEqual(t.options.tls, { servername: 'queue.example' });
  assert.throws(() => resolveConnection({ url: 'redis://:pw@h', password: 'x' }, '--redis'), /^Error: --redis: give the password in the address or in a password file, not both$/);
  assert.throws(() => resolveConnection({ url: 'http://:hunter2@queue.example' }, '--redis'), (e: Error) => !e.message.includes('hunter2') && /must start with redis:\/\/ or rediss:\/\//.test(e.message));
  assert.throws(() => resolveConnection({ url: '://:hunter2@' }, '--redis'), (e: Error) => !e.message.includes('hunter2') && /expected an address like redis:\/\/HOST:PORT/.test(e.message));
  assert.throws(() => readPasswordFile(join(dir, 'missing')), /^Error: --redis-password-file .*missing: no such file$/);
});

test('a worker takes only trials that check: the kind, every key, and the model spec as the model checks it', () => {
  const data = { kind: 'redis', sha256: 'a'.repeat(64), bytes: 64 };
  const spec = { inputSize: 2, layers: [{ kind: 'dense', units: 1, activation: 'identity' }], loss: 'mse' };
  const good = { kind: 'restart', index: 0, seed: 1, spec, fit: { epochs: 2, optimizer: { kind: 'adam', learningRate: 0.01 } }, bootstrap: false, data };
  assert.equal(checkTrial(good).kind, 'restart');
  assert.throws(() => checkTrial({ ...good, kind: 'shell' }), /^Error: kind must be 'restart' or 'tune', got "shell"$/);
  assert.throws(() => checkTrial({ ...good, sped: 1 }), /restart trial: unknown option sped \(did you mean seed\?\)/);
  assert.throws(() => checkTrial({ ...good, spec: { ...spec, layers: [{ kind: 'dense', units: 1, activation: 'sigmoidal' }] } }), /layer 'dense0' \(dense\): unknown activation 'sigmoidal'/);
  assert.throws(() => checkTrial({ ...good, data: { ...data, sha256: '../../etc/passwd' } }), /data.sha256 must be 64 hexadecimal digits/);
  assert.throws(() => checkTrial({ ...good, index: -1 }), /index must be an integer ≥ 0, got -1/);
});
