// The lecture's "batch norm: before or after ?!" answered with figures: every bundled real data set and two
// generated ones, batch normalization before f, after f, and none, seeded repeats (the same split and
// initial seed for every configuration), held-out mean ± sd and paired tests on the per-seed differences.
// Fashion-MNIST is not bundled and cannot be downloaded here; these are the sets that ship with mlpkit.
// The defaults (5 repeats of 30 epochs) run in well under a minute; `--repeats 10 --epochs 60` gives firmer figures.
// Run: npx tsx examples/compare-batchnorm.ts [--repeats 10] [--epochs 60]
import { compare, compareData, formatCompareTable } from 'mlpkit';
import { loadDataset } from 'mlpkit/datasets';
import { parallelCompareRunner } from 'mlpkit/node';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
};

async function main(): Promise<void> {
  const repeats = arg('repeats', 5);
  const epochs = arg('epochs', 30);
  const sets: [string, Record<string, number>][] = [['iris', {}], ['wine', {}], ['breast-cancer', {}], ['diabetes', {}], ['two-spirals', { n: 600, seed: 1 }], ['moons', { n: 600, noise: 0.3, seed: 1 }]];
  for (const [name, opts] of sets) {
    const d = await loadDataset(name, opts);
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
