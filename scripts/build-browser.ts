/**
 * The browser build: the library's entries bundled as minified ES modules in dist/browser/ — mlpkit.js (the
 * core, src/index.ts), onnx.js (mlpkit/onnx) and datasets.js (mlpkit/datasets), sharing their common code
 * through chunk files, so a page that loads two of them loads the engine once. No source maps: the package
 * does not ship the TypeScript sources a map would point at.
 * platform 'browser' makes any import of a Node built-in a build error, which keeps the core portable.
 *
 * Usage: npm run build:browser
 */
import { build, type BuildOptions } from 'esbuild';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

const COMMON: BuildOptions = {
  bundle: true, format: 'esm', platform: 'browser', target: 'es2022', sourcemap: false, minify: true, logLevel: 'warning',
};

/** The entries of dist/browser/, by output name. */
export const BROWSER_ENTRIES: Readonly<Record<string, string>> = {
  mlpkit: `${root}src/index.ts`,
  onnx: `${root}src/onnx.ts`,
  datasets: `${root}src/datasets.ts`,
};

/** Bundle one entry as a single self-contained file (the browser test's pages). */
export async function buildBrowser(outfile = `${root}dist/browser/mlpkit.js`, entry = `${root}src/index.ts`): Promise<string> {
  await build({ ...COMMON, entryPoints: [entry], outfile });
  return outfile;
}

/** Bundle every entry into outdir with shared chunks; resolves to the folder. */
export async function buildBrowserEntries(outdir = `${root}dist/browser`): Promise<string> {
  await rm(outdir, { recursive: true, force: true });
  await build({ ...COMMON, entryPoints: { ...BROWSER_ENTRIES }, outdir, splitting: true, chunkNames: 'chunks/[name]-[hash]' });
  return outdir;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = await buildBrowserEntries();
  console.log(`wrote ${out}`);
}
