// npm run bench [-- --only W1,W1acc,W2,W3] [--rounds 3] [--json] [--quick] [--peers a,b] [--no-accuracy]
//               [--backends native,wasm,ts] [--quiet-wait 15] [--max-load 0.3] [--reruns 2] [--from-raw FILE]
// Runs the workloads (BENCHMARKS.md) for mlpkit at 1 and 2 threads on each backend (default: native when
// its addon loads, and wasm) and, in the same rounds, for every peer installed: PyTorch and scikit-learn
// (Debian's python3-torch / python3-sklearn, run by /usr/bin/python3), TensorFlow.js (wasm and cpu
// backends), brain.js and onnxruntime-node (W3) from bench/package.json; and in every round the machine's
// OpenBLAS sgemm ceiling (python3-numpy). Prints a table of medians with ratios to each peer, or with --json
// one JSON object per line per (framework, workload, threads). --only (or --workloads) picks workloads;
// W1acc is the accuracy phase (5 epochs, once per framework), so `--only W1,W3 --rounds 1` is a quick smoke run.
//
// Fairness (bench/fairness.ts): a 1-thread run is pinned to one core (taskset -c 0; Node also with
// --single-threaded, so that V8's helper threads do not use a second core), and every record says how
// (`pinning`, and the harness's own `cpus_allowed`). OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE and
// OPENBLAS_NUM_THREADS are recorded as found (`openblas_env_found`), then unset for every harness, which
// records what it saw (`openblas_env_seen`) and the kernel OpenBLAS picked (`openblas_core`).
// Noise: every record has the CPU other processes used during its timed section (foreign_cores); a harness
// run above --max-load cores is run again, up to --reruns times, keeping the least loaded attempt, and a
// ratio from a record still above it is printed with a warning.
// Raw records: bench/out/raw-<stamp>.jsonl; medians: bench/out/summary-<stamp>.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FMNIST_DIR, writeFlatFiles } from './data.js';
import { loadOf, openblasCoreOf, pinCommand, runWithRetries, type Attempt, type BenchRecord } from './fairness.js';
import { fractionLines, formatTable, gemmPeaks, MEDIANS_HEAD, mediansTable, noiseLines, RATIO_HEAD, ratioTable, summarize } from './summary.js';

// OpenBLAS reads these when it loads: record them, then run every harness (and the addon's probe below) without.
const OPENBLAS_VARS = ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE', 'OPENBLAS_NUM_THREADS'] as const;
const openblasEnv = Object.fromEntries(OPENBLAS_VARS.map((v) => [v, process.env[v] ?? null]));
for (const v of OPENBLAS_VARS) delete process.env[v];
const { nativeBlas } = await import('../src/node/native.js');
const blas = nativeBlas();
/** The core OpenBLAS picks on this machine with the variables unset (the addon links the same library as numpy). */
const openblasCore = blas === null ? null : openblasCoreOf(blas.config());

const root = resolve(import.meta.dirname, '..');
const argv = process.argv.slice(2);
const flag = (name: string): boolean => argv.includes(`--${name}`);
const opt = (name: string, fallback: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1]! : fallback;
};
const num = (name: string, fallback: string): number => {
  const v = Number(opt(name, fallback));
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} ${opt(name, fallback)}: expected a number ≥ 0`);
  return v;
};
const json = flag('json');
const quick = flag('quick');
const WORKLOADS = ['W1', 'W1acc', 'W2', 'W3'];
const requested = opt('only', opt('workloads', WORKLOADS.join(','))).split(',').map((w) => w.trim());
for (const w of requested) if (!WORKLOADS.includes(w)) throw new Error(`--only: unknown workload '${w}'; expected ${WORKLOADS.join(', ')}`);
const rounds = num('rounds', quick ? '1' : '3');
const quietWait = num('quiet-wait', quick ? '0' : '15');
const backends = opt('backends', blas === null ? 'wasm' : 'native,wasm').split(',');
for (const b of backends) if (!['native', 'wasm', 'ts'].includes(b)) throw new Error(`--backends: unknown backend '${b}'; expected native, wasm, ts`);
if (backends.includes('native') && blas === null) throw new Error('--backends native: the @mlpkit/native addon is not available (npx tsx cli/main.ts info --backend says why)');
const maxLoad = num('max-load', '0.3');
const reruns = num('reruns', quick ? '0' : '2');
const accuracy = requested.includes('W1acc') && !flag('no-accuracy');
const log = (s: string): void => { process.stderr.write(`${s}\n`); };

// Harness workloads: W3 runs on the W1 network trained in the same process, so W1 comes first.
const harnessWorkloads = ['W1', 'W3', 'W2'].filter((w) => requested.includes(w) || (w === 'W1' && requested.includes('W3')));
const wl = harnessWorkloads.join(',');

// --from-raw FILE: no run, only the medians and the tables of the records in an earlier raw file.
const fromRaw = opt('from-raw', '');
// --- data --------------------------------------------------------------------------------------------------
if (fromRaw === '' && !existsSync(join(FMNIST_DIR, 'train-images-idx3-ubyte.gz'))) {
  log(`Fashion-MNIST is missing (${FMNIST_DIR}). Install it with\n  apt-get update && apt-get install -y dataset-fashion-mnist\n(Debian; or set FMNIST_DIR to a folder with the four idx .gz files), then rerun.`);
  process.exit(2);
}
const dataDir = join(root, 'bench/out/data');
if (fromRaw === '') {
  log('data: Fashion-MNIST (dataset-fashion-mnist) and the W2 set, checked against the spec\'s sha256 …');
  writeFlatFiles(dataDir);
}

// --- who runs ----------------------------------------------------------------------------------------------
const python = '/usr/bin/python3';
const hasPython = (mod: string): boolean => existsSync(python) && spawnSync(python, ['-c', `import ${mod}`], { stdio: 'ignore' }).status === 0;
const hasNpm = (pkg: string): boolean => existsSync(join(root, 'bench/node_modules', pkg, 'package.json'));
const npmHint = '(cd bench && ONNXRUNTIME_NODE_INSTALL=skip npm ci)';
const hasTaskset = spawnSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' }).status === 0;
if (!hasTaskset) log('(taskset not found: one-thread runs are not pinned to one core; apt-get install -y util-linux)');
/** A harness's command line and how it is pinned. */
interface Cmd { argv: string[]; pinning: string }
/** `exe rest…` for `threads` threads, pinned as bench/fairness.ts says (Node: --single-threaded too). */
const pinned = (threads: number, exe: string, rest: string[]): Cmd => {
  const p = pinCommand(threads, exe, { node: exe === process.execPath, taskset: hasTaskset });
  return { argv: [...p.argv, ...rest], pinning: p.pinning };
};
interface Peer { name: string; threads: number[]; available: () => boolean; hint: string; cmd: (threads: number, round: number, workloads: string) => Cmd }
const py = (script: string) => (threads: number, round: number, workloads: string): Cmd =>
  pinned(threads, python, [join(root, 'bench/peers', script), '--workloads', workloads, '--threads', String(threads), '--run', String(round),
    // Two threads: libgomp's spinning workers fight OpenBLAS's threads for the cores unless they wait passively.
    ...(script === 'torch_bench.py' && threads > 1 ? ['--omp-passive'] : [])]);
const js = (script: string, extra: string[]) => (threads: number, round: number, workloads: string): Cmd =>
  pinned(threads, process.execPath, [join(root, 'bench/peers', script), '--workloads', workloads, '--run', String(round), ...extra]);
const allPeers: Peer[] = [
  { name: 'pytorch', threads: [1, 2], available: () => hasPython('torch'), hint: 'apt-get install -y python3-torch', cmd: py('torch_bench.py') },
  { name: 'sklearn', threads: [1, 2], available: () => hasPython('sklearn'), hint: 'apt-get install -y python3-sklearn', cmd: py('sklearn_bench.py') },
  { name: 'tfjs-wasm', threads: [1], available: () => hasNpm('@tensorflow/tfjs-backend-wasm'), hint: npmHint, cmd: js('tfjs.mjs', ['--backend', 'wasm', '--w1-samples', quick ? '12800' : '60000']) },
  // The slow JS peers are timed on part of a shuffled epoch (samples/s is per sample either way).
  { name: 'tfjs-cpu', threads: [1], available: () => hasNpm('@tensorflow/tfjs-backend-cpu'), hint: npmHint, cmd: js('tfjs.mjs', ['--backend', 'cpu', '--w1-samples', quick ? '1280' : '6400']) },
  { name: 'brain.js', threads: [1], available: () => hasNpm('brain.js'), hint: npmHint, cmd: js('brain.mjs', ['--w1-samples', quick ? '2000' : '12000']) },
  {
    name: 'onnxruntime-node', threads: [1, 2], available: () => hasNpm('onnxruntime-node') && requested.includes('W3'), hint: npmHint,
    cmd: (threads, round) => pinned(threads, process.execPath, [join(root, 'bench/peers/ort.mjs'), '--model', join(root, 'bench/out/w1.onnx'), '--threads', String(threads), '--run', String(round)]),
  },
];
const peerFilter = opt('peers', '');
const peers = allPeers.filter((p) => {
  if (peerFilter !== '' && !peerFilter.split(',').includes(p.name)) return false;
  if (!p.available()) { if (p.name !== 'onnxruntime-node' || requested.includes('W3')) log(`(${p.name} not installed: ${p.hint}; skipped)`); return false; }
  return true;
});
const hasNumpy = hasPython('numpy');
if (!hasNumpy) log('(no OpenBLAS figure: apt-get install -y python3-numpy)');

// --- running harnesses -------------------------------------------------------------------------------------
const records: BenchRecord[] = [];
const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
mkdirSync(join(root, 'bench/out'), { recursive: true });
const rawFile = fromRaw !== '' ? fromRaw : join(root, `bench/out/raw-${stamp}.jsonl`);

/** Fraction of the two cores busy over 0.5 s (/proc/stat). */
function busyFraction(): number {
  const read = (): number[] => readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const a = read();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
  const b = read();
  const d = b.map((v, i) => v - a[i]!);
  const total = d.reduce((s, v) => s + v, 0);
  const idle = d[3]! + d[4]!;
  return total === 0 ? 0 : (total - idle) / total;
}
/** Before a harness: wait up to --quiet-wait seconds until other processes use < 10% of the cores. */
function quiet(): void {
  if (quietWait <= 0 || !existsSync('/proc/stat')) return;
  const t0 = Date.now();
  while (busyFraction() >= 0.1 && Date.now() - t0 < quietWait * 1000) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1500);
}

/** One run of a harness: its records, each with how it was pinned and what OpenBLAS it ran with. */
function attempt(label: string, cmd: Cmd): Attempt {
  quiet();
  const t0 = Date.now();
  const r = spawnSync(cmd.argv[0]!, cmd.argv.slice(1), { cwd: root, encoding: 'utf8', env: { ...process.env, BENCH_DATA: dataDir }, maxBuffer: 1 << 26, timeout: 600_000 });
  const got = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as BenchRecord).map((x) => ({
    ...x, pinning: cmd.pinning, openblas_env_found: openblasEnv, openblas_env_for_harness: 'unset',
    // A harness that loads no OpenBLAS (the JavaScript peers, mlpkit on wasm) gets the machine's, from the addon.
    ...(x.openblas_core === undefined ? { openblas_core: openblasCore, openblas_core_from: 'the addon in bench/run.ts (this harness loads no OpenBLAS)' } : { openblas_core_from: 'the harness' }),
  }));
  if (r.status === 0) { log(`  ${label}: ${((Date.now() - t0) / 1000).toFixed(0)} s, foreign load ≤ ${loadOf(got).toFixed(2)} cores`); return { got, error: null }; }
  const why = r.error !== undefined ? r.error.message : `exit ${r.status}`;
  log(`  ${label} FAILED (${why}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return { got, error: why };
}

/** Runs a harness, again while it ran under more than --max-load foreign cores (bench/fairness.ts); keeps every record in the raw file. */
function runHarness(label: string, cmd: Cmd): void {
  const r = runWithRetries(() => attempt(label, cmd), maxLoad, reruns, (load, i) => log(`    foreign load ${load.toFixed(2)} > ${maxLoad} cores: again (${i}/${reruns})`));
  records.push(...r.superseded, ...r.kept.got);
  if (r.kept.error !== null) records.push({ framework: label, workload: 'error', threads: 0, error: r.kept.error });
  writeFileSync(rawFile, records.map((x) => JSON.stringify(x)).join('\n') + '\n');
}

const BACKEND_LABEL: Readonly<Record<string, string>> = { native: 'mlpkit (native)', wasm: 'mlpkit (wasm)', ts: 'mlpkit (TypeScript backend)' };
const mlpkitRuns: { label: string; threads: number; backend: string }[] = [];
for (const b of backends) for (const t of b === 'ts' ? [1] : [1, 2]) mlpkitRuns.push({ label: BACKEND_LABEL[b]!, threads: t, backend: b });
// Straight through node (`--import tsx`), not tsx's command, which would run the harness in a child Node without --single-threaded.
const mlpkitCmd = (threads: number, args: string[]): Cmd => pinned(threads, process.execPath, ['--import', 'tsx', join(root, 'bench/mlpkit.ts'), ...args]);

const ortWanted = peers.some((p) => p.name === 'onnxruntime-node');
if (fromRaw !== '') records.push(...readFileSync(fromRaw, 'utf8').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as BenchRecord));
for (let round = 1; round <= (fromRaw === '' && wl !== '' ? rounds : 0); round++) {
  log(`round ${round}/${rounds}`);
  // The ceiling in every round: the machine's state moves between rounds.
  if (hasNumpy && requested.includes('W1')) {
    for (const t of [1, 2]) runHarness(`openblas-sgemm t${t}`, pinned(t, python, [join(root, 'bench/peers/gemm_peak.py'), '--threads', String(t), '--run', String(round)]));
  }
  for (const threads of [1, 2]) {
    for (const m of mlpkitRuns.filter((x) => x.threads === threads)) {
      const onnx = ortWanted && round === 1 && threads === 1 && m === mlpkitRuns[0] ? ['--onnx', join(root, 'bench/out/w1.onnx')] : [];
      runHarness(`${m.label} t${threads}`, mlpkitCmd(threads, ['--workloads', wl, '--threads', String(threads), '--backend', m.backend, '--run', String(round), ...onnx]));
    }
    for (const p of peers.filter((x) => x.threads.includes(threads))) runHarness(`${p.name} t${threads}`, p.cmd(threads, round, wl));
  }
}

// Quality: W1 test accuracy after 5 epochs (W1acc), once per framework at one thread. brain.js's takes
// ~15 minutes (5 epochs of per-sample updates) and is run only with --brain-accuracy.
if (fromRaw === '' && accuracy) {
  log('W1 test accuracy after 5 epochs (W1acc)');
  for (const m of mlpkitRuns.filter((x) => x.threads === 1)) {
    runHarness(`${m.label} W1acc`, mlpkitCmd(1, ['--workloads', 'W1acc', '--threads', '1', '--backend', m.backend]));
  }
  for (const p of peers) {
    if (p.name === 'onnxruntime-node' || p.name === 'tfjs-cpu' || (p.name === 'brain.js' && !flag('brain-accuracy'))) continue;
    if (quick && p.name !== 'pytorch' && p.name !== 'sklearn') continue;
    const c = p.cmd(1, 0, 'W1acc');
    runHarness(`${p.name} W1acc`, { ...c, argv: [...c.argv, '--epochs', '5'] });
  }
}

// --- medians and tables (bench/summary.ts) -------------------------------------------------------------------
const order = [...Object.values(BACKEND_LABEL), ...allPeers.map((p) => p.name)];
const rows = summarize(records, order);
const gemmPeak = gemmPeaks(records);
const errors = records.filter((r) => r.error !== undefined);
writeFileSync(join(root, `bench/out/summary-${stamp}.json`), JSON.stringify({
  date: new Date().toISOString(), command: `npm run bench -- ${argv.join(' ')}`.trim(), rounds, openblas_env_found: openblasEnv,
  openblas_core: openblasCore, max_load: maxLoad, reruns, gemm_peak_gflops: Object.fromEntries(gemmPeak), rows, errors,
}, null, 1) + '\n');

if (json) {
  for (const r of rows) if (requested.includes(r.workload)) console.log(JSON.stringify(r));
  process.exit(0);
}
const lines = [...formatTable(MEDIANS_HEAD, mediansTable(rows)), ''];
lines.push('mlpkit ÷ peer (W3 batch 1: peer latency ÷ mlpkit latency), so > 1 means mlpkit is faster:');
lines.push(...formatTable(RATIO_HEAD, ratioTable(rows, maxLoad)), '');
const fractions = fractionLines(rows);
if (fractions.length > 0) lines.push('W1 GFLOP/s ÷ the sgemm ceiling measured in the same round:', ...fractions);
const peakText = [...gemmPeak].map(([t, g]) => `${g.toFixed(1)} GFLOP/s at ${t} thread(s)`).join(', ');
if (peakText !== '') lines.push(`OpenBLAS sgemm 1024³ (median of the rounds): ${peakText}; W1 = 60.43 GFLOP per epoch`);
lines.push(...noiseLines(rows, maxLoad, reruns), `raw records ${rawFile}`);
lines.push(`OpenBLAS variables as found (unset for every harness): ${JSON.stringify(openblasEnv)}; the core OpenBLAS picks here: ${openblasCore ?? 'unknown (no native addon)'}`);
lines.push(`one thread = ${pinCommand(1, 'node', { node: true, taskset: hasTaskset }).pinning} (Python: ${pinCommand(1, 'python', { node: false, taskset: hasTaskset }).pinning})`);
if (errors.length > 0) lines.push(`failed harnesses: ${errors.map((e) => `${e.framework} (${e.error})`).join(', ')}`);
console.log(lines.join('\n'));
process.exit(0);
