/**
 * `mlpkit playground`: serve the static playground (dist/web) on 127.0.0.1 with node:http, building it
 * first if it is missing. Nothing is fetched from the internet: the page, the worker and the library
 * are all in dist/web.
 *
 * The page is opened beside other pages, so the server trusts none of them:
 *   - a request whose Host header is not this server's own address and port is refused (403), so a page
 *     that rebinds its own DNS name to 127.0.0.1 cannot read the playground (DNS rebinding);
 *   - every response says X-Content-Type-Options: nosniff, X-Frame-Options: DENY (no other page may frame
 *     it) and a Content-Security-Policy that allows only the page's own scripts, worker, styles and
 *     WebAssembly, and no plugins, forms, frames or foreign connections;
 *   - it binds 127.0.0.1 unless told otherwise (--host).
 */

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';
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
  /** The page's address to open here. */
  readonly url: string;
  /** The address and port the server listens on (0.0.0.0 for every interface). */
  readonly address: string;
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

/**
 * The policy of every response: the page's own scripts, worker and WebAssembly, and nothing foreign. Style
 * attributes are allowed inline (the network view and the plots set them on SVG elements); a style cannot
 * run code, and no foreign style sheet may load.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'", "script-src 'self' 'wasm-unsafe-eval'", "worker-src 'self'", "connect-src 'self'",
  "style-src 'self' 'unsafe-inline'", "img-src 'self' data: blob:", "font-src 'self'", "base-uri 'none'", "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The worker's policy: the page's, plus string evaluation. The worker exports ONNX with protobufjs, which
 * compiles its encoders from the schema with `new Function`; the worker runs no foreign script and reads no
 * DOM, so this is confined to it (a worker's policy is the one its own script was served with).
 */
export const WORKER_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace("script-src 'self' 'wasm-unsafe-eval'", "script-src 'self' 'wasm-unsafe-eval' 'unsafe-eval'");

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
} as const;

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const WILDCARD = new Set(['0.0.0.0', '::', '']);

/** How an address appears in a Host header: IPv6 in brackets, names in lower case. */
const hostForm = (h: string): string => (h.includes(':') ? `[${h}]` : h).toLowerCase();

/**
 * The Host header values that name this server: its address (and localhost's names when it listens on the
 * loopback), or, when it listens on every interface, each interface's address and the machine's name.
 */
export function allowedHosts(host: string, port: number): Set<string> {
  const names = new Set<string>([host]);
  if (LOOPBACK.has(host) || WILDCARD.has(host)) for (const n of LOOPBACK) names.add(n);
  if (WILDCARD.has(host)) {
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.add(a.address);
    names.add(hostname());
  }
  return new Set([...names].filter((n) => n !== '' && !WILDCARD.has(n)).map((n) => `${hostForm(n)}:${port}`));
}

function serveFile(dir: string, req: IncomingMessage, res: ServerResponse): void {
  let path: string;
  try {
    path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
  } catch {
    // A malformed escape (%E0%A4%A) names no file; it must not take the server down.
    path = '';
  }
  const file = normalize(join(dir, path === '/' ? 'index.html' : path));
  if (path === '' || !file.startsWith(dir + sep) || (req.method !== 'GET' && req.method !== 'HEAD')) {
    res.writeHead(404, SECURITY_HEADERS).end();
    return;
  }
  readFile(file).then((body) => {
    const policy = file === join(dir, 'worker.js') ? { 'content-security-policy': WORKER_CONTENT_SECURITY_POLICY } : {};
    res.writeHead(200, { ...SECURITY_HEADERS, ...policy, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
    res.end(req.method === 'HEAD' ? undefined : body);
  }, () => { res.writeHead(404, { ...SECURITY_HEADERS, 'content-type': 'text/plain' }).end('not found'); });
}

export async function startPlayground(options: PlaygroundOptions = {}): Promise<PlaygroundServer> {
  const dir = await ensureBuilt();
  const host = options.host ?? '127.0.0.1';
  let allowed = new Set<string>();
  const server = createServer((req, res) => {
    if (!allowed.has((req.headers.host ?? '').toLowerCase())) {
      res.writeHead(403, { ...SECURITY_HEADERS, 'content-type': 'text/plain' }).end(`this server answers to ${[...allowed].join(', ')} only\n`);
      return;
    }
    serveFile(dir, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE'
      ? new Error(`port ${options.port ?? 0} on ${host} is in use; choose another with --port (0: any free one)`)
      : e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND'
        ? new Error(`--host ${host}: not an address of this machine (${e.code})`) : e));
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const a = server.address();
  const port = typeof a === 'object' && a !== null ? a.port : options.port ?? 0;
  allowed = allowedHosts(host, port);
  const url = `http://${WILDCARD.has(host) ? 'localhost' : hostForm(host)}:${port}/`;
  if (options.open === true) openBrowser(url);
  return {
    url,
    address: `${hostForm(host)}:${port}`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
