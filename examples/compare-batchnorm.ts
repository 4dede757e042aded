// The lecture's "batch norm: before or after ?!" answered with figures: every bundled real data set and two
// generated ones, batch normalization before f, after f, and none, seeded repeats (the same split and
// initial seed for every configuration), held-out mean ± sd and paired tests on the per-seed differences.
// With Fashion-MNIST on the machine (Debian: apt-get install dataset-fashion-mnist), a seeded subsample of
// its training images (`--fashion-mnist N` rows, default 3,000; 784 pixels/255) is compared too.
// The defaults (5 repeats of 30 epochs) run in a few minutes; `--repeats 10 --epochs 60` gives firmer figures.
// Run: npx tsx examples/compare-batchnorm.ts [--repeats 10] [--epochs 60] [--fashion-mnist 3000] [--only fashion-mnist]
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { compare, compareData, formatCompareTable, Rng } from 'mlpkit';
import { loadDataset } from 'mlpkit/datasets';
import { parallelCompareRunner, readIdxFile } from 'mlpkit/node';

const FASHION = process.env.FMNIST_DIR ?? '/usr/share/datasets/fashion-mnist';

/** n seeded rows of Fashion-MNIST's training images (pixels/255) and their labels, or null when it is not installed. */
function fashionMnist(n: number): { x: number[][]; y: number[] } | null {
  if (!existsSync(join(FASHION, 'train-images-idx3-ubyte.gz'))) return null;
  const images = readIdxFile(join(FASHION, 'train-images-idx3-ubyte.gz'));
  const labels = readIdxFile(join(FASHION, 'train-labels-idx1-ubyte.gz'));
  const [rows, h, w] = images.dims as [number, number, number];
  const order = new Rng(7).permutation(rows).subarray(0, n);
  const x = Array.from(order, (r) => Array.from(images.data.subarray(r * h * w, (r + 1) * h * w), (v) => v / 255));
  return { x, y: Array.from(order, (r) => labels.data[r]!) };
}

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
};

async function main(): Promise<void> {
  const repeats = arg('repeats', 5);
  const epochs = arg('epochs', 30);
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
  const sets: [string, Record<string, number>][] = [['iris', {}], ['wine', {}], ['breast-cancer', {}], ['diabetes', {}], ['two-spirals', { n: 600, seed: 1 }], ['moons', { n: 600, noise: 0.3, seed: 1 }]];
  const all: { name: string; load: () => Promise<{ x: number[][]; y: (number | string)[]; task: 'classification' | 'regression' } | null> }[] = [
    ...sets.map(([name, opts]) => ({ name, load: () => loadDataset(name, opts) })),
    { name: 'fashion-mnist', load: async () => { const f = fashionMnist(arg('fashion-mnist', 3000)); return f === null ? null : { ...f, task: 'classification' as const }; } },
  ];
  for (const { name, load } of all.filter((s) => only === undefined || s.name === only)) {
    const d = await load();
    if (d === null) { console.log(`\n## ${name}: not installed (apt-get install dataset-fashion-mnist), skipped`); continue; }
    const data = compareData(d.x, d.y, d.task);
    const r = await compare(data, {
      base: { hidden: [32, 32], activation: 'relu', epochs, batchSize: 32, learningRate: 3e-3 },
      vary: { batchNorm: ['before', 'after', 'none'] }, repeats, seed: 0, runner: parallelCompareRunner(),
    });
    console.log(`\n## ${name} (${d.x.length} rows, ${d.task}; hidden 32x32 relu, adam 3e-3, ${epochs} epochs, batch 32)\n`);
    console.log(formatCompareTable(r));
    console.log(`(${r.seconds.toFixed(1)} s)`);
  }
}

await main();
