/**
 * `mlpkit compare DATA --target Y --vary batchnorm=before,after [--vary lr=0.01,0.001] [--repeats 10]`:
 * every combination of the varied options trained on the same seeded splits from the same seeds, on worker
 * threads; held-out mean ± sd per configuration, the paired t-test and Wilcoxon signed-rank test on the
 * per-seed differences, and (with --report) the learning curves overlaid.
 */

import { Command, InvalidArgumentError, Option } from 'commander';
import { ACTIVATION_NAMES, type ActivationName } from '../src/activations.js';
import { closest } from '../src/options.js';
import type { CompareData, CompareResult, TrialOptions, Vary } from '../src/tune/compare.js';
import { CliError, requireReportRenderer, usageError } from './errors.js';
import type { TableFlags } from './explain.js';
import { Preprocessor } from '../src/workflow/preprocessor.js';
import { checkOutputPath, readData, writeAll } from './model-io.js';
import { err, out } from './output.js';
import { Progress, outputMode } from './progress.js';

/** The command-line spelling of each option that can be varied (the library's own names are accepted too). */
const FLAG_NAMES: Readonly<Record<string, keyof TrialOptions>> = {
  hidden: 'hidden', activation: 'activation', init: 'init', batchnorm: 'batchNorm', dropout: 'dropout', l1: 'l1', l2: 'l2',
  optimizer: 'optimizer', lr: 'learningRate', epochs: 'epochs', 'batch-size': 'batchSize',
};

const NUMERIC: ReadonlySet<keyof TrialOptions> = new Set(['dropout', 'l1', 'l2', 'learningRate', 'epochs', 'batchSize']);

/** `64x32` → [64, 32] (commas separate the values of --vary, so layers are joined by x; --hidden takes train's 64,32 too). */
function layers(s: string, flag: string, commas = false): number[] {
  const units = s.split(commas ? /[x,]/ : 'x').map((p) => Number(p.trim()));
  if (s.trim() === '' || units.some((u) => !Number.isInteger(u) || u < 1)) throw usageError(`${flag}: hidden sizes are widths joined by x, like 64x32${commas ? ' (or 64,32)' : ''}, got '${s}'`);
  return units;
}

function parseValue(key: keyof TrialOptions, s: string, flag: string): TrialOptions[keyof TrialOptions] {
  if (key === 'hidden') return layers(s, flag);
  if (!NUMERIC.has(key)) return s as TrialOptions[keyof TrialOptions];
  const v = Number(s);
  if (s.trim() === '' || !Number.isFinite(v)) throw usageError(`${flag}: '${s}' is not a number`);
  return v;
}

/** `name=v1,v2` flags into the vary table; errors name the flag and suggest the closest option. */
export function parseVary(flags: readonly string[]): Vary {
  const vary: Record<string, unknown[]> = {};
  const known = [...new Set([...Object.keys(FLAG_NAMES), ...Object.values(FLAG_NAMES)])];
  for (const f of flags) {
    const eq = f.indexOf('=');
    const flag = `--vary ${f}`;
    if (eq <= 0 || eq === f.length - 1) throw usageError(`${flag}: expected OPTION=VALUE,VALUE (e.g. batchnorm=before,after)`);
    const name = f.slice(0, eq).trim();
    const key = FLAG_NAMES[name] ?? (Object.values(FLAG_NAMES).includes(name as keyof TrialOptions) ? name as keyof TrialOptions : undefined);
    if (key === undefined) {
      const near = closest(name, known);
      throw usageError(`${flag}: unknown option '${name}'${near === null ? `; options: ${Object.keys(FLAG_NAMES).join(', ')}` : ` (did you mean ${near}?)`}`);
    }
    if (vary[key] !== undefined) throw usageError(`${flag}: '${name}' is varied twice; give all its values in one --vary`);
    vary[key] = f.slice(eq + 1).split(',').map((v) => parseValue(key, v.trim(), flag));
  }
  if (flags.length === 0) throw usageError('--vary OPTION=VALUE,VALUE is required (e.g. --vary batchnorm=before,after)');
  return vary as Vary;
}

export interface CompareCliOptions extends TableFlags {
  readonly target: string;
  readonly vary: readonly string[];
  readonly repeats: number;
  readonly testFraction: number;
  readonly hidden: string;
  readonly activation: ActivationName;
  readonly optimizer: TrialOptions['optimizer'];
  readonly lr?: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly dropout?: number;
  readonly l2?: number;
  readonly batchnorm?: 'before' | 'after' | 'none';
  readonly seed: number;
  readonly threads?: number;
  readonly report?: string;
  readonly json?: boolean;
}

const num = (what: string, lo: number, hi: number, integer = false) => (s: string): number => {
  const v = Number(s);
  if (s.trim() === '' || !Number.isFinite(v) || v < lo || v > hi || (integer && !Number.isInteger(v))) throw new InvalidArgumentError(`${what} must be ${integer ? 'an integer' : 'a number'} in [${lo}, ${hi}], got '${s}'`);
  return v;
};

export function compareCommand(): Command {
  return new Command('compare')
    .description('compare training options with figures: seeded repeats on worker threads, held-out mean ± sd, paired t-test and Wilcoxon on the per-seed differences')
    .argument('<data>', 'CSV or TSV file with a header row (- for stdin)')
    .requiredOption('--target <column>', 'the column to predict')
    .option('--vary <option=values>', `an option and its values, e.g. batchnorm=before,after (repeatable; options: ${Object.keys(FLAG_NAMES).join(', ')})`, (s: string, prev: string[]) => [...prev, s], [] as string[])
    .option('--repeats <n>', 'seeds, each one split and one initialization shared by every configuration', num('--repeats', 2, 1000, true), 10)
    .option('--test-fraction <f>', 'rows held out in each repeat', num('--test-fraction', 0.01, 0.9), 0.25)
    .option('--hidden <units>', 'hidden layer widths, e.g. 64,32 (or 64x32, as in --vary)', '32')
    .addOption(new Option('--activation <f>', 'hidden activation').choices(ACTIVATION_NAMES).default('relu'))
    .addOption(new Option('--optimizer <name>', 'optimizer').choices(['sgd', 'adam', 'adamw', 'rmsprop', 'adagrad']).default('adam'))
    .option('--lr <rate>', 'learning rate (default 3e-3)', num('--lr', 1e-12, 100))
    .option('--epochs <n>', 'epochs per run', num('--epochs', 1, 1e6, true), 50)
    .option('--batch-size <n>', 'rows per mini-batch', num('--batch-size', 1, 1e9, true), 32)
    .option('--dropout <rate>', 'dropout after each hidden layer', num('--dropout', 0, 0.99))
    .option('--l2 <lambda>', 'L2 penalty', num('--l2', 0, 1e6))
    .addOption(new Option('--batchnorm <where>', 'batch normalization before or after f').choices(['before', 'after', 'none']))
    .option('--seed <s>', 'seed of the splits and initializations', num('--seed', 0, 2 ** 32 - 1, true), 0)
    .option('--threads <n>', 'worker threads (default: available cores)', num('--threads', 1, 256, true))
    .option('--report <file>', 'write an HTML page with the table and the learning curves overlaid')
    .option('--json', 'as one JSON object')
    .action(async (data: string, o: CompareCliOptions) => { await runCompare(data, o); });
}

export async function runCompare(dataPath: string, o: CompareCliOptions): Promise<CompareResult> {
  const reportPath = o.report === undefined ? null : checkOutputPath(o.report, '--report');
  if (reportPath !== null) await requireReportRenderer();
  const vary = parseVary(o.vary);
  const types = Object.fromEntries((o.categorical ?? []).map((c) => [c, 'category' as const]));
  const table = await readData(dataPath, new Progress(outputMode({ quiet: o.json === true })), { types, ...(o.decimal === undefined ? {} : { decimal: o.decimal }) });
  // One scaling fitted on every row: the same for every configuration, so it favours none.
  let data: CompareData;
  try {
    const prep = Preprocessor.fit(table, {
      target: o.target, ...(o.impute === undefined ? {} : { impute: o.impute }), ...((o.drop ?? []).length === 0 ? {} : { drop: o.drop }),
    });
    const x = prep.transform(table, 'float64');
    const y = prep.transformTarget(table, 'float64').y;
    data = { task: prep.task, x: { rows: x.rows, cols: x.cols, data: Float64Array.from(x.data) }, y: { rows: y.rows, cols: y.cols, data: Float64Array.from(y.data) } };
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  const base: Partial<TrialOptions> = {
    hidden: layers(o.hidden, '--hidden', true), activation: o.activation, optimizer: o.optimizer, epochs: o.epochs, batchSize: o.batchSize,
    ...(o.lr === undefined ? {} : { learningRate: o.lr }), ...(o.dropout === undefined ? {} : { dropout: o.dropout }),
    ...(o.l2 === undefined ? {} : { l2: o.l2 }), ...(o.batchnorm === undefined ? {} : { batchNorm: o.batchnorm }),
  };
  const { compare, configurations, formatCompareTable } = await import('../src/tune/compare.js');
  const { parallelCompareRunner } = await import('../src/node/compare-worker.js');
  let configs: ReturnType<typeof configurations>;
  try {
    configs = configurations(base, vary);
  } catch (e) {
    throw usageError((e as Error).message.replace(/^compare: /, ''));
  }
  if (o.json !== true) err(`compare: ${configs.length} configurations × ${o.repeats} seeds = ${configs.length * o.repeats} runs of ${o.epochs} epochs on ${table.rows} rows of ${dataPath}\n`);
  let r: CompareResult;
  try {
    r = await compare(data, {
      base, vary, repeats: o.repeats, testFraction: o.testFraction, seed: o.seed,
      runner: parallelCompareRunner(o.threads === undefined ? {} : { threads: o.threads }),
    });
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  if (reportPath !== null) {
    const { compareReport } = await import('../src/tune/compare-report.js');
    await writeAll([{ path: reportPath, data: await compareReport(r, `mlpkit compare: ${o.target} from ${dataPath}`) }]);
  }
  if (o.json === true) out(`${JSON.stringify(r, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))}\n`);
  else out(`${formatCompareTable(r)}\n${r.seconds.toFixed(1)} s${reportPath === null ? '' : `; report: ${reportPath}`}\n`);
  return r;
}
