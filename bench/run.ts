// npm run bench [-- --json] [--workloads W1,W2,W3] [--rounds 3] [--quick]
// Runs the workloads for mlpkit (1 and 2 threads) and, in the same rounds, for the peers that are
// installed: PyTorch and scikit-learn (Debian's python3-torch / python3-sklearn, through the peer
// harnesses in ../shared/bench-peers when that folder is present). Prints a table of medians with
// ratios to each peer, or with --json one JSON object per line per (framework, workload, threads).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadFmnist, generateTabular, writeFlatFiles } from './data.js';

const root = resolve(import.meta.dirname, '..');
const argv = process.argv.slice(2);
const flag = (name: string): boolean => argv.includes(`--${name}`);
const opt = (name: string, fallback: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1]! : fallback;
};
const json = flag('json');
const requested = opt('workloads', 'W1,W2,W3').split(',');
const rounds = Number(opt('rounds', flag('quick') ? '1' : '3'));
const log = (s: string): void => { if (!json) process.stderr.write(`${s}\n`); };

// Harness workloads: W3 runs on the W1 network of the same process, so W1 comes first.
const harnessWorkloads = ['W1', 'W3', 'W2'].filter((w) => requested.includes(w) || (w === 'W1' && requested.includes('W3')));

interface Record { framework: string; workload: string; threads: number; variant?: string; samples_per_s?: number; latency_us?: number; accuracy?: number; foreign_cores?: number; peak_rss_mb?: number; effective_gflops?: number; [k: string]: unknown }

function parseRecords(stdout: string): Record[] {
  return stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record);
}

const peersDir = resolve(root, '../shared/bench-peers');
const python = '/usr/bin/python3';
const hasPython = (mod: string): boolean => existsSync(python) && spawnSync(python, ['-c', `import ${mod}`], { stdio: 'ignore' }).status === 0;
const peers: { name: string; script: string; module: string }[] = [
  { name: 'pytorch', script: 'torch_bench.py', module: 'torch' },
  { name: 'sklearn', script: 'sklearn_bench.py', module: 'sklearn' },
].filter((p) => {
  if (!existsSync(join(peersDir, p.script))) { log(`(${p.name}: no peer harness at ${peersDir}; skipped)`); return false; }
  if (!hasPython(p.module)) { log(`(${p.name}: ${python} has no '${p.module}'; apt-get install -y python3-${p.module === 'torch' ? 'torch' : 'sklearn'}; skipped)`); return false; }
  return true;
});

// Data files for the peer harnesses, rebuilt from the spec and checked against its sha256 sums.
const dataDir = join(root, 'bench/out/data');
if (peers.length > 0) {
  log('preparing data (Fashion-MNIST from dataset-fashion-mnist, W2 generated) …');
  writeFlatFiles(dataDir, loadFmnist(), generateTabular());
}

const records: Record[] = [];
const runHarness = (label: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): void => {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 26 });
  if (r.status !== 0) { log(`${label} failed (exit ${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`); return; }
  records.push(...parseRecords(r.stdout));
};

const tsx = join(root, 'node_modules/tsx/dist/cli.mjs');
for (let round = 1; round <= rounds; round++) {
  for (const threads of [1, 2]) {
    log(`round ${round}/${rounds}: mlpkit, ${threads} thread(s)`);
    runHarness('mlpkit', process.execPath, [tsx, 'bench/mlpkit.ts', '--workloads', harnessWorkloads.join(','), '--threads', String(threads), '--run', String(round)]);
    for (const p of peers) {
      log(`round ${round}/${rounds}: ${p.name}, ${threads} thread(s)`);
      const env = { BENCH_DATA: dataDir, OPENBLAS_NUM_THREADS: String(threads), ...(threads === 2 && p.name === 'pytorch' ? { OMP_WAIT_POLICY: 'PASSIVE' } : {}) };
      runHarness(p.name, python, [join(peersDir, p.script), '--workloads', harnessWorkloads.join(','), '--threads', String(threads), '--run', String(round)], env);
    }
  }
}

// Every raw record, for BENCHMARKS.md and later comparison.
const rawFile = join(root, 'bench/out/raw.jsonl');
process.on('exit', () => {
  mkdirSync(join(root, 'bench/out'), { recursive: true });
  writeFileSync(rawFile, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
});

// Quality: W1 test accuracy after 5 epochs (W1acc), once per framework at one thread.
if (requested.includes('W1') && !flag('no-accuracy')) {
  log('W1 test accuracy after 5 epochs: mlpkit');
  runHarness('mlpkit', process.execPath, [tsx, 'bench/mlpkit.ts', '--workloads', 'W1acc', '--threads', '1']);
  for (const p of peers) {
    log(`W1 test accuracy after 5 epochs: ${p.name}`);
    runHarness(p.name, python, [join(peersDir, p.script), '--workloads', 'W1acc', '--threads', '1'], { BENCH_DATA: dataDir, OPENBLAS_NUM_THREADS: '1' });
  }
}

// Medians per (framework, workload, threads).
const median = (v: number[]): number => { const s = [...v].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]!; };
const groups = new Map<string, Record[]>();
for (const r of records) {
  if (r.variant !== undefined && r.variant !== 'OMP_WAIT_POLICY=PASSIVE') continue;
  const key = `${r.framework}|${r.workload}|${r.threads}`;
  groups.set(key, [...(groups.get(key) ?? []), r]);
}
interface Row { framework: string; workload: string; threads: number; runs: number; samples_per_s?: number; latency_us?: number; accuracy?: number; foreign_cores: number; peak_rss_mb?: number; effective_gflops?: number }
const rows: Row[] = [...groups.values()].map((rs) => {
  const pick = (k: keyof Record): number | undefined => {
    const v = rs.map((r) => r[k]).filter((x): x is number => typeof x === 'number');
    return v.length === 0 ? undefined : median(v);
  };
  const r0 = rs[0]!;
  const sps = pick('samples_per_s');
  return {
    framework: r0.framework, workload: r0.workload, threads: r0.threads, runs: rs.length,
    ...(sps === undefined ? {} : { samples_per_s: sps }),
    ...(pick('latency_us') === undefined ? {} : { latency_us: pick('latency_us')! }),
    ...(pick('accuracy') === undefined || r0.workload === 'W1' ? {} : { accuracy: pick('accuracy')! }),
    ...(r0.workload === 'W1' && sps !== undefined ? { effective_gflops: Math.round(sps * 1_007_104 / 1e8) / 10 } : {}),
    ...(pick('peak_rss_mb') === undefined ? {} : { peak_rss_mb: pick('peak_rss_mb')! }),
    foreign_cores: Math.max(...rs.map((r) => r.foreign_cores ?? 0)),
  };
});

// W1 rows carry their framework's W1acc test accuracy.
for (const r of rows) {
  if (r.workload !== 'W1') continue;
  const acc = records.filter((x) => x.framework === r.framework && x.workload === 'W1acc' && typeof x.accuracy === 'number').map((x) => x.accuracy!);
  if (acc.length > 0) r.accuracy = median(acc);
}


if (json) {
  for (const r of rows) if (requested.includes(r.workload)) console.log(JSON.stringify(r));
} else {
  const fmt = (v: number | undefined, unit = ''): string => (v === undefined ? '—' : v >= 1000 ? `${(v / 1000).toFixed(1)}k${unit}` : `${Math.round(v * 10) / 10}${unit}`);
  const find = (f: string, w: string, t: number): Row | undefined => rows.find((r) => r.framework === f && r.workload === w && r.threads === t);
  const frameworks = ['mlpkit', ...peers.map((p) => p.name)];
  const lines: string[] = [];
  lines.push('framework  threads |  W1 samples/s (GFLOP/s, test acc) |  W2 samples/s (acc) | W3 batch-1 µs | W3 batch-1024 samples/s');
  for (const f of frameworks) {
    for (const t of [1, 2]) {
      const w1 = find(f, 'W1', t);
      const w2 = find(f, 'W2', t);
      const l = find(f, 'W3', t);
      const b = l;
      lines.push(`${f.padEnd(10)} ${String(t).padStart(7)} | ${`${fmt(w1?.samples_per_s)} (${fmt(w1?.effective_gflops)}, ${w1?.accuracy === undefined ? '—' : (100 * w1.accuracy).toFixed(1) + '%'})`.padStart(33)} | ${`${fmt(w2?.samples_per_s)} (${w2?.accuracy === undefined ? '—' : (100 * w2.accuracy).toFixed(1) + '%'})`.padStart(19)} | ${fmt(l?.latency_us).padStart(13)} | ${fmt(b?.samples_per_s).padStart(10)}`);
    }
  }
  lines.push('');
  lines.push('mlpkit ÷ peer, same threads (latency: peer ÷ mlpkit, so > 1 means mlpkit is faster everywhere):');
  for (const p of peers) {
    for (const t of [1, 2]) {
      const ratio = (w: string, inverse = false): string => {
        const a = find('mlpkit', w, t);
        const c = find(p.name, w, t);
        const av = inverse ? a?.latency_us : a?.samples_per_s;
        const cv = inverse ? c?.latency_us : c?.samples_per_s;
        if (av === undefined || cv === undefined) return '—';
        return `${(inverse ? cv / av : av / cv).toFixed(2)}×`;
      };
      lines.push(`  vs ${p.name.padEnd(8)} ${t} thread(s): W1 ${ratio('W1')}, W2 ${ratio('W2')}, W3 batch-1 ${ratio('W3', true)}, W3 batch-1024 ${ratio('W3')}`);
    }
  }
  lines.push('');
  lines.push(`medians over ${rounds} round(s); max foreign cores during any timed section: ${Math.max(0, ...rows.map((r) => r.foreign_cores)).toFixed(2)}`);
  console.log(lines.join('\n'));
}
