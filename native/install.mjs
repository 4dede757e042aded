// Builds the addon with node-gyp when this machine can, and otherwise steps aside: the install never
// fails and never downloads anything. What was missing is written to build/skipped.txt, which the
// loader (index.cjs) reports, so `mlpkit info --backend` can say why the native backend is absent.
//
// node-gyp is pointed at the Node headers explicitly (npm's `nodedir`, else the ones beside this
// Node's binary), so that it never fetches a header tarball.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const skipFile = join(here, 'build', 'skipped.txt');

function skip(reason) {
  // An addon left from an earlier build would no longer match what this machine has.
  rmSync(join(here, 'build', 'Release'), { recursive: true, force: true });
  mkdirSync(join(here, 'build'), { recursive: true });
  writeFileSync(skipFile, `${reason}\n`);
  console.log(`@mlpkit/native: not built (${reason}); mlpkit will use its WebAssembly kernels`);
  process.exit(0);
}

function has(cmd, args) {
  return spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
}

if (process.env.MLPKIT_NATIVE_SKIP === '1') skip('MLPKIT_NATIVE_SKIP=1 was set at install time');
const nodedir = [process.env.npm_config_nodedir, resolve(dirname(process.execPath), '..')]
  .find((d) => d !== undefined && d !== '' && existsSync(join(d, 'include', 'node', 'node_api.h')));
if (nodedir === undefined) skip(`no Node headers (include/node/node_api.h) beside ${process.execPath} or in npm's nodedir`);
const cc = process.env.CC ?? 'cc';
if (!has(cc, ['--version'])) skip(`no C compiler (${cc})`);
if (process.platform !== 'darwin') {
  if (!has('pkg-config', ['--version'])) skip('no pkg-config');
  if (!has('pkg-config', ['--exists', 'openblas'])) skip('pkg-config does not know openblas (apt-get install libopenblas-dev)');
}
// npm names its bundled node-gyp in the environment of install scripts; run by hand, use the same one.
const gyp = [process.env.npm_config_node_gyp, resolve(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js')]
  .find((p) => p !== undefined && existsSync(p));
if (gyp === undefined) skip('no node-gyp (it comes with npm)');
rmSync(skipFile, { force: true });
try {
  execFileSync(process.execPath, [gyp, 'rebuild', `--nodedir=${nodedir}`], { cwd: here, stdio: 'inherit' });
} catch (e) {
  skip(`node-gyp rebuild failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
}
