// `mlpkit playground`'s server: the built page from 127.0.0.1, nothing outside dist/web, to no other host.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request, type IncomingHttpHeaders } from 'node:http';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { allowedHosts, CONTENT_SECURITY_POLICY, startPlayground, type PlaygroundServer } from '../../cli/playground.js';

let server: PlaygroundServer;
before(async () => { server = await startPlayground({ port: 0, open: false }); });
after(async () => { await server.close(); });

/** A raw GET (no URL normalization by the client, so '..' reaches the server as typed); host '' sends no Host header. */
function get(path: string, method = 'GET', host?: string): Promise<{ status: number; type: string; body: string; headers: IncomingHttpHeaders }> {
  const u = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method, ...(host === undefined ? {} : host === '' ? { setHost: false } : { headers: { host } }) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('the server listens on 127.0.0.1 and serves the page, its script and its worker with their types', async () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const page = await get('/');
  assert.equal(page.status, 200);
  assert.match(page.type, /^text\/html/);
  assert.match(page.body, /data-testid="play"/);
  for (const f of ['/main.js', '/worker.js']) {
    const r = await get(f);
    assert.equal(r.status, 200, f);
    assert.match(r.type, /^text\/javascript/, f);
  }
});

test('paths outside the built page, missing files and other methods get 404', async () => {
  for (const path of ['/../package.json', '/../../package.json', '/%2e%2e/%2e%2e/package.json', '/..%2f..%2fpackage.json', '/nope.js', '/%E0%A4%A']) {
    assert.equal((await get(path)).status, 404, path);
  }
  assert.equal((await get('/', 'POST')).status, 404);
  assert.equal((await get('/')).status, 200, 'the server still answers');
});

test('a request naming another host (DNS rebinding) or another port is refused; localhost and the address are served', async () => {
  const port = new URL(server.url).port;
  for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1.nip.io:${port}`, `127.0.0.1:${Number(port) + 1}`, `localhost:${Number(port) + 1}`, '']) {
    const r = await get('/', 'GET', host);
    // No Host header at all is refused by node:http itself (400), a foreign one by the playground (403).
    assert.equal(r.status, host === '' ? 400 : 403, `Host: ${host}`);
    assert.doesNotMatch(r.body, /data-testid/, `Host: ${host}`);
  }
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`]) assert.equal((await get('/', 'GET', host)).status, 200, `Host: ${host}`);
});

test('every response carries nosniff, DENY framing and a policy allowing only the page\'s own scripts, worker and wasm', async () => {
  const port = new URL(server.url).port;
  for (const r of [await get('/'), await get('/main.js'), await get('/nope.js'), await get('/', 'GET', 'evil.example')]) {
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal(r.headers['x-frame-options'], 'DENY');
    assert.equal(r.headers['content-security-policy'], CONTENT_SECURITY_POLICY);
  }
  // The worker alone may compile protobufjs's encoders from strings; everything else in its policy is the page's.
  const worker = await get('/worker.js');
  assert.equal(worker.headers['x-content-type-options'], 'nosniff');
  assert.equal(worker.headers['content-security-policy'], CONTENT_SECURITY_POLICY.replace("'wasm-unsafe-eval'", "'wasm-unsafe-eval' 'unsafe-eval'"));
  const policy = new Map(CONTENT_SECURITY_POLICY.split('; ').map((d) => [d.split(' ')[0]!, d.split(' ').slice(1)]));
  assert.deepEqual(policy.get('default-src'), ["'none'"]);
  assert.deepEqual(policy.get('script-src'), ["'self'", "'wasm-unsafe-eval'"]);
  assert.deepEqual(policy.get('worker-src'), ["'self'"]);
  assert.deepEqual(policy.get('frame-ancestors'), ["'none'"]);
  for (const d of ['script-src', 'worker-src', 'connect-src', 'default-src']) {
    assert.ok(!policy.get(d)!.some((v) => v === "'unsafe-inline'" || v === "'unsafe-eval'" || v.includes('*') || v.startsWith('http')), `${d} ${port}`);
  }
});

test('listening on every interface accepts the machine\'s own addresses and names, never a foreign name', () => {
  const all = allowedHosts('0.0.0.0', 8080);
  for (const h of ['127.0.0.1:8080', 'localhost:8080', '[::1]:8080']) assert.ok(all.has(h), h);
  assert.ok(!all.has('evil.example:8080'));
  assert.ok(!all.has('0.0.0.0:8080'));
  assert.deepEqual([...allowedHosts('127.0.0.1', 9)].sort(), ['127.0.0.1:9', '[::1]:9', 'localhost:9']);
});

test('mlpkit playground binds 127.0.0.1 by default and prints the address it serves', async () => {
  const root = resolve(import.meta.dirname, '../..');
  const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;
  const child = spawn(process.execPath, ['--import', tsx, join(root, 'cli/main.ts'), 'playground', '--port', '0', '--no-open'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const line = await new Promise<string>((done, fail) => {
    let text = '';
    child.stdout.on('data', (d: Buffer) => { text += d.toString(); if (text.includes('\n')) done(text); });
    child.on('error', fail);
    child.on('close', (code) => fail(new Error(`exited with ${code} before printing its address`)));
  });
  child.kill('SIGTERM');
  assert.match(line, /^mlpkit playground: http:\/\/127\.0\.0\.1:\d+\/ {2}\(Ctrl-C to stop\)\n$/);
});
