/**
 * The browser build: the library's core (src/index.ts) bundled as one ES module, dist/browser/mlpkit.js.
 * platform 'browser' makes any import of a Node built-in a build error, which keeps the core portable.
 *
 * Usage: npm run build:browser
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

export async function buildBrowser(outfile = `${root}dist/browser/mlpkit.js`, entry = `${root}src/index.ts`): Promise<string> {
  await build({
    entryPoints: [entry], outfile, bundle: true, format: 'esm', platform: 'browser', target: 'es2022',
    sourcemap: true, minify: false, logLevel: 'warning',
  });
  return outfile;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = await buildBrowser();
  console.log(`wrote ${out}`);
}
