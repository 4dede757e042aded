// The command under attack: bad paths, kills, pipes closed early, links, sizes that run away, outputs that
// cannot be written. Run as a user runs it, on real files in a fresh folder.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TEMP_PREFIX } from '../../src/io/node/files.js';

const root = resolve(import.meta.dirname, '../..');
const main = join(root, 'cli/main.ts');
const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;

interface Run { code: number | null; signal: string | null; stdout: string; stderr: string }

interface RunOptions {
  readonly stdin?: string;
  /** Close our end of the child's stdout after its first output (as `| head -1` does). */
  readonly closeStdoutEarly?: boolean;
  /** Called with the child once it has printed `marker` on stdout or stderr. */
  readonly onOutput?: { marker: RegExp; act: (kill: (s: NodeJS.Signals) => void) => void };
}

function mlpkit(cwd: string, args: readonly string[], o: RunOptions = {}): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', tsx, main, ...args], { cwd, env: { ...process.env, FORCE_COLOR: '0' } });
    let stdout = '';
    let stderr = '';
    let acted = false;
    const watch = (): void => {
      if (o.onOutput !== undefined && !acted && o.onOutput.marker.test(stdout + stderr)) {
        acted = true;
        o.onOutput.act((s) => child.kill(s));
      }
    };
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (o.closeStdoutEarly === true) child.stdout.destroy();
      watch();
    });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); watch(); });
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code, signal, stdout, stderr }));
    child.stdin.end(o.stdin ?? '');
  });
}

const noStack = (r: Run): void => assert.doesNotMatch(r.stderr, /\n\s+at |node:internal|\.ts:\d+:\d+/, r.stderr);
const temps = (dir: string): string[] => readdirSync(dir).filter((f) => f.startsWith(TEMP_PREFIX));

let dir = '';
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mlpkit-hard-'));
  assert.equal((await mlpkit(dir, ['datasets', 'export', 'iris', '--out', 'iris.csv'])).code, 0);
  const t = await mlpkit(dir, ['train', 'iris.csv', '--target', 'species', '--epochs', '3', '--hidden', '4', '--quiet']);
  assert.equal(t.code, 0, t.stderr);
  const big = readFileSync(join(dir, 'iris.csv'), 'utf8').trim().split('\n');
  writeFileSync(join(dir, 'big.csv'), `${[big[0]!, ...Array.from({ length: 40 }, () => big.slice(1)).flat()].join('\n')}\n`);
});

describe('1: errors name the path, and show no stack unless --debug', { concurrency: true }, () => {
  test('a folder or a missing file given as the data file is named, with no stack', async () => {
    mkdirSync(join(dir, 'a-folder'), { recursive: true });
    for (const [args, want] of [
      [['predict', 'model.json', 'a-folder'], /^mlpkit: a-folder: is a folder; give a data file\n$/],
      [['predict', 'model.json', 'nope.csv'], /^mlpkit: nope\.csv: no such file or folder \(ENOENT\)\n$/],
      [['train', 'a-folder', '--target', 'y'], /^mlpkit: a-folder: is a folder/],
      [['predict', 'a-folder', 'iris.csv'], /^mlpkit: a-folder: could not read the model file \(it is a folder\)\n$/],
    ] as const) {
      const r = await mlpkit(dir, args);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, want);
      noStack(r);
    }
  });

  test('--debug adds the stack to the one-line message', async () => {
    const r = await mlpkit(dir, ['predict', 'model.json', 'nope.csv', '--debug']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^mlpkit: nope\.csv: no such file or folder \(ENOENT\)\n\S*Error: .*\n\s+at /);
  });
});

describe('3: temporary files of a killed run are removed by the next run writing the same output', () => {
  test('leftovers of dead processes go, a live writer\'s stays, nothing new is left', async () => {
    const dead = `${TEMP_PREFIX}model.json-${2 ** 22 + 7}-0123456789ab`;
    const live = `${TEMP_PREFIX}model.json-${process.pid}-ba9876543210`;
    const other = `${TEMP_PREFIX}other.json-${2 ** 22 + 7}-0123456789ab`;
    for (const f of [dead, live, other]) writeFileSync(join(dir, f), 'half');
    const r = await mlpkit(dir, ['train', 'iris.csv', '--target', 'species', '--epochs', '2', '--hidden', '4', '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(temps(dir).sort(), [live, other].sort());
  });
});

describe('5: signals, pipes, - and links', { concurrency: true }, () => {
  test('a second Ctrl-C exits at once with 130 and leaves no half-written file', async () => {
    const d = mkdtempSync(join(tmpdir(), 'mlpkit-int-'));
    writeFileSync(join(d, 'big.csv'), readFileSync(join(dir, 'big.csv')));
    // The first Ctrl-C stops training after its batch; the report then takes a while to build, and the
    // second Ctrl-C, 200 ms later, lands in that work and must end it at once.
    const r = await mlpkit(d, ['train', 'big.csv', '--target', 'species', '--epochs', '100000', '--json', '--checkpoint', 'ck', '--out', 'model.json', '--report', 'r.html'], {
      onOutput: { marker: /"epoch":2/, act: (kill) => { kill('SIGINT'); setTimeout(() => kill('SIGINT'), 200); } },
    });
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /interrupted/);
    noStack(r);
    assert.match(r.stderr, /stopping after this batch/);
    assert.ok(!existsSync(join(d, 'model.json')));
    assert.ok(!existsSync(join(d, 'r.html')));
    assert.deepEqual(temps(d), []);
    assert.deepEqual(temps(join(d, 'ck')), []);
    JSON.parse(readFileSync(join(d, 'ck', 'checkpoint.json'), 'utf8'));
  });

  test('a reader that goes away early (| head -1) ends every command quietly with status 0', async () => {
    for (const args of [
      ['predict', 'model.json', 'big.csv', '--proba'], ['evaluate', 'model.json', 'big.csv'], ['datasets'],
      ['train', 'iris.csv', '--target', 'species', '--epochs', '200', '--hidden', '4', '--json', '--out', 'piped.json'],
    ]) {
      const r = await mlpkit(dir, args, { closeStdoutEarly: true });
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr, '', args.join(' '));
    }
    assert.ok(existsSync(join(dir, 'piped.json')), 'train still writes its model');
  });

  test('- reads the data from stdin and writes predictions to stdout', async () => {
    const fromFile = await mlpkit(dir, ['predict', 'model.json', 'iris.csv', '--proba']);
    const fromStdin = await mlpkit(dir, ['predict', 'model.json', '-', '--proba', '--out', '-'], { stdin: readFileSync(join(dir, 'iris.csv'), 'utf8') });
    assert.equal(fromStdin.code, 0, fromStdin.stderr);
    assert.equal(fromStdin.stdout, fromFile.stdout);
    assert.equal(fromStdin.stdout.split('\n').length, 152);
    const bad = await mlpkit(dir, ['predict', 'model.json', '-'], { stdin: 'sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)\n1,2,x,4\n' });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^mlpkit: stdin, line 2, column 'petal length \(cm\)' \(column 3\)/);
  });

  test('--out through a symbolic link writes the link\'s target and keeps the link; a link loop is refused', async () => {
    mkdirSync(join(dir, 'real'), { recursive: true });
    symlinkSync(join('real', 'target.csv'), join(dir, 'link.csv'));
    const r = await mlpkit(dir, ['predict', 'model.json', 'iris.csv', '--out', 'link.csv']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(lstatSync(join(dir, 'link.csv')).isSymbolicLink());
    assert.equal(readlinkSync(join(dir, 'link.csv')), join('real', 'target.csv'));
    assert.equal(readFileSync(join(dir, 'real', 'target.csv'), 'utf8'), (await mlpkit(dir, ['predict', 'model.json', 'iris.csv'])).stdout);
    assert.deepEqual(temps(join(dir, 'real')), []);
    symlinkSync('loop-b', join(dir, 'loop-a'));
    symlinkSync('loop-a', join(dir, 'loop-b'));
    const loop = await mlpkit(dir, ['predict', 'model.json', 'iris.csv', '--out', 'loop-a']);
    assert.equal(loop.code, 2);
    assert.match(loop.stderr, /^mlpkit: --out loop-a: more than 40 symbolic links in a row \(a loop\?\)/);
  });
});

describe('8 and 9: sizes refused with the flag, outputs checked before the work, divergence writes nothing', { concurrency: true }, () => {
  test('--hidden 10000000 is refused at once with the figure and the flag', async () => {
    for (const command of ['train', 'lr-find']) {
      const r = await mlpkit(dir, [command, 'iris.csv', '--target', 'species', '--hidden', '10000000', ...(command === 'train' ? ['--out', 'huge.json'] : [])]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /(?:^|\n)mlpkit: --hidden 10000000: this network needs about \d+ GB of memory \(80,000,003 parameters, 50,000,000 in layer 'hidden1'; .*\), more than .*; use fewer units in --hidden\n$/, command);
      noStack(r);
    }
    assert.ok(!existsSync(join(dir, 'huge.json')));
  });

  test('an unwritable --out, --report or --checkpoint is refused before training starts', { skip: process.platform !== 'linux' && 'needs /proc' }, async () => {
    for (const [flag, value] of [['--out', '/proc/model.json'], ['--report', '/proc/report.html'], ['--checkpoint', '/proc/mlpkit-ck']] as const) {
      const r = await mlpkit(dir, ['train', 'iris.csv', '--target', 'species', '--epochs', '100000', flag, value]);
      assert.equal(r.code, 2, `${flag}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`^mlpkit: ${flag} ${value}: cannot write in the folder /proc \\(`), flag);
      assert.doesNotMatch(r.stderr, /epoch|trained/, flag);
    }
  });

  test('a diverged run says that nothing was written, and writes nothing', async () => {
    const d = mkdtempSync(join(tmpdir(), 'mlpkit-div-'));
    assert.equal((await mlpkit(d, ['datasets', 'export', 'diabetes', '--out', 'diabetes.csv'])).code, 0);
    const r = await mlpkit(d, ['train', 'diabetes.csv', '--target', 'progression', '--optimizer', 'sgd', '--lr', '100', '--no-standardize', '--epochs', '50', '--report', 'r.html', '--quiet']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^mlpkit: training diverged at epoch \d+.*No model, report or predictions file was written; try a smaller --lr/);
    assert.doesNotMatch(r.stderr, /keeps its last finite weights/);
    assert.deepEqual(readdirSync(d), ['diabetes.csv']);
  });
});
