// Every training flag of `mlpkit train` is the library option of the same name: the command and
// trainPipeline, given the flag and the option on the same table, write the same model-file bytes; and the
// flag changes the model (the file differs from the run without it), so each case can fail.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { program } from '../../cli/main.js';
import { runMlpkit as run } from '../helpers/mlpkit.js';
import { readTableFile } from '../../src/io/node/read-table.js';
import { Rng } from '../../src/rng.js';
import { TRAIN_OPTION_NAMES, type TrainOptions } from '../../src/workflow/options.js';
import { trainPipeline } from '../../src/workflow/train.js';
import { flagOfOption } from '../../cli/train.js';

const dir = mkdtempSync(join(tmpdir(), 'mlpkit-flags-'));

/** 64 rows: two numbers, a category with a rare level, a weight, a label and two numeric targets. */
function tableCsv(missing: boolean): string {
  const rng = new Rng(7);
  const lines = ['a,b,colour,w,label,y,y2'];
  for (let i = 0; i < 64; i++) {
    const a = rng.normal();
    const b = rng.uniform() * 4;
    const colour = i === 5 ? 'violet' : i === 6 ? 'pink' : ['red', 'green', 'blue'][i % 3]!;
    const y = a - 0.5 * b + (colour === 'red' ? 1 : 0) + 0.2 * rng.normal();
    const cellA = missing && i % 9 === 4 ? '' : a.toFixed(4);
    const cellC = missing && i % 11 === 2 ? '' : colour;
    lines.push([cellA, b.toFixed(3), cellC, (0.5 + (i % 4)).toString(), y > 0 ? 'yes' : 'no', y.toFixed(4), (a * b).toFixed(4)].join(','));
  }
  return `${lines.join('\n')}\n`;
}

const full = join(dir, 'full.csv');
const holes = join(dir, 'holes.csv');
writeFileSync(full, tableCsv(false));
writeFileSync(holes, tableCsv(true));

let files = 0;
/** The model file the command writes for these flags (on top of the small base run). */
async function cliFile(data: string, flags: readonly string[]): Promise<string> {
  const path = join(dir, `m${files++}.json`);
  const r = await run('train', data, ...BASE_FLAGS, ...flags, '--out', path);
  assert.equal(r.code, 0, `${flags.join(' ')}: ${r.err}`);
  return readFileSync(path, 'utf8');
}

/** The model file trainPipeline gives for these options, serialized as the command writes it. */
async function libraryFile(data: string, options: TrainOptions): Promise<string> {
  const out = await trainPipeline(await readTableFile(data), { ...BASE_OPTIONS, ...options });
  return `${JSON.stringify(out.pipeline.toFile(), null, 1)}\n`;
}

const BASE_FLAGS = ['--hidden', '4', '--epochs', '4', '--lr', '0.05', '--batch-size', '16', '--validation', '0', '--test-size', '0', '--seed', '1', '--quiet'];
const BASE_OPTIONS = { hidden: [4], activation: 'relu', optimizer: 'adam', epochs: 4, learningRate: 0.05, batchSize: 16, validation: 0, seed: 1 } as const;

interface Case {
  /** The flags under test, and the library options they are. */
  readonly flags: readonly string[];
  readonly options: Partial<TrainOptions>;
  /** The flags (and options) of both runs, with and without the flags under test. Default: predict y, drop the label. */
  readonly base?: readonly string[];
  readonly baseOptions?: TrainOptions;
  /** Flags added to the base of the run without the flags under test. */
  readonly without?: readonly string[];
  readonly data?: string;
}

const Y = { flags: ['--target', 'y', '--drop', 'label'], options: { target: 'y', drop: ['label'] } } as const;
const LABEL = { base: ['--target', 'label', '--drop', 'y,y2'], baseOptions: { target: 'label', drop: ['y', 'y2'] } } as const;
const RESTARTS = { base: [...Y.flags, '--restarts', '2', '--validation', '0.25'], baseOptions: { ...Y.options, restarts: 2, validation: 0.25 } } as const;
const with_ = (flags: readonly string[], options: Partial<TrainOptions>): Pick<Case, 'base' | 'baseOptions'> => ({ base: [...Y.flags, ...flags], baseOptions: { ...Y.options, ...options } });

const CASES: readonly Case[] = [
  { flags: ['--schedule', 'step', '--schedule-step-size', '1', '--schedule-gamma', '0.5'], options: { schedule: { kind: 'step', stepSize: 1, gamma: 0.5 } } },
  { flags: ['--schedule', 'exponential', '--schedule-gamma', '0.5'], options: { schedule: { kind: 'exponential', gamma: 0.5 } } },
  { flags: ['--schedule', 'cosine'], options: { schedule: { kind: 'cosine', epochs: 4 } } },
  { flags: ['--schedule', 'cosine', '--schedule-epochs', '2', '--schedule-min-learning-rate', '0.001'], options: { schedule: { kind: 'cosine', epochs: 2, minLearningRate: 0.001 } } },
  { flags: ['--schedule', 'invscaling', '--schedule-power-t', '1', '--schedule-per', 'sample'], options: { schedule: { kind: 'invscaling', powerT: 1, per: 'sample' } } },
  {
    flags: ['--schedule', 'plateau', '--schedule-factor', '0.5', '--schedule-patience', '0', '--schedule-min-delta', '100', '--schedule-min-learning-rate', '0.01'],
    options: { schedule: { kind: 'plateau', factor: 0.5, patience: 0, minDelta: 100, minLearningRate: 0.01 } },
  },
  { flags: ['--nesterov'], options: { nesterov: true }, ...with_(['--optimizer', 'sgd', '--momentum', '0.9'], { optimizer: 'sgd', momentum: 0.9 }) },
  { flags: ['--beta1', '0.5'], options: { beta1: 0.5 } },
  { flags: ['--beta2', '0.9'], options: { beta2: 0.9 } },
  { flags: ['--epsilon', '0.1'], options: { epsilon: 0.1 } },
  { flags: ['--class-weight', 'balanced'], options: { classWeight: 'balanced' }, ...LABEL },
  { flags: ['--class-weight', '{"yes":4}'], options: { classWeight: { yes: 4 } }, ...LABEL },
  // Without the flag, the weight column is dropped (else it would be a feature; the last --drop counts).
  { flags: ['--sample-weight', 'w'], options: { sampleWeight: 'w' }, without: ['--drop', 'label,w'] },
  { flags: ['--sample-weight', 'w'], options: { sampleWeight: 'w' }, ...RESTARTS, without: ['--drop', 'label,w'] },
  { flags: ['--input-noise', '0.5'], options: { inputNoise: 0.5 } },
  { flags: ['--bagging'], options: { bootstrap: true }, ...RESTARTS },
  { flags: ['--huber-delta', '0.1'], options: { loss: { name: 'huber', delta: 0.1 } }, ...with_(['--loss', 'huber'], { loss: 'huber' }) },
  { flags: ['--quantiles', '0.1,0.9'], options: { loss: { name: 'quantile', quantiles: [0.1, 0.9] } }, ...with_(['--loss', 'quantile'], { loss: 'quantile' }) },
  { flags: ['--min-delta', '10'], options: { minDelta: 10 }, ...with_(['--epochs', '8', '--lr', '0.005', '--validation', '0.25', '--early-stopping', '1'], { epochs: 8, learningRate: 0.005, validation: 0.25, earlyStopping: 1 }) },
  { flags: ['--tolerance', '100'], options: { tolerance: 100 }, ...with_(['--n-iter-no-change', '1'], { nIterNoChange: 1 }) },
  { flags: ['--n-iter-no-change', '1'], options: { nIterNoChange: 1 }, ...with_(['--lr', '1e-9'], { learningRate: 1e-9 }) },
  { flags: ['--no-shuffle'], options: { shuffle: false } },
  { flags: ['--scale', 'minmax'], options: { scale: 'minmax' } },
  { flags: ['--scale', 'none'], options: { scale: 'none' } },
  { flags: ['--no-standardize'], options: { scale: 'none' } },
  { flags: ['--min-frequency', '2'], options: { minFrequency: 2 } },
  { flags: ['--no-scale-target'], options: { scaleTarget: false } },
  { flags: ['--impute', 'constant'], options: { impute: 'constant' }, data: holes, ...with_(['--impute', 'mean'], { impute: 'mean' }) },
  { flags: ['--fill-value', '5'], options: { fillValue: 5 }, data: holes, ...with_(['--impute', 'constant'], { impute: 'constant' }) },
  { flags: ['--fill-value', 'grey'], options: { fillValue: 'grey' }, data: holes, ...with_(['--impute', 'constant', '--drop', 'label,a'], { impute: 'constant', drop: ['label', 'a'] }) },
  { flags: ['--features', 'a,colour'], options: { features: ['a', 'colour'] } },
  { flags: ['--target', 'y2'], options: { target: ['y', 'y2'] } },
  { flags: ['--target', 'y,y2'], options: { target: ['y', 'y2'] }, base: ['--drop', 'label'], baseOptions: { target: 'y', drop: ['label'] } },
];

test('every training option of the library is a flag of train', () => {
  const train = program().commands.find((c) => c.name() === 'train')!;
  const flags = new Set(train.options.map((o) => o.long));
  assert.deepEqual(TRAIN_OPTION_NAMES.filter((k) => !flags.has(flagOfOption(k))).map((k) => `${k} (${flagOfOption(k)})`), []);
  // Every case below names its flags on the command line; together they cover every option but the old ones.
  const tested = new Set(CASES.flatMap((c) => c.flags.filter((f) => f.startsWith('--'))));
  const NEW = ['--schedule', '--nesterov', '--beta1', '--beta2', '--epsilon', '--class-weight', '--sample-weight', '--input-noise', '--bagging', '--target',
    '--huber-delta', '--quantiles', '--min-delta', '--tolerance', '--n-iter-no-change', '--no-shuffle', '--scale', '--no-standardize', '--min-frequency', '--fill-value', '--impute',
    '--features', '--no-scale-target'];
  assert.deepEqual(NEW.filter((f) => !tested.has(f)), []);
});

describe('each training flag is its library option', { concurrency: false }, () => {
  for (const c of CASES) {
    test(c.flags.join(' '), async () => {
      const data = c.data ?? full;
      const base = c.base ?? Y.flags;
      const fromCli = await cliFile(data, [...base, ...c.flags]);
      const fromLibrary = await libraryFile(data, { ...(c.baseOptions ?? Y.options), ...c.options } as TrainOptions);
      assert.equal(fromCli, fromLibrary, 'the command and trainPipeline write the same bytes');
      // The run without the flags (the multi-target case: its first target alone).
      const without = await cliFile(data, [...(base.includes('--target') ? base : ['--target', 'y', ...base]), ...(c.without ?? [])]);
      assert.notEqual(fromCli, without, 'the flag changes the model file');
      const weights = (file: string): string => (JSON.parse(file) as { weights: { base64: string } }).weights.base64;
      assert.notEqual(weights(fromCli), weights(without), 'the flag changes the trained weights');
    });
  }
});

describe('the training flags refuse what they cannot do, in one line naming the flag', () => {
  const bad = join(dir, 'weights.csv');
  writeFileSync(bad, 'a,w,y\n1,1,2\n2,0.5,3\n3,-2,4\n4,1,5\n5,,6\n');
  const holey = join(dir, 'holey-weights.csv');
  writeFileSync(holey, 'a,w,y\n1,1,2\n2,NA,3\n3,1,4\n');
  const refusals: readonly [readonly string[], number, RegExp][] = [
    [['--class-weight', '{yes:2}'], 2, /--class-weight .*balanced or a JSON object.*is not JSON/],
    [['--class-weight', '{"yes":-1}'], 2, /--class-weight .*the weight of 'yes' must be a number ≥ 0, got -1/],
    [['--schedule', 'cosine', '--schedule-gamma', '0.5'], 2, /^mlpkit: --schedule-gamma does not belong to --schedule cosine \(it takes --schedule-epochs, --schedule-min-learning-rate; --schedule-gamma is for --schedule step\|exponential\)$/],
    [['--schedule-step-size', '3'], 2, /^mlpkit: --schedule-step-size is a parameter of a learning-rate schedule: give --schedule step$/],
    [['--schedule', 'step'], 2, /^mlpkit: --schedule step needs --schedule-step-size$/],
    [['--schedule', 'constant', '--schedule-factor', '0.5'], 2, /--schedule-factor does not belong to --schedule constant \(it takes no parameters/],
    [['--sample-weight', 'w'], 1, /^mlpkit: weights\.csv, line 4, column 'w' \(column 2\): the sample weight is -2; weights must be numbers ≥ 0$/],
    [['--sample-weight', 'nope'], 1, /no column 'nope' for the sample weights \(option sampleWeight, --sample-weight\)/],
    [['--sample-weight', 'y'], 1, /column 'y' .*the sample weights \(option sampleWeight\) cannot also be the target/],
    [['--huber-delta', '0.5'], 2, /^mlpkit: --huber-delta is the huber loss's δ: give --loss huber$/],
    [['--huber-delta', '0.5', '--loss', 'mae'], 2, /give --loss huber \(not --loss mae\)/],
    [['--fill-value', '3'], 2, /^mlpkit: --fill-value is the value --impute constant fills in: give --impute constant$/],
    [['--bagging'], 2, /^mlpkit: --bagging trains each run of --restarts K on its own bootstrap sample: give K ≥ 2$/],
    [['--scale', 'minmax', '--no-standardize'], 2, /^mlpkit: --no-standardize is --scale none; it cannot go with --scale minmax$/],
    [['--tolerance', '0.1', '--drop', 'w'], 2, /^mlpkit: --tolerance is the stall rule's threshold: it goes with nIterNoChange \(--n-iter-no-change\)/],
    [['--beta1', '0.5', '--optimizer', 'sgd', '--drop', 'w'], 2, /^mlpkit: --beta1 is not used by the sgd optimizer/],
  ];
  for (const [flags, code, message] of refusals) {
    test(flags.join(' '), async () => {
      const r = await run('train', bad, '--target', 'y', '--epochs', '1', '--quiet', '--out', join(dir, 'refused.json'), ...flags);
      assert.equal(r.code, code, r.err);
      assert.match(r.err.split('\n')[0]!, message);
      assert.ok(!/\n\s+at /.test(r.err), 'no stack trace');
    });
  }
  test('several targets are a multi-output regression: a category among them is refused, saying so', async () => {
    const r = await run('train', full, '--target', 'y', '--target', 'colour', '--drop', 'label', '--epochs', '1', '--quiet', '--out', join(dir, 'refused.json'));
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, /^mlpkit: full\.csv, line 2, column 'colour' \(column 3\): regression needs a numeric target, but 'red' is not a number; several targets \(y, colour\) are a multi-output regression, so each must be numeric\n$/);
  });

  test('a missing sample weight is refused by its place', async () => {
    const r = await run('train', holey, '--target', 'y', '--sample-weight', 'w', '--epochs', '1', '--quiet', '--out', join(dir, 'refused.json'));
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, /^mlpkit: holey-weights\.csv, line 3, column 'w' \(column 2\): the sample weight is missing \('NA'\); weights must be numbers ≥ 0\n$/);
  });
});

test('a model trained with --sample-weight predicts rows without the weight column', async () => {
  const model = join(dir, 'weighted.json');
  assert.equal((await run('train', full, '--target', 'y', '--drop', 'label,y2', '--sample-weight', 'w', '--epochs', '2', '--quiet', '--out', model)).code, 0);
  const file = JSON.parse(readFileSync(model, 'utf8')) as { preprocessing: { columns: { name: string }[] }; training: { options: { sampleWeight?: string } } };
  assert.deepEqual(file.preprocessing.columns.map((c) => c.name), ['a', 'b', 'colour'], 'the weight is not a feature');
  assert.equal(file.training.options.sampleWeight, 'w');
  const rows = join(dir, 'no-weights.csv');
  writeFileSync(rows, 'a,b,colour\n0.5,1,red\n-1,3,blue\n');
  const r = await run('predict', model, rows);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out.trim().split('\n').length, 3, r.out);
});
