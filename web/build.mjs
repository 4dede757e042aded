#!/usr/bin/env node
/**
 * Build the playground as static files in dist/web/: index.html, styles.css, main.js (the page) and
 * worker.js (the training worker, which bundles the mlpkit library itself). esbuild with platform
 * 'browser', so a Node-only import anywhere in the core is a build error.
 *
 * Usage: node web/build.mjs [outdir]   (npm run build:web)
 */
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

export async function buildWeb(outdir = join(root, 'dist/web')) {
  await mkdir(outdir, { recursive: true });
  await build({
    entryPoints: { main: join(root, 'web/main.ts'), worker: join(root, 'web/worker.ts') },
    outdir, bundle: true, format: 'esm', platform: 'browser', target: 'es2022',
    sourcemap: false, minify: true, logLevel: 'warning',
  });
  for (const f of ['index.html', 'styles.css']) await copyFile(join(root, 'web', f), join(outdir, f));
  return outdir;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = await buildWeb(process.argv[2]);
  console.log(`wrote ${out}`);
}
