/**
 * `mlpkit playground`: serve the static playground (dist/web) on 127.0.0.1 with node:http, building it
 * first if it is missing. Nothing is fetched from the internet: the page, the worker and the library
 * are all in dist/web.
 */

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface PlaygroundOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  readonly port?: number;
  /** Open the page in the default browser. Default false. */
  readonly open?: boolean;
  /** Interface to bind; default 127.0.0.1 (this machine only). */
  readonly host?: string;
}

export interface PlaygroundServer {
  readonly url: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.map': 'application/json', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
};

/** The repository root: two levels above this file, whether it runs from cli/ (tsx) or dist/cli/. */
function repoRoot(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const up = here.includes(`${sep}dist${sep}cli`) ? '../..' : '..';
  return normalize(join(here, up));
}

/** Where the built page lives, building it (web/build.mjs) if it is not there yet. */
export async function ensureBuilt(root = repoRoot()): Promise<string> {
  const dir = join(root, 'dist', 'web');
  if (existsSync(join(dir, 'index.html')) && existsSync(join(dir, 'worker.js'))) return dir;
  const script = join(root, 'web', 'build.mjs');
  if (!existsSync(script)) throw new Error(`the playground is not built (${dir}) and its build script ${script} is missing`);
  const mod: unknown = await import(pathToFileURL(script).href);
  const buildWeb = typeof mod === 'object' && mod !== null && 'buildWeb' in mod ? mod.buildWeb : undefined;
  if (typeof buildWeb !== 'function') throw new Error(`${script} does not export buildWeb`);
  await buildWeb(dir);
  return dir;
}

function openBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'cmd' : 'xdg-open';
  const args = process.platform === 'win32' ? ['/c', 'start', '', url] : [url];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', () => { /* no desktop browser: the URL is printed anyway */ });
    child.unref();
  } catch {
    // Same: opening is a convenience.
  }
}

export async function startPlayground(options: PlaygroundOptions = {}): Promise<PlaygroundServer> {
  const dir = await ensureBuilt();
  const host = options.host ?? '127.0.0.1';
  const server = createServer((req, res) => {
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      // A malformed escape (%E0%A4%A) names no file; it must not take the server down.
      path = '';
    }
    const file = normalize(join(dir, path === '/' ? 'index.html' : path));
    if (path === '' || !file.startsWith(dir + sep) || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404).end();
      return;
    }
    readFile(file).then((body) => {
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
      res.end(req.method === 'HEAD' ? undefined : body);
    }, () => { res.writeHead(404, { 'content-type': 'text/plain' }).end('not found'); });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE'
      ? new Error(`port ${options.port ?? 0} on ${host} is in use; choose another with --port (0: any free one)`) : e));
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const a = server.address();
  const port = typeof a === 'object' && a !== null ? a.port : options.port ?? 0;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;
  if (options.open === true) openBrowser(url);
  return {
    url,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
