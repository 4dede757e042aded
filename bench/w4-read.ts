// npx tsx bench/w4-read.ts [--size-mb 1024] [--rounds 2] [--files numeric,mixed] [--dir bench/out/w4] [--binary] [--train [--memory 1GB [--stream-only]] [--no-read]] [--json]
// Workload W4 (read): a generated numeric CSV (31 columns, ~1 GB by default) and a mixed one (numbers,
// categories, a yes/no column, missing cells), each read by mlpkit's readTableFile and by pandas read_csv
// (Debian's python3-pandas, C engine) in turns, each read in a fresh process. Records per read: seconds,
// MB/s, peak resident memory (the process's maxRSS) and the foreign CPU load (cores busy with other
// processes during the read). The files are generated once per size and kept in --dir. With --binary the
// same tables are also written as Parquet and Arrow IPC (by writeTableFile) and read back by readTableFile.
// With --train, W4 end to end on the numeric file: `mlpkit train FILE --target y --hidden 32 --epochs 1
// --batch-size 256` (nothing held out, no validation) beside pandas + scikit-learn and pandas + PyTorch training
// one epoch of the same network (bench/peers/w4_train.py), each in a fresh process: seconds and peak RSS.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const argv = process.argv.slice(2);
const opt = (name: string, fallback: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1]! : fallback;
};
const sizeMb = Number(opt('size-mb', '1024'));
const rounds = Number(opt('rounds', '2'));
const files = opt('files', 'numeric,mixed').split(',');
const dir = resolve(opt('dir', join(root, 'bench/out/w4')));
const json = argv.includes('--json');
const binary = argv.includes('--binary');
const train = argv.includes('--train');
/** With --train: also train streamed from the on-disk cache under this budget (the first run builds the cache, the second reuses it). */
const memory = opt('memory', '');
const noRead = argv.includes('--no-read');
/** With --memory: train streamed only (a file larger than memory cannot be trained in memory, by mlpkit or the peers). */
const streamOnly = argv.includes('--stream-only');
const python = '/usr/bin/python3';
const log = (s: string): void => { process.stderr.write(`${s}\n`); };
for (const f of files) if (f !== 'numeric' && f !== 'mixed') throw new Error(`--files: unknown file '${f}'; expected numeric, mixed`);
if (!(sizeMb > 0)) throw new Error('--size-mb must be a positive number');

/** xorshift32: the same bytes on every machine. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
}

/** A number like -12.345 or 0.071: one or two integer digits, three decimals, either sign. */
function writeNumber(buf: Uint8Array, o: number, r: number): number {
  if (r & 1) buf[o++] = 45;
  const int = (r >>> 1) % 100;
  if (int >= 10) buf[o++] = 48 + Math.floor(int / 10);
  buf[o++] = 48 + (int % 10);
  buf[o++] = 46;
  let frac = (r >>> 8) % 1000;
  buf[o + 2] = 48 + (frac % 10); frac = Math.floor(frac / 10);
  buf[o + 1] = 48 + (frac % 10);
  buf[o] = 48 + Math.floor(frac / 10);
  return o + 3;
}

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const LEVELS = [12, 50, 3, 400, 7].map((k, j) => Array.from({ length: k }, (_, i) => ascii(`c${j}_${i}`)));
const YESNO = [ascii('no'), ascii('yes')];

/** One row of the mixed file: 20 numbers (every 50th cell of x0–x4 missing), 5 categories, a yes/no column, y. */
function mixedRow(buf: Uint8Array, o: number, next: () => number): number {
  for (let j = 0; j < 20; j++) {
    const r = next();
    if (j < 5 && r % 50 === 0) { if (r & 64) { buf[o++] = 78; buf[o++] = 65; } } else o = writeNumber(buf, o, r);
    buf[o++] = 44;
  }
  for (let j = 0; j < 5; j++) {
    const r = next();
    const levels = LEVELS[j]!;
    if (r % 40 !== 0) { const l = levels[(r >>> 6) % levels.length]!; buf.set(l, o); o += l.length; }
    buf[o++] = 44;
  }
  const yn = YESNO[next() & 1]!;
  buf.set(yn, o); o += yn.length;
  buf[o++] = 44;
  o = writeNumber(buf, o, next());
  buf[o++] = 10;
  return o;
}

function numericRow(buf: Uint8Array, o: number, next: () => number): number {
  for (let j = 0; j < 31; j++) { o = writeNumber(buf, o, next()); buf[o++] = j === 30 ? 10 : 44; }
  return o;
}

/** Generate a file of about `bytes` bytes (kept for later runs), written through a temporary name. */
function generate(kind: 'numeric' | 'mixed', bytes: number): string {
  const path = join(dir, `w4-${kind}-${sizeMb}mb.csv`);
  if (existsSync(path)) return path;
  mkdirSync(dir, { recursive: true });
  log(`generating ${path} …`);
  const header = kind === 'numeric'
    ? [...Array.from({ length: 30 }, (_, i) => `x${i}`), 'y']
    : [...Array.from({ length: 20 }, (_, i) => `x${i}`), ...Array.from({ length: 5 }, (_, i) => `c${i}`), 'flag', 'y'];
  const fd = openSync(`${path}.tmp`, 'w');
  const next = rng(kind === 'numeric' ? 4 : 5);
  const buf = new Uint8Array(1 << 22);
  let written = writeSync(fd, `${header.join(',')}\n`);
  while (written < bytes) {
    let o = 0;
    while (o < buf.length - 512) o = kind === 'numeric' ? numericRow(buf, o, next) : mixedRow(buf, o, next);
    written += writeSync(fd, buf, 0, o);
  }
  closeSync(fd);
  renameSync(`${path}.tmp`, path);
  return path;
}

/** Jiffies the whole machine spent busy, in seconds. */
function busySeconds(): number {
  const v = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return (v.slice(0, 8).reduce((a, b) => a + b, 0) - v[3]! - (v[4] ?? 0)) / 100;
}

interface Read { reader: string; file: string; rows: number; seconds: number; cpu_seconds: number; peak_rss_mb: number; error?: string }
interface Record_ extends Read { mb_per_s: number; foreign_cores: number; load_1min: number; size_mb: number }

function runOne(reader: 'mlpkit' | 'pandas' | 'mlpkit-parquet' | 'mlpkit-arrow', kind: string, path: string, csv = path): Record_ {
  const cmd = reader !== 'pandas'
    ? [process.execPath, ['--import', 'tsx', join(root, 'bench/w4-read-one.ts'), path]] as const
    : [python, [join(root, 'bench/peers/pandas_read.py'), path]] as const;
  const b0 = busySeconds();
  const t0 = performance.now();
  const r = spawnSync(cmd[0], cmd[1], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 24 });
  const wall = (performance.now() - t0) / 1000;
  const busy = busySeconds() - b0;
  // Throughput in MB of the CSV, whatever format was read, so the figures compare.
  const size = statSync(csv).size / 1e6;
  let out: Read;
  try {
    out = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '') as Read;
  } catch {
    out = { reader, file: kind, rows: 0, seconds: NaN, cpu_seconds: 0, peak_rss_mb: NaN, error: (r.stderr || `exit ${r.status}`).slice(-500) };
  }
  const foreign = Math.max(0, busy - out.cpu_seconds) / wall;
  return { ...out, reader, file: kind, size_mb: Math.round(size), mb_per_s: Math.round((size / out.seconds) * 10) / 10, foreign_cores: Math.round(foreign * 100) / 100, load_1min: loadavg()[0]! };
}

const hasPandas = existsSync(python) && spawnSync(python, ['-c', 'import pandas'], { stdio: 'ignore' }).status === 0;
if (!hasPandas) log('pandas is missing: apt-get install -y python3-pandas (Debian); mlpkit is measured alone.');
log(`W4 read: ${new Date().toISOString()}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
const records: Record_[] = [];
for (const kind of (noRead ? [] : files) as ('numeric' | 'mixed')[]) {
  const path = generate(kind, sizeMb * 1024 * 1024);
  for (let round = 0; round < rounds; round++) {
    for (const reader of hasPandas ? (['mlpkit', 'pandas'] as const) : (['mlpkit'] as const)) {
      const rec = runOne(reader, kind, path);
      records.push(rec);
      if (json) process.stdout.write(`${JSON.stringify(rec)}\n`);
      report(rec, round);
    }
  }
  if (binary) {
    for (const format of ['parquet', 'arrow'] as const) {
      const out = convert(path, format);
      for (let round = 0; round < rounds; round++) {
        const rec = runOne(`mlpkit-${format}`, kind, out, path);
        records.push(rec);
        report(rec, round);
      }
    }
  }
}

function report(rec: Record_, round: number): void {
  if (json) process.stdout.write(`${JSON.stringify(rec)}\n`);
  log(`  ${rec.file.padEnd(8)} ${rec.reader.padEnd(14)} round ${round + 1}: ${rec.error ?? `${rec.seconds.toFixed(2)} s, ${rec.mb_per_s} MB/s of CSV, peak RSS ${rec.peak_rss_mb} MB, foreign load ${rec.foreign_cores} cores`}`);
}

/** The CSV as Parquet or Arrow IPC, written once by writeTableFile in a child process. */
function convert(csv: string, format: 'parquet' | 'arrow'): string {
  const out = csv.replace(/\.csv$/, `.${format}`);
  if (existsSync(out)) return out;
  log(`writing ${out} …`);
  const script = `import { readTableFile, writeTableFile } from './src/node.ts'; await writeTableFile(${JSON.stringify(out)}, await readTableFile(${JSON.stringify(csv)}));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`writing ${out} failed: ${r.stderr.slice(-500)}`);
  return out;
}

/** One end-to-end W4 training run in a fresh process: its wall seconds and peak RSS (from /usr/bin/time -v). */
function trainOne(framework: 'mlpkit' | 'mlpkit-stream' | 'sklearn' | 'torch', path: string): { framework: string; seconds: number; epoch_seconds?: number; peak_rss_mb: number; foreign_cores: number; error?: string } {
  const model = join(dir, 'w4-model.json');
  const stream = framework === 'mlpkit-stream' ? ['--memory', memory, '--cache-dir', join(dir, 'cache')] : [];
  const cmd = framework.startsWith('mlpkit')
    ? [process.execPath, '--import', 'tsx', join(root, 'cli/main.ts'), 'train', path, '--target', 'y', '--hidden', '32', '--epochs', '1', '--batch-size', '256', '--test-size', '0', '--validation', '0', '--json', '--out', model, ...stream]
    : [python, join(root, 'bench/peers/w4_train.py'), framework, path];
  const b0 = busySeconds();
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-v', ...cmd], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 24 });
  const seconds = (performance.now() - t0) / 1000;
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1];
  const cpu = [/User time \(seconds\): ([\d.]+)/, /System time \(seconds\): ([\d.]+)/].reduce((s, re) => s + Number(re.exec(r.stderr)?.[1] ?? 0), 0);
  const foreign = Math.round((Math.max(0, busySeconds() - b0 - cpu) / seconds) * 100) / 100;
  // mlpkit's own record of its epoch (--json), beside the end-to-end time.
  const epoch = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { event?: string; seconds?: number }).find((e) => e.event === 'epoch');
  return {
    framework, seconds, ...(epoch?.seconds === undefined ? {} : { epoch_seconds: Math.round(epoch.seconds * 100) / 100 }),
    peak_rss_mb: rss === undefined ? NaN : Math.round(Number(rss) / 1024), foreign_cores: foreign, ...(r.status === 0 ? {} : { error: r.stderr.slice(-400) }),
  };
}

if (train) {
  const path = generate('numeric', sizeMb * 1024 * 1024);
  const peers = hasPandas && spawnSync(python, ['-c', 'import sklearn, torch'], { stdio: 'ignore' }).status === 0;
  if (!peers) log('scikit-learn or torch is missing (python3-sklearn, python3-torch): mlpkit is measured alone.');
  for (let round = 0; round < rounds; round++) {
    const streamed = memory === '' ? [] : (['mlpkit-stream', 'mlpkit-stream'] as const);
    const inMemory = streamOnly ? [] : peers ? (['mlpkit', 'sklearn', 'torch'] as const) : (['mlpkit'] as const);
    for (const f of [...streamed, ...inMemory]) {
      const rec = trainOne(f, path);
      if (json) process.stdout.write(`${JSON.stringify({ workload: 'W4 train', size_mb: sizeMb, round: round + 1, ...(f === 'mlpkit-stream' ? { memory } : {}), ...rec })}\n`);
      const epoch = rec.epoch_seconds === undefined ? '' : ` (epoch ${rec.epoch_seconds} s)`;
      log(`  W4 train ${f.padEnd(13)} round ${round + 1}: ${rec.error ?? `${rec.seconds.toFixed(1)} s end to end${epoch}, peak RSS ${rec.peak_rss_mb} MB, foreign load ${rec.foreign_cores} cores`}`);
    }
  }
}

if (!json) {
  const best = (kind: string, reader: string): Record_ | undefined =>
    records.filter((r) => r.file === kind && r.reader === reader && r.error === undefined).sort((a, b) => a.seconds - b.seconds)[0];
  console.log(`\nW4 read, best of ${rounds} (each read in a fresh process; MB = 10^6 bytes)`);
  console.log('file      size MB  reader            rows        s      MB/s   peak RSS MB  foreign cores  ratio to pandas');
  for (const kind of files) {
    const p = best(kind, 'pandas');
    for (const reader of ['mlpkit', 'pandas', 'mlpkit-parquet', 'mlpkit-arrow']) {
      const r = best(kind, reader);
      if (r === undefined) continue;
      const ratio = p === undefined ? '' : `${(p.seconds / r.seconds).toFixed(2)}×`;
      console.log(`${kind.padEnd(9)} ${String(r.size_mb).padStart(7)}  ${reader.padEnd(16)} ${String(r.rows).padStart(9)} ${r.seconds.toFixed(2).padStart(8)} ${String(r.mb_per_s).padStart(8)} ${String(r.peak_rss_mb).padStart(12)} ${String(r.foreign_cores).padStart(14)}  ${ratio}`);
    }
  }
}
