#!/usr/bin/env node
/**
 * The `mlpkit` command. Errors print one line `mlpkit: …` (no stack trace unless --debug) and exit with 1
 * (bad input, failed training), 2 (bad command line) or 130 (interrupted).
 */

import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ACTIVATION_NAMES, isActivationName, type ActivationName } from '../src/activations.js';
import { INIT_NAMES, isInitName, type InitName } from '../src/init.js';
import { LOSS_NAMES, isLossName, type LossName } from '../src/losses.js';
import { SCHEDULE_OPTIONS, scheduleKindsTaking } from '../src/optim/schedules.js';
import { CliError, flagOf, scheduleAttribute, userMessage } from './errors.js';
import { VERSION } from '../src/version.js';
import { exitNow, installSignalHandlers } from './io.js';
import { err, guardStdio, out, withSinks, type Sinks } from './output.js';
import { compareCommand } from './compare.js';

// Commands are loaded when they run, so `mlpkit trace` does not pay for the report's plotting library.
const commands = (): Promise<typeof import('./commands.js')> => import('./commands.js');
const trainer = (): Promise<typeof import('./train.js')> => import('./train.js');
const explainer = (): Promise<typeof import('./explain.js')> => import('./explain.js');

const number = (what: string, lo: number, hi: number, integer = false) => (s: string): number => {
  const v = Number(s);
  if (s.trim() === '' || !Number.isFinite(v) || v < lo || v > hi || (integer && !Number.isInteger(v))) {
    throw new InvalidArgumentError(`${what} must be ${integer ? 'an integer' : 'a number'} in [${lo}, ${hi}], got '${s}'`);
  }
  return v;
};

const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, t: 1024 ** 4, tb: 1024 ** 4 };

/** A size: a number of bytes, or with a unit (KB, MB, GB, TB: powers of 1024), e.g. 512MB, 1.5GB; at least 1MB. */
const parseSize = (what: string) => (s: string): number => {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(s);
  const unit = m === null ? undefined : SIZE_UNITS[m[2]!.toLowerCase()];
  const bytes = m === null || unit === undefined ? NaN : Math.floor(Number(m[1]) * unit);
  if (!(bytes >= 1024 ** 2)) throw new InvalidArgumentError(`${what} must be a size of at least 1MB such as 512MB, 2GB or a number of bytes, got '${s}'`);
  return bytes;
};

const hiddenList = (s: string): number[] => {
  if (s.trim() === '' || s === '0' || s === 'none') return [];
  const units = s.split(',').map((p) => Number(p.trim()));
  if (units.some((u) => !Number.isInteger(u) || u < 1)) throw new InvalidArgumentError(`--hidden takes layer widths like 64,32, got '${s}'`);
  return units;
};

const oneOf = <T extends string>(what: string, names: readonly T[], check: (s: string) => s is T) => (s: string): T => {
  if (!check(s)) throw new InvalidArgumentError(`unknown ${what} '${s}'; expected one of ${names.join(', ')}`);
  return s;
};

/** --test-size: 0, a fraction in (0, 1), or a whole number of rows. */
const testSize = (s: string): number => {
  const v = Number(s);
  if (s.trim() === '' || !Number.isFinite(v) || v < 0 || (v >= 1 && !Number.isInteger(v))) {
    throw new InvalidArgumentError(`--test-size takes 0, a fraction in (0, 1) or a whole row count, got '${s}'`);
  }
  return v;
};

/** --quantiles 0.05,0.5,0.95: distinct τ, each strictly between 0 and 1. */
const quantileList = (s: string): number[] => {
  const parts = s.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length === 0) throw new InvalidArgumentError(`--quantiles takes τ values in (0, 1), comma-separated (e.g. 0.05,0.5,0.95), got '${s}'`);
  const taus = parts.map((p) => {
    const v = Number(p);
    if (!(Number.isFinite(v) && v > 0 && v < 1)) throw new InvalidArgumentError(`--quantiles: each τ must be a number strictly between 0 and 1, got '${p}'`);
    return v;
  });
  const twice = taus.find((t, j) => taus.indexOf(t) !== j);
  if (twice !== undefined) throw new InvalidArgumentError(`--quantiles lists τ ${twice} twice`);
  return taus;
};

/** --intervals: the coverage of the intervals or sets. */
const coverage = number('--intervals', 0.5, 0.999);

/** --monotone age:+,debt:- (or age:increasing) → { age: 'increasing', debt: 'decreasing' }. */
const monotoneList = (s: string): Record<string, 'increasing' | 'decreasing'> => {
  const out: Record<string, 'increasing' | 'decreasing'> = {};
  for (const part of s.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const at = part.lastIndexOf(':');
    const name = part.slice(0, at).trim();
    const dir = ({ '+': 'increasing', increasing: 'increasing', '-': 'decreasing', decreasing: 'decreasing' } as const)[part.slice(at + 1).trim() as '+'];
    if (at <= 0 || dir === undefined) throw new InvalidArgumentError(`--monotone takes COLUMN:+ or COLUMN:- separated by commas (e.g. age:+,debt:-), got '${part}'`);
    if (out[name] !== undefined) throw new InvalidArgumentError(`--monotone names '${name}' twice`);
    out[name] = dir;
  }
  if (Object.keys(out).length === 0) throw new InvalidArgumentError(`--monotone takes COLUMN:+ or COLUMN:- separated by commas, got '${s}'`);
  return out;
};

const OPTIMIZERS = ['sgd', 'adam', 'adamw', 'rmsprop', 'adagrad', 'lbfgs'] as const;

/** Comma-separated column names (empty parts dropped); none at all is refused, naming the flag. */
const columnList = (flag: string) => (s: string): string[] => {
  const names = s.split(',').map((c) => c.trim()).filter((c) => c !== '');
  if (names.length === 0) throw new InvalidArgumentError(`${flag} takes column names, comma-separated, got '${s}'`);
  return names;
};

/** How the commands read a table: the same flags with the same words in every command that takes them. */
const decimalOption = (): Option => new Option('--decimal <separator>', "the decimal separator of the file's numbers: '.' (default) or ','")
  .argParser(oneOf('decimal separator', ['.', ','] as const, (v: string): v is '.' | ',' => v === '.' || v === ','));
const categoricalOption = (): Option => new Option('--categorical <columns>', 'read these columns as categories even if they hold numbers, comma-separated')
  .argParser(columnList('--categorical')).default([]);
const imputeOption = (): Option => new Option('--impute <how>', 'fill missing feature cells (default: refuse them)').choices(['mean', 'median', 'most-frequent', 'constant']);
const dropOption = (): Option => new Option('--drop <columns>', 'columns to leave out, comma-separated').argParser(columnList('--drop')).default([]);
/** The four table flags, for the commands that read a training table besides train (lr-find, tune, compare). */
const withTableOptions = (c: Command): Command => c.addOption(imputeOption()).addOption(categoricalOption()).addOption(dropOption()).addOption(decimalOption());

/** --class-weight: 'balanced', or a JSON object of weights (numbers ≥ 0) by class label. */
function classWeights(s: string): 'balanced' | Record<string, number> {
  if (s === 'balanced') return s;
  const want = `--class-weight takes balanced or a JSON object of weights by class label, e.g. '{"yes":3,"no":1}'`;
  let v: unknown;
  try {
    v = JSON.parse(s);
  } catch (e) {
    throw new InvalidArgumentError(`${want}; '${s}' is not JSON (${(e as Error).message})`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InvalidArgumentError(`${want}, got '${s}'`);
  const bad = Object.entries(v).find(([, w]) => typeof w !== 'number' || !(Number.isFinite(w) && w >= 0));
  if (bad !== undefined) throw new InvalidArgumentError(`${want}; the weight of '${bad[0]}' must be a number ≥ 0, got ${JSON.stringify(bad[1])}`);
  return v as Record<string, number>;
}

/** The flags of train that reach the workflow as they are (besides those train has long had). */
const TRAINING_FLAGS = [
  'huberDelta', 'quantiles', 'nesterov', 'beta1', 'beta2', 'epsilon', 'schedule', 'inputNoise', 'minDelta', 'nIterNoChange', 'tolerance',
  'classWeight', 'sampleWeight', 'bagging', 'scale', 'fillValue', 'minFrequency', 'features',
] as const;

/** What each schedule option's flag says and takes. */
const SCHEDULE_FLAGS: Readonly<Record<string, { readonly arg: string; readonly what: string; readonly parse: (s: string) => number | string }>> = {
  stepSize: { arg: 'n', what: 'epochs between two drops', parse: number('--schedule-step-size', 1, 1e9, true) },
  gamma: { arg: 'g', what: 'the factor of each drop (step: default 0.1) or of each epoch (exponential)', parse: number('--schedule-gamma', 1e-12, 1e6) },
  epochs: { arg: 'n', what: 'epochs of the cosine\'s half period (default: --epochs)', parse: number('--schedule-epochs', 1, 1e9, true) },
  minLearningRate: { arg: 'rate', what: 'the rate it never goes below (default 0)', parse: number('--schedule-min-learning-rate', 0, 1e3) },
  powerT: { arg: 't', what: 'the exponent t of η₀/(τ + 1)^t (default 0.5)', parse: number('--schedule-power-t', 0, 1e3) },
  per: { arg: 'epoch|sample', what: 'τ counts epochs (default) or samples', parse: oneOf('--schedule-per value', ['epoch', 'sample'] as const, (v: string): v is 'epoch' | 'sample' => v === 'epoch' || v === 'sample') },
  factor: { arg: 'f', what: 'the factor of each reduction, in (0, 1) (default 0.1)', parse: number('--schedule-factor', 1e-9, 0.999999) },
  patience: { arg: 'n', what: 'epochs without improvement before a reduction (default 10)', parse: number('--schedule-patience', 0, 1e9, true) },
  minDelta: { arg: 'd', what: 'the improvement of the loss it watches that counts (default 1e-4)', parse: number('--schedule-min-delta', 0, 1e6) },
};

/** One flag per schedule option (--schedule-step-size for stepSize), saying which schedules take it. */
function addScheduleOptions(c: Command): Command {
  for (const [name, f] of Object.entries(SCHEDULE_FLAGS)) {
    c.option(`${flagOf(scheduleAttribute(name))} <${f.arg}>`, `--schedule ${scheduleKindsTaking(name).join('/')}: ${f.what}`, f.parse);
  }
  return c;
}

/** The schedule flags given, by the library's option names. */
function scheduleFlags(o: Record<string, unknown>): { scheduleOptions?: Record<string, number | string> } {
  const given = Object.keys(SCHEDULE_FLAGS).filter((k) => o[scheduleAttribute(k)] !== undefined);
  if (given.length === 0) return {};
  return { scheduleOptions: Object.fromEntries(given.map((k) => [k, o[scheduleAttribute(k)] as number | string])) };
}

/** The training flags every command that trains takes (train, cv): the network, the optimization and the table's reading. */
function trainingOptions(c: Command): Command {
  c.requiredOption('--target <columns>', 'the column to predict; several numeric columns (repeat --target, or a,b) for multi-output regression', (s: string, prev?: string[]) => [...(prev ?? []), ...columnList('--target')(s)])
    .addOption(new Option('--task <task>', 'inferred from the target when not given').choices(['classification', 'regression']))
    .option('--hidden <units>', 'hidden layer widths, e.g. 64,32', hiddenList, [32])
    .option('--activation <f>', `hidden activation (${ACTIVATION_NAMES.join(', ')})`, oneOf('activation', ACTIVATION_NAMES, isActivationName), 'relu' as ActivationName)
    .option('--loss <loss>', `loss (default: the task's; ${LOSS_NAMES.join(', ')})`, oneOf('loss', LOSS_NAMES, isLossName))
    .option('--quantiles <taus>', 'with --loss quantile: the quantiles to predict of one numeric --target, e.g. 0.05,0.5,0.95 (one output each; mlpkit predict prints y_q0.05, y_q0.5, y_q0.95)', quantileList)
    .option('--huber-delta <d>', 'with --loss huber: the residual where the loss turns from squared to linear, in the units the network is trained on (the standardized target, unless --no-scale-target; default 1)', number('--huber-delta', 1e-12, 1e12))
    .addOption(new Option('--optimizer <name>', 'optimizer').choices(OPTIMIZERS).default('adam'))
    .option('--lr <rate>', 'learning rate (default: the optimizer\'s usual)', number('--lr', 1e-12, 100))
    .option('--momentum <m>', 'momentum for sgd/rmsprop', number('--momentum', 0, 0.9999))
    .option('--nesterov', 'with --optimizer sgd: Nesterov momentum')
    .option('--beta1 <b>', 'adam/adamw: decay of the first moment (default 0.9)', number('--beta1', 0, 0.999999))
    .option('--beta2 <b>', 'adam/adamw: decay of the second moment (default 0.999)', number('--beta2', 0, 0.999999))
    .option('--epsilon <e>', 'adam/adamw/rmsprop/adagrad: the ε added to the denominator (default 1e-8)', number('--epsilon', 1e-30, 1))
    .option('--batch-size <n>', 'rows per mini-batch', number('--batch-size', 1, 1e9, true), 32)
    .option('--epochs <n>', 'passes over the data', number('--epochs', 1, 1e7, true), 200)
    .option('--no-shuffle', 'keep the rows in file order every epoch (default: reshuffled each epoch)')
    .addOption(new Option('--schedule <kind>', `learning-rate schedule (default constant); its parameters are the --schedule-* flags`).choices(Object.keys(SCHEDULE_OPTIONS)));;
  addScheduleOptions(c)
    .option('--l1 <lambda>', 'L1 penalty', number('--l1', 0, 1e6))
    .option('--l2 <lambda>', 'L2 penalty', number('--l2', 0, 1e6))
    .option('--dropout <rate>', 'dropout after each hidden layer', number('--dropout', 0, 0.99))
    .option('--input-noise <sigma>', 'standard deviation of the Gaussian noise added to the inputs in training, in the units the network sees (standardized with --scale standard)', number('--input-noise', 0, 1e6))
    .addOption(new Option('--batchnorm <where>', 'batch normalization before or after f').choices(['before', 'after']))
    .option('--init <name>', `weight initializer (${INIT_NAMES.join(', ')})`, oneOf('initializer', INIT_NAMES, isInitName))
    .option('--early-stopping <patience>', 'stop after this many epochs without validation improvement (0: off; default 20 with validation)', number('--early-stopping', 0, 1e7, true))
    .option('--min-delta <d>', 'with early stopping: the smallest drop of the validation loss that counts as an improvement (default 0)', number('--min-delta', 0, 1e6))
    .option('--n-iter-no-change <n>', 'stop when the training loss has not improved by --tolerance for this many epochs (default: off)', number('--n-iter-no-change', 1, 1e7, true))
    .option('--tolerance <t>', 'with --n-iter-no-change: the improvement of the training loss that counts (default 1e-4); with --optimizer lbfgs: the gradient tolerance', number('--tolerance', 0, 1e6))
    .option('--validation <fraction>', 'share of the training rows held out for early stopping and restarts (default 0.2 with ≥ 30 rows)', number('--validation', 0, 0.9))
    .option('--monotone <columns>', 'numeric columns the prediction must rise (+) or fall (-) with, whatever the other inputs: age:+,debt:- (regression and binary; a monotone activation)', monotoneList)
    .option('--intervals <level>', 'calibrate prediction intervals (regression) or sets (classification) at this coverage, e.g. 0.9, on a fifth of the training rows set aside (split conformal / APS); mlpkit predict --interval prints them', coverage)
    .option('--class-weight <weights>', 'classification: balanced, or a JSON object of weights by class label, e.g. \'{"yes":3,"no":1}\' (unnamed classes weigh 1)', classWeights)
    .option('--sample-weight <column>', 'a numeric column of the file with each row\'s weight in the loss (≥ 0); not a feature, and not needed to predict')
    .option('--restarts <k>', 'train k times from different seeds and keep the best by validation loss', number('--restarts', 1, 1000, true))
    .option('--ensemble', 'keep all restarts as an ensemble')
    .option('--bagging', 'with --restarts: train each run on its own bootstrap sample of the training rows (library option bootstrap)')
    .addOption(categoricalOption())
    .addOption(new Option('--scale <how>', 'numeric inputs: standard (z = (x − mean)/sd; default), minmax (to [0, 1]) or none').choices(['standard', 'minmax', 'none']))
    .option('--no-scale-target', 'regression: train on the target as it is (default: standardized for training, mapped back on output)')
    .option('--standardize', 'the same as --scale standard (default)', true)
    .option('--no-standardize', 'the same as --scale none: feed the inputs as they are')
    .addOption(imputeOption())
    .option('--fill-value <value>', 'with --impute constant: the value filled in (a number for numeric columns, default 0; categories get the level \'(missing)\' unless a text is given)')
    .option('--min-frequency <n>', 'pool category levels seen fewer than n times into \'(other)\', which also takes levels never seen (default 0: no pooling)', number('--min-frequency', 0, 1e12, true))
    .option('--features <columns>', 'the feature columns, comma-separated (default: every column but the target(s), --drop and --sample-weight)', columnList('--features'))
    .addOption(decimalOption())
    .option('--unknown <policy>', 'a category level never seen in training, at predict time: error (default) or ignore (all zeros)', oneOf('policy', ['error', 'ignore'] as const, (v: string): v is 'error' | 'ignore' => v === 'error' || v === 'ignore'))
    .addOption(dropOption())
    .option('--seed <s>', 'seed of initialization, shuffling and the split', number('--seed', 0, 2 ** 32 - 1, true), 0)
    .option('--threads <n>', 'threads for large matrix products (default 1; results are identical to one thread)', number('--threads', 1, 256, true));
  return c;
}

/** Commander's parsed flags as the command's training options (the flags no command defined stay absent). */
function trainFlags(o: Record<string, unknown>): import('./train.js').TrainOptions {
  return {
    target: o.target as string[], hidden: o.hidden as number[], activation: o.activation as ActivationName,
    optimizer: o.optimizer as (typeof OPTIMIZERS)[number], batchSize: o.batchSize as number, epochs: o.epochs as number,
    standardize: o.standardize as boolean, drop: o.drop as string[], seed: o.seed as number, out: o.out as string,
    ...pick(o, ['task', 'loss', 'lr', 'momentum', 'l1', 'l2', 'dropout', 'batchnorm', 'init', 'earlyStopping', 'validation', 'restarts', 'ensemble', 'redis', 'redisPasswordFile', 'impute', 'unknown', 'decimal', 'categorical', 'report', 'predictions', 'checkpoint', 'resume', 'force', 'quiet', 'json', 'threads', 'testSize', 'test', 'intervals', 'monotone', 'memory', 'cacheDir']),
    ...pick(o, [...TRAINING_FLAGS]), ...(o.shuffle === false ? { shuffle: false } : {}), ...(o.scaleTarget === false ? { scaleTarget: false } : {}), ...scheduleFlags(o),
  } as import('./train.js').TrainOptions;
}

export function program(): Command {
  const p = new Command('mlpkit')
    .description('Multilayer perceptrons from CSV files: train, predict, evaluate, inspect and trace backpropagation.')
    .version(VERSION, '--version', 'print the mlpkit version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => err(s), writeOut: (s) => out(s) })
    .option('--debug', 'print the stack trace of an unexpected error');

  const trainCommand = p.command('train')
    .description('train a network on a CSV/TSV file and save the model (and a report)')
    .argument('<data>', 'CSV or TSV file with a header row (- for stdin)');
  trainingOptions(trainCommand)
    .option('--test-size <size>', 'rows held out for the scores, never trained on: a fraction, or a row count (default 0.2 with ≥ 20 rows; 0: score on the training rows)', testSize)
    .option('--test <file>', 'score on this file of held-out rows instead of a split of the data')
    .option('--memory <size>', 'memory budget, e.g. 2GB (powers of 1024; default: half of this machine\'s): a file whose in-memory run would need more trains streamed from an on-disk cache', parseSize('--memory'))
    .option('--cache-dir <dir>', 'where streamed files\' on-disk caches live (default $MLPKIT_CACHE_DIR, else ~/.cache/mlpkit)')
    .option('--redis <url>', 'run the restarts on mlpkit workers through this Redis (redis://HOST:PORT, rediss:// for TLS) instead of local threads')
    .option('--redis-password-file <file>', 'the Redis password: the first line of this file')
    .option('--out <file>', 'model file to write', 'model.json')
    .option('--report <file>', 'HTML report to write')
    .option('--predictions <file>', 'also write predictions for the training file')
    .option('--checkpoint <dir>', 'write a checkpoint after every epoch into this folder')
    .option('--resume', 'continue from the checkpoint in --checkpoint DIR (refused if the options or the data differ)')
    .option('--force', 'with --resume: continue even when the options or the data differ from the checkpoint\'s, saying what differs')
    .option('--quiet', 'print nothing but errors')
    .option('--json', 'print one JSON object per epoch on stdout')
    .action(async (data: string, o: Record<string, unknown>) => {
      const { train } = await trainer();
      await train(data, trainFlags(o));
    });

  const cvCommand = p.command('cv')
    .description('k-fold cross-validation of the training run the same flags give to train: each fold\'s held-out scores, then mean ± sd')
    .argument('<data>', 'CSV, TSV, JSON lines, Parquet or Arrow file with a header row (- for stdin)');
  trainingOptions(cvCommand)
    .option('--folds <k>', 'folds (stratified for a classifier)', number('--folds', 2, 1000, true), 5)
    .option('--quiet', 'print nothing but errors')
    .option('--json', 'one JSON object per fold, then {"event":"done", mean, sd}')
    .action(async (data: string, o: Record<string, unknown>) => {
      await (await import('./cv.js')).cv(data, { ...trainFlags(o), folds: o.folds as number });
    });

  p.command('predict')
    .description('predict every row of a CSV file, in order')
    .argument('<model>', 'model file from mlpkit train')
    .argument('<data>', 'CSV or TSV file with the training columns, the target may be absent (- for stdin)')
    .option('--out <file>', 'write the predictions here instead of stdout (- for stdout)')
    .option('--proba', 'add one probability column per class')
    .option('--interval', 'add the prediction interval (columns lower, upper) or, for a classifier, the prediction set (column set, labels joined by |) of a model trained with mlpkit train --intervals')
    .addOption(decimalOption())
    .option('--quiet', 'print nothing but errors')
    .action(async (model: string, data: string, o: { out?: string; proba?: boolean; interval?: boolean; quiet?: boolean; decimal?: '.' | ',' }) => (await commands()).predict(model, data, o));

  p.command('evaluate')
    .description('metrics of a model on a labelled CSV file')
    .argument('<model>').argument('<data>')
    .option('--target <column>', 'the target column (default: the one the model was trained on)')
    .addOption(decimalOption())
    .option('--json', 'one JSON object of metric names and values')
    .action(async (model: string, data: string, o: { target?: string; json?: boolean }) => (await commands()).evaluate(model, data, o));

  p.command('info')
    .description('architecture, parameter count, preprocessing and training summary of a model file; --backend: which kernels run')
    .argument('[model]')
    .option('--backend', 'which backend runs (native BLAS or WebAssembly) and, if not native, why and how to get it')
    .option('--json', 'as one JSON object')
    .action(async (model: string | undefined, o: { json?: boolean; backend?: boolean }) => (await commands()).info(model, o));

  p.command('trace')
    .description('backpropagation for one sample: I_j, O_j, δ_j per neuron and ∂L/∂w_ij = δ_j·O_i per weight (no arguments: the built-in 2-2-1 example)')
    .argument('[model]').argument('[data]')
    .option('--row <n>', 'data row (1 = the first row after the header)', number('--row', 1, 1e12, true))
    .addOption(decimalOption())
    .option('--json', 'as JSON')
    .option('--markdown', 'as Markdown tables')
    .action(async (model: string | undefined, data: string | undefined, o: { row?: number; json?: boolean; markdown?: boolean; decimal?: '.' | ',' }) => (await commands()).trace(model, data, o));

  p.command('gradcheck')
    .description('check every layer, activation and loss against finite differences')
    .option('--json', 'as JSON')
    .option('--seed <s>', 'seed', number('--seed', 0, 2 ** 32 - 1, true), 0)
    .action(async (o: { json?: boolean; seed?: number }) => (await commands()).gradcheck(o));

  const ds = p.command('datasets').description('list the bundled data sets, or export one as CSV');
  ds.command('list', { isDefault: true }).description('list the bundled data sets').action(async () => (await commands()).datasetsList());
  ds.command('export').description('write a data set as CSV (header, target last)').argument('<name>')
    .option('--out <file>', 'file to write (default and -: stdout)')
    .action(async (name: string, o: { out?: string }) => (await commands()).datasetsExport(name, o));

  p.command('demo')
    .description('train on a bundled data set; write model, predictions and report into a folder and print its path')
    .option('--dataset <name>', 'bundled data set', 'iris')
    .option('--dir <folder>', 'folder to write into (default: a new temporary folder)')
    .option('--epochs <n>', 'epochs (default 150)', number('--epochs', 1, 1e6, true))
    .option('--quiet', 'print only the folder')
    .action(async (o: { dataset?: string; dir?: string; epochs?: number; quiet?: boolean }) => (await commands()).demo(o));

  p.command('explain')
    .description('permutation importance, input saliency and partial dependence of a model on labelled data (and hidden-unit maps for two inputs)')
    .argument('<model>').argument('<data>')
    .option('--target <column>', 'the target column (default: the one the model was trained on)')
    .option('--feature <name>', 'feature of the partial-dependence curve (default: the most important)')
    .option('--repeats <n>', 'shuffles per feature', number('--repeats', 1, 1000, true), 10)
    .option('--seed <s>', 'seed of the shuffles', number('--seed', 0, 2 ** 32 - 1, true), 0)
    .option('--standardized', 'saliency per unit of the scaled inputs the network sees (default: per raw unit of each column)')
    .addOption(decimalOption())
    .option('--dir <folder>', 'write the pictures (SVG) into this folder')
    .option('--report <file>', 'write an HTML report of importance, saliency and partial dependence')
    .option('--json', 'as one JSON object')
    .action(async (model: string, data: string, o: Parameters<typeof import('./explain.js').explain>[2]) => (await explainer()).explain(model, data, o));

  p.command('lr-find')
    .description('learning-rate range test: train briefly while raising the rate geometrically; print loss against rate and a suggested rate')
    .argument('<data>')
    .requiredOption('--target <column>', 'the column to predict')
    .option('--hidden <units>', 'hidden layer widths, e.g. 64,32', hiddenList, [32])
    .option('--activation <f>', 'hidden activation', oneOf('activation', ACTIVATION_NAMES, isActivationName), 'relu' as ActivationName)
    .addOption(new Option('--optimizer <name>', 'optimizer').choices(['adam', 'sgd']).default('adam'))
    .option('--batch-size <n>', 'rows per mini-batch', number('--batch-size', 1, 1e9, true), 32)
    .option('--steps <n>', 'rates tried', number('--steps', 3, 1000, true), 60)
    .option('--min-lr <rate>', 'first rate', number('--min-lr', 1e-12, 100), 1e-5)
    .option('--max-lr <rate>', 'last rate', number('--max-lr', 1e-12, 1000), 1)
    .option('--seed <s>', 'seed', number('--seed', 0, 2 ** 32 - 1, true), 0)
    .option('--plot <file>', 'write the loss-against-rate plot (SVG)')
    .option('--json', 'as one JSON object')
    .action(async (data: string, o: Parameters<typeof import('./explain.js').lrFind>[1]) => (await explainer()).lrFind(data, o));
  withTableOptions(p.commands.find((c) => c.name() === 'lr-find')!);

  p.command('tune')
    .description('hyperparameter search over hidden sizes, activation, learning rate, L2 and dropout, scored by k-fold cross-validation on worker threads')
    .argument('<data>')
    .requiredOption('--target <column>', 'the column to predict')
    .addOption(new Option('--strategy <s>', 'search strategy').choices(['random', 'grid']).default('random'))
    .option('--trials <n>', 'candidates (besides the defaults)', number('--trials', 1, 10000, true), 12)
    .option('--folds <k>', 'cross-validation folds', number('--folds', 2, 100, true), 3)
    .option('--epochs <n>', 'epochs per fit', number('--epochs', 1, 1e6, true), 200)
    .addOption(new Option('--max-iter <n>', 'the former name of --epochs').hideHelp())
    .option('--time-budget <seconds>', 'start no candidate after this many seconds', number('--time-budget', 0.001, 1e9))
    .option('--threads <n>', 'worker threads (default: available cores)', number('--threads', 1, 256, true))
    .option('--redis <url>', 'score the candidates on mlpkit workers through this Redis (redis://HOST:PORT, rediss:// for TLS)')
    .option('--redis-password-file <file>', 'the Redis password: the first line of this file')
    .option('--seed <s>', 'seed', number('--seed', 0, 2 ** 32 - 1, true), 0)
    .option('--out <file>', 'write the best model, refitted on all rows')
    .option('--json', 'as one JSON object')
    .action(async (data: string, o: Parameters<typeof import('./explain.js').tune>[1]) => (await explainer()).tune(data, o));
  withTableOptions(p.commands.find((c) => c.name() === 'tune')!);

  p.command('worker')
    .description('take restart runs and search candidates from a Redis queue (train --restarts K --redis, tune --redis) and run them, until stopped')
    .requiredOption('--redis <url>', 'the Redis of the queue: redis://HOST:PORT, or rediss://HOST:PORT for TLS')
    .option('--redis-password-file <file>', 'the Redis password: the first line of this file')
    .option('--concurrency <n>', 'trials at a time, each on its own thread', number('--concurrency', 1, 256, true), 1)
    .option('--name <name>', 'shown in the submitters\' progress (default HOST-PID)')
    .option('--data-dir <folder>', 'this machine\'s mount of the submitters\' shared data folder')
    .option('--stall-seconds <s>', 'a trial whose worker is silent this long goes to another worker', number('--stall-seconds', 0.5, 86400), 30)
    .action(async (o: import('./worker.js').WorkerFlags) => (await import('./worker.js')).worker(o));

  p.addCommand(withTableOptions(compareCommand()).copyInheritedSettings(p));

  p.command('depth')
    .description(`the lecture's number-of-layers demos: ${['half-plane', 'convex-polygon', 'polygon-union', 'non-convex', 'universal', 'all'].join(', ')}`)
    .argument('<name>')
    .option('--epochs <n>', 'epochs per trained network', number('--epochs', 1, 1e6, true))
    .option('--seed <s>', 'seed', number('--seed', 0, 2 ** 32 - 1, true), 0)
    .option('--dir <folder>', 'write the pictures (SVG) into this folder')
    .option('--json', 'as one JSON object')
    .action(async (name: string, o: Parameters<typeof import('./explain.js').depth>[1]) => (await explainer()).depth(name, o));

  p.command('export')
    .description('export a model file to another format, or as code (one or several formats at once)')
    .argument('<model>')
    .option('--onnx <file>', 'write an ONNX model on raw rows: input float32 [N, F] the numeric columns, and one string tensor [N, 1] per category column, named after it (ai.onnx.ml LabelEncoder; missing → the imputed level)')
    .option('--js <file>', 'write an ES module with no dependency: predict(row) on a raw row')
    .option('--c <file>', 'write C99 source and its header beside it (model.c → model.h): one predict function, float32 arithmetic')
    .option('--torch <file>', 'write a Python file: a PyTorch nn.Module with its weights, preprocess(rows) and predict(rows)')
    .action(async (model: string, o: Parameters<typeof import('./commands.js').exportModel>[1]) => (await commands()).exportModel(model, o));

  p.command('playground')
    .description('serve the browser playground on 127.0.0.1, or --host (no internet needed; built into dist/web if missing)')
    .option('--port <n>', 'port to listen on (0: any free one)', number('--port', 0, 65535, true), 8080)
    .option('--host <address>', 'interface to listen on (0.0.0.0: every interface, reachable from other machines)', '127.0.0.1')
    .option('--no-open', 'do not open a browser')
    .action(async (o: { port: number; host: string; open: boolean }) => {
      const s = await (await import('./playground.js')).startPlayground({ port: o.port, host: o.host, open: o.open });
      const where = s.url.includes(s.address) ? '' : `  (listening on ${s.address})`;
      out(`mlpkit playground: ${s.url}${where}  (Ctrl-C to stop)\n`);
    });

  return p;
}

function pick(o: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/** Run the command; resolves to the exit code. `sinks` replace stdout/stderr (for in-process callers). */
export async function main(argv: readonly string[], sinks?: Sinks): Promise<number> {
  if (sinks !== undefined) return withSinks(sinks, () => main(argv));
  try {
    // The native products when their addon loads; the WebAssembly kernels otherwise (info --backend says which).
    (await import('../src/node/native.js')).useNativeBackend();
    if (argv.length === 0) {
      // No command: the help, on stderr, and the status of a command line that says nothing to do (as commander's own).
      err(program().helpInformation());
      return 2;
    }
    await program().parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version are not errors; commander has already printed its message.
      return e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.help' ? 0 : 2;
    }
    err(`mlpkit: ${userMessage(e)}\n`);
    if (debugRequested(argv) && e instanceof Error && e.stack !== undefined) err(`${e.stack}\n`);
    return e instanceof CliError ? e.exitCode : 1;
  }
}

/** --debug anywhere before a `--` (it is a program option, accepted after the command name too). */
function debugRequested(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--debug');
}

const isEntry = process.argv[1] !== undefined && /(?:^|[\\/])(?:main\.(?:ts|js)|mlpkit)$/.test(process.argv[1]);
if (isEntry) {
  installSignalHandlers();
  guardStdio((message) => { err(`mlpkit: ${message}\n`); exitNow(1); });
  process.exitCode = await main(process.argv.slice(2));
}
