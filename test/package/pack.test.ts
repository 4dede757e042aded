// The package as a user gets it: `npm pack` (which builds), `npm install ./mlpkit-X.tgz` into an empty
// project (the dependencies come from the registry), then, from that project, the README's code blocks
// (programs, shell commands, the page), the command, a shipped example, the browser bundle, and the sizes
// against package-budgets.json. One pack and one install for the whole file, to keep it lean.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { chromiumSkip, launchChromium, serve, textWhenDone } from '../helpers/browser.js';
import { readmeBlocks } from '../helpers/readme.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);
/** tsx from the repository, for the TypeScript files run in the project (which does not install it). */
const TSX = join(root, 'node_modules/tsx/dist/esm/index.mjs');
const npm = (args: readonly string[], cwd: string) => run('npm', [...args], { cwd, maxBuffer: 64 << 20, env: { ...process.env, npm_config_update_notifier: 'false' } });

interface Budgets { readonly tarballBytes: number; readonly installedBytes: number; readonly xorPageGzipBytes: number; readonly xorPageWasmGzipBytes: number }
interface PackInfo { readonly filename: string; readonly size: number; readonly files: readonly { readonly path: string }[] }

const env: { dir?: string; project?: string; pack?: PackInfo; installLog?: string } = {};
const project = (): string => env.project!;
const installed = (): string => join(project(), 'node_modules/mlpkit');

before(async () => {
  env.dir = await mkdtemp(join(tmpdir(), 'mlpkit-pack-'));
  const packed = await npm(['pack', '--json', '--pack-destination', env.dir], root);
  // prepack's build logs come first; the JSON report is the last thing npm prints.
  env.pack = (JSON.parse(packed.stdout.slice(packed.stdout.lastIndexOf('\n[') + 1)) as PackInfo[])[0]!;
  env.project = join(env.dir, 'project');
  await mkdir(env.project);
  await writeFile(join(env.project, 'package.json'), JSON.stringify({ name: 'uses-mlpkit', private: true, type: 'module' }));
  const inst = await npm(['install', '--no-audit', '--no-fund', join(env.dir, env.pack.filename)], env.project);
  env.installLog = inst.stdout + inst.stderr;
});

after(async () => {
  if (env.dir !== undefined) await rm(env.dir, { recursive: true, force: true });
});

async function treeBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += await treeBytes(p);
    else if (e.isFile()) total += (await stat(p)).size;
  }
  return total;
}

/** The five-line XOR page, bundled from the installed package as a user's bundler would, minified and gzipped. */
async function xorPageGzip(wasm: boolean): Promise<number> {
  const page = [
    "import { Model, fit, loadWasmBackend, mlp, xor } from 'mlpkit';",
    'const data = xor({ n: 200, seed: 1 });',
    `const model = new Model(mlp({ inputSize: 2, outputSize: 1, task: 'binary', hidden: [8], activation: 'tanh' }), { seed: 0${wasm ? ', backend: await loadWasmBackend()' : ''} });`,
    "await fit(model, data, { epochs: 50, batchSize: 32, optimizer: { kind: 'adam', learningRate: 0.01 } });",
    'document.body.textContent = String(model.predict(data.x).data[0]);',
  ].join('\n');
  const out = await build({
    stdin: { contents: page, resolveDir: project(), loader: 'js' }, bundle: true, minify: true, format: 'esm',
    platform: 'browser', target: 'es2022', write: false, logLevel: 'silent',
  });
  return gzipSync(out.outputFiles[0]!.contents, { level: 9 }).length;
}

test('npm install of the tarball on this Node prints no engine or deprecation warning, and leaves the report renderer out', () => {
  assert.doesNotMatch(env.installLog!, /EBADENGINE|deprecated/i, env.installLog);
  assert.equal(existsSync(join(project(), 'node_modules/vega-lite')), false, 'vega-lite is an optional peer dependency');
});

test('the tarball ships the licence, the changelog, the examples and the builds, and no source maps or tests', () => {
  const paths = env.pack!.files.map((f) => f.path);
  for (const p of ['LICENSE', 'CHANGELOG.md', 'README.md', 'examples/classify-csv.ts', 'examples/browser.html', 'examples/data/iris.csv',
    'dist/src/index.js', 'dist/src/datasets.js', 'dist/src/onnx.js', 'dist/cli/main.js', 'dist/browser/mlpkit.js', 'dist/wasm/kernels-simd.wasm', 'dist/web/index.html']) {
    assert.ok(paths.includes(p), `${p} is in the tarball`);
  }
  assert.deepEqual(paths.filter((p) => p.endsWith('.map') || p.startsWith('dist/test/') || p.startsWith('src/')), []);
});

test('sizes stay within package-budgets.json: tarball, installed project, and the XOR page bundled from the package', async (t) => {
  const budgets = JSON.parse(await readFile(join(root, 'package-budgets.json'), 'utf8')) as Budgets;
  const measured: Budgets = {
    tarballBytes: env.pack!.size,
    installedBytes: await treeBytes(join(project(), 'node_modules')),
    xorPageGzipBytes: await xorPageGzip(false),
    xorPageWasmGzipBytes: await xorPageGzip(true),
  };
  const lock = JSON.parse(await readFile(join(project(), 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
  t.diagnostic(`measured ${JSON.stringify(measured)}; ${Object.keys(lock.packages).filter((p) => p !== '').length} packages installed`);
  for (const k of Object.keys(budgets) as (keyof Budgets)[]) {
    assert.ok(measured[k] <= budgets[k], `${k}: ${measured[k]} bytes exceeds the budget of ${budgets[k]}`);
  }
});

const blocks = readmeBlocks();

for (const b of blocks.filter((x) => x.kind === 'program' || x.kind === 'shell')) {
  test(`README ${b.kind} block at line ${b.line} runs in the installed project`, { skip: b.needs ?? false, timeout: 120000 }, async () => {
    const ts = b.lang === 'ts' || b.lang === 'typescript';
    const file = join(project(), `readme-${b.line}.${b.kind === 'shell' ? 'sh' : ts ? 'ts' : 'mjs'}`);
    await writeFile(file, b.code);
    const { stdout } = b.kind === 'shell'
      ? await run('bash', ['-e', file], { cwd: project(), env: { ...process.env, PATH: `${join(project(), 'node_modules/.bin')}:${process.env.PATH ?? ''}` } })
      : await run(process.execPath, [...(ts ? ['--import', TSX] : []), file], { cwd: project() });
    if (b.output === null) return;
    if (b.kind === 'program') assert.equal(stdout.trimEnd(), b.output.trimEnd());
    else assert.ok(stdout.includes(b.output.trimEnd()), `output of the block at line ${b.line}:\n${stdout}`);
  });
}

test('the command refuses --report without the optional renderer, says what to install, and writes nothing', async () => {
  const bin = join(project(), 'node_modules/.bin/mlpkit');
  await run(bin, ['datasets', 'export', 'wine', '--out', 'wine.csv'], { cwd: project() });
  const res = await run(bin, ['train', 'wine.csv', '--target', 'class', '--epochs', '2', '--out', 'wine-model.json', '--report', 'wine.html'], { cwd: project() })
    .then(() => null, (e: unknown) => e as { code: number; stderr: string });
  assert.notEqual(res, null, 'train --report fails');
  assert.equal(res!.code, 1);
  assert.match(res!.stderr, /^mlpkit: --report: writing a report needs the optional packages vega and vega-lite \(vega is not installed\): npm install vega@\^6\.4\.0 vega-lite@~6\.4\.3\n$/);
  assert.equal(existsSync(join(project(), 'wine-model.json')), false);
});

test('a shipped example runs against the installed package', { timeout: 60000 }, async () => {
  const { stdout } = await run(process.execPath, ['--import', TSX, join(installed(), 'examples/regression.ts')], { cwd: project() });
  assert.match(stdout, /test R² 0\.\d+/);
});

test('the browser bundle runs the README page and examples/browser.html from the installed package', { skip: chromiumSkip, timeout: 120000 }, async () => {
  const pages = blocks.filter((b) => b.kind === 'page' && b.needs === null);
  assert.ok(pages.length > 0);
  const files = Object.fromEntries(pages.map((b) => [`/readme-${b.line}.html`, { type: 'text/html', body: b.code }]));
  const { server, url } = await serve(files, { '/': project() });
  const context = await launchChromium(join(env.dir!, 'profile'));
  try {
    for (const b of pages) {
      const initial = /<pre id="out">([^<]*)</.exec(b.code)?.[1] ?? '';
      const { text, errors } = await textWhenDone(context, `${url}readme-${b.line}.html`, '#out', new RegExp(`^(?!${initial.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$)`));
      assert.deepEqual(errors, [], `README page at line ${b.line}`);
      assert.match(text, /^loss 0\.\d+ on (ts|wasm-\S+)$/);
    }
    const example = await textWhenDone(context, `${url}node_modules/mlpkit/examples/browser.html`, '#status', /accuracy/);
    assert.deepEqual(example.errors, []);
    assert.match(example.text, /^wasm-(relaxed-)?simd: loss 0\.\d+ after 200 epochs/);
  } finally {
    await context.close();
    server.close();
  }
});
