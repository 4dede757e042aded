// `mlpkit playground`'s server: the built page from 127.0.0.1, nothing outside dist/web.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startPlayground, type PlaygroundServer } from '../../cli/playground.js';

let server: PlaygroundServer;
before(async () => { server = await startPlayground({ port: 0, open: false }); });
after(async () => { await server.close(); });

/** A raw GET (no URL normalization by the client, so '..' reaches the server as typed). */
function get(path: string, method = 'GET'): Promise<{ status: number; type: string; body: string }> {
  const u = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body }));
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
