// Headless Chromium for the tests that open pages: where the browser is, the skip reason when it is absent,
// a launcher with the flags every such test uses, and a static server on 127.0.0.1.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** `false` when Chromium is installed, else the reason a browser test is skipped. */
export const chromiumSkip: false | string = existsSync(CHROMIUM) ? false : `${CHROMIUM} is absent (install Debian's chromium package to run the browser tests)`;

/** A headless Chromium with a throw-away profile in `profileDir`. */
export function launchChromium(profileDir: string, viewport = { width: 1280, height: 900 }): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM, headless: true, viewport,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** A page body served from memory. */
export interface ServedFile { readonly type: string; readonly body: string | Uint8Array }

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json',
};

/**
 * Serve `files` (exact URL paths) and, below each URL prefix of `mounts`, the files of a folder. Resolves to
 * the server and its base URL (ending in '/').
 */
export function serve(files: Readonly<Record<string, ServedFile>>, mounts: Readonly<Record<string, string>> = {}): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    const f = files[path];
    if (f !== undefined) { res.writeHead(200, { 'content-type': f.type }).end(f.body); return; }
    const prefix = Object.keys(mounts).find((p) => path.startsWith(p));
    const rel = prefix === undefined ? null : normalize(path.slice(prefix.length));
    if (prefix === undefined || rel === null || rel.startsWith('..')) { res.writeHead(404).end(); return; }
    readFile(join(mounts[prefix]!, rel)).then(
      (body) => res.writeHead(200, { 'content-type': TYPES[extname(rel)] ?? 'application/octet-stream' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const a = server.address();
    resolve({ server, url: `http://127.0.0.1:${typeof a === 'object' && a !== null ? a.port : 0}/` });
  }));
}

/** Open `url`, wait until `selector`'s text matches `done`, and return that text and the page's errors. */
export async function textWhenDone(context: BrowserContext, url: string, selector: string, done: RegExp, timeout = 60000): Promise<{ text: string; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  try {
    await page.goto(url);
    await page.waitForFunction(([s, re]) => new RegExp(re).test(document.querySelector(s)?.textContent ?? ''), [selector, done.source] as const, { timeout });
    return { text: (await page.textContent(selector)) ?? '', errors };
  } finally {
    await page.close();
  }
}
