// Every flag the command suggests exists where it is suggested: the hints in the sources' messages, in
// the help, and in the messages a user actually gets from each subcommand for the usual mistakes in a
// table (a missing cell, a word in a numeric column, a decimal comma, a category never seen in training).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { main, program } from '../../cli/main.js';

const root = resolve(import.meta.dirname, '../..');

/** Every subcommand by its full name ('datasets export'), with the long flags it takes (the program's too). */
function commandFlags(): Map<string, Set<string>> {
  const p = program();
  const own = (c: Command): string[] => c.options.map((o) => o.long).filter((l): l is string => l !== undefined);
  const global = [...own(p), '--help'];
  const all = new Map<string, Set<string>>();
  const visit = (c: Command, prefix: string): void => {
    for (const sub of c.commands) {
      const name = `${prefix}${sub.name()}`;
      all.set(name, new Set([...global, ...own(sub)]));
      visit(sub, `${name} `);
    }
  };
  visit(p, '');
  return all;
}
const FLAGS = commandFlags();
const ANY = new Set([...FLAGS.values()].flatMap((s) => [...s]));

/** Flags of other programs that messages name (node's, npm's). */
const FOREIGN = new Set(['--experimental-wasm-relaxed-simd', '--omit']);

const FLAG = /(?<![\w-])--[a-z][a-z0-9-]*[a-z0-9]/g;

/**
 * The flags a text names, each with the subcommand it is suggested for: the one named just before it
 * (`mlpkit train … --impute`, `trace MODEL.json DATA.csv --row N`), else `context`.
 */
function hints(text: string, context: string | null): { flag: string; command: string | null }[] {
  const out: { flag: string; command: string | null }[] = [];
  for (const m of text.matchAll(FLAG)) {
    const before = text.slice(0, m.index);
    const named = [...before.matchAll(/\bmlpkit ([a-z-]+(?: export)?)/g)].map((n) => n[1]!).filter((n) => FLAGS.has(n));
    out.push({ flag: m[0], command: named.length > 0 ? named[named.length - 1]! : context });
  }
  return out;
}

/** A hint the command cannot follow, said as `where: --flag (for command)`, or null. */
function missing(h: { flag: string; command: string | null }, where: string): string | null {
  if (FOREIGN.has(h.flag)) return null;
  const known = h.command === null ? ANY : FLAGS.get(h.command)!;
  return known.has(h.flag) ? null : `${where}: ${h.flag} (${h.command === null ? 'no subcommand has it' : `not a flag of ${h.command}`})`;
}

/** The subcommand of the cli/ function a message is written in (by the function's name), or of the whole file. */
const FUNCTION_COMMANDS: Readonly<Record<string, string>> = {
  predict: 'predict', evaluate: 'evaluate', info: 'info', trace: 'trace', gradcheck: 'gradcheck', datasetsExport: 'datasets export',
  demo: 'demo', exportModel: 'export', explain: 'explain', lrFind: 'lr-find', tune: 'tune', depth: 'depth', divergedMessage: 'train',
};
const FILE_COMMANDS: Readonly<Record<string, string>> = { 'cli/train.ts': 'train', 'cli/compare.ts': 'compare', 'cli/playground.ts': 'playground' };

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('the flags the command suggests exist where they are suggested', () => {
  test('in the messages of the sources (cli/ and src/)', () => {
    const problems: string[] = [];
    let checked = 0;
    for (const path of [...sources(join(root, 'cli')), ...sources(join(root, 'src'))]) {
      const file = relative(root, path);
      let fn: string | null = null;
      readFileSync(path, 'utf8').split('\n').forEach((line, i) => {
        fn = /^(?:export )?(?:async )?function (\w+)/.exec(line)?.[1] ?? fn;
        const t = line.trim();
        if (t.startsWith('*') || t.startsWith('//') || t.startsWith('/*')) return;
        const context = FILE_COMMANDS[file] ?? (file.startsWith('cli/') && fn !== null ? FUNCTION_COMMANDS[fn] ?? null : null);
        for (const h of hints(line, context)) {
          checked++;
          const p = missing(h, `${file}:${i + 1}`);
          if (p !== null) problems.push(p);
        }
      });
    }
    assert.ok(checked > 100, `only ${checked} hints found: the scan is broken`);
    assert.deepEqual(problems, []);
  });

  test('in the help of every subcommand', () => {
    const problems: string[] = [];
    const visit = (c: Command, prefix: string): void => {
      for (const sub of c.commands) {
        const name = `${prefix}${sub.name()}`;
        for (const h of hints(sub.description(), null)) { const p = missing(h, `${name} (description)`); if (p !== null) problems.push(p); }
        for (const o of sub.options) {
          for (const h of hints(o.description, name)) { const p = missing(h, `${name} ${o.long}`); if (p !== null) problems.push(p); }
        }
        visit(sub, `${name} `);
      }
    };
    visit(program(), '');
    assert.deepEqual(problems, []);
  });
});

describe('the flags named by the errors a user gets exist on the subcommand that printed them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlpkit-hints-'));
  const csv = (name: string, text: string): string => { const p = join(dir, name); writeFileSync(p, text); return p; };
  const rows = (f: (i: number) => string): string => Array.from({ length: 40 }, (_, i) => f(i)).join('\n');
  const good = csv('good.csv', `a,colour,y\n${rows((i) => `${i % 7},${['red', 'blue'][i % 2]},${i % 3 === 0 ? 'yes' : 'no'}`)}\n`);
  const hole = csv('hole.csv', `a,colour,y\n${rows((i) => `${i === 3 ? '' : i % 7},${['red', 'blue'][i % 2]},${i % 3 === 0 ? 'yes' : 'no'}`)}\n`);
  const word = csv('word.csv', `a,colour,y\n${rows((i) => `${i === 3 ? 'seven' : i % 7},${['red', 'blue'][i % 2]},${i % 3 === 0 ? 'yes' : 'no'}`)}\n`);
  const comma = csv('comma.csv', `a;colour;y\n${rows((i) => `${i % 7},5;${['red', 'blue'][i % 2]};${i % 3 === 0 ? 'yes' : 'no'}`)}\n`);
  const unseen = csv('unseen.csv', 'a,colour,y\n1,green,yes\n');
  const model = join(dir, 'model.json');

  async function firstLine(argv: string[]): Promise<string> {
    let err = '';
    const code = await main(argv, { stdout: () => {}, stderr: (s) => { err += s; } });
    assert.notEqual(code, 0, `${argv.join(' ')} should fail`);
    return err.split('\n')[0]!;
  }

  const cases: readonly [string, () => string[]][] = [
    ['train', () => ['train', hole, '--target', 'y', '--epochs', '1', '--out', join(dir, 'x.json')]],
    ['train', () => ['train', word, '--target', 'y', '--epochs', '1', '--out', join(dir, 'x.json')]],
    ['train', () => ['train', comma, '--target', 'y', '--epochs', '1', '--out', join(dir, 'x.json')]],
    ['lr-find', () => ['lr-find', hole, '--target', 'y']],
    ['lr-find', () => ['lr-find', word, '--target', 'y']],
    ['lr-find', () => ['lr-find', comma, '--target', 'y']],
    ['tune', () => ['tune', hole, '--target', 'y']],
    ['tune', () => ['tune', word, '--target', 'y']],
    ['tune', () => ['tune', comma, '--target', 'y']],
    ...[hole, word, comma].map((data): [string, () => string[]] => ['compare', () => ['compare', data, '--target', 'y', '--vary', 'lr=0.1,0.01']]),
    ...(['predict', 'evaluate', 'explain', 'trace'] as const).flatMap((c) => [hole, word, comma, unseen].map((data): [string, () => string[]] => [c, () => [c, model, data]])),
  ];

  test('for a missing cell, a word in a numeric column, a decimal comma and an unseen category', async () => {
    assert.equal(await main(['train', good, '--target', 'y', '--epochs', '2', '--quiet', '--out', model], { stdout: () => {}, stderr: () => {} }), 0);
    const problems: string[] = [];
    let named = 0;
    for (const [command, argv] of cases) {
      const line = await firstLine(argv());
      for (const h of hints(line, command)) {
        named++;
        const p = missing(h, `${argv().slice(0, 2).map((a) => (a.startsWith(dir) ? relative(dir, a) : a)).join(' ')}: «${line}»`);
        if (p !== null) problems.push(p);
      }
    }
    assert.ok(named >= cases.length, `only ${named} flags named in ${cases.length} messages`);
    assert.deepEqual(problems, []);
  });

  test('the advice can be followed: lr-find with --impute and --categorical reads the files it refused', async () => {
    const quiet = { stdout: () => {}, stderr: () => {} };
    assert.equal(await main(['lr-find', hole, '--target', 'y', '--steps', '3', '--impute', 'mean', '--json'], quiet), 0);
    assert.equal(await main(['lr-find', word, '--target', 'y', '--steps', '3', '--categorical', 'a', '--json'], quiet), 0);
    const line = await firstLine(['tune', good, '--target', 'y', '--max-iter', '20']);
    assert.equal(line, "mlpkit: --max-iter is now --epochs (train's name): --epochs 20");
  });

  test('predict names train for what only training decides', async () => {
    const line = await firstLine(['predict', model, word]);
    assert.match(line, /\(mlpkit train --impute\).*\(mlpkit train --categorical a\)/);
  });
});
