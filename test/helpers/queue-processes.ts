// Processes of the job-queue tests and benchmark: Debian's redis-server on a free loopback port (no
// persistence, a password), and `mlpkit worker` processes, with their output lines kept.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const REDIS_SERVER = '/usr/bin/redis-server';
export const hasRedisServer = (): boolean => existsSync(REDIS_SERVER);

const root = resolve(import.meta.dirname, '../..');
const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;
const main = join(root, 'cli/main.ts');

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a !== null ? ok(a.port) : fail(new Error('no free port'))));
    });
  });
}

/** A child process whose output lines (stdout and stderr) are kept, and can be waited on. */
export class Proc {
  readonly lines: string[] = [];
  private waiters: { re: RegExp; ok: (line: string) => void }[] = [];
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcess) {
    let partial = '';
    const take = (chunk: Buffer): void => {
      partial += chunk.toString('utf8');
      const parts = partial.split('\n');
      partial = parts.pop()!;
      for (const l of parts) {
        this.lines.push(l);
        this.waiters = this.waiters.filter((w) => (w.re.test(l) ? (w.ok(l), false) : true));
      }
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    this.exited = new Promise((ok) => child.on('exit', (code) => ok(code)));
  }

  /** The first line matching `re` from line `from` on (0: any line so far counts), within `seconds`. */
  waitFor(re: RegExp, seconds = 60, from = 0): Promise<string> {
    const seen = this.lines.slice(from).find((l) => re.test(l));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((ok, fail) => {
      const t = setTimeout(() => fail(new Error(`no line matching ${re} within ${seconds} s; output:\n${this.lines.join('\n')}`)), seconds * 1000);
      this.waiters.push({ re, ok: (l) => { clearTimeout(t); ok(l); } });
    });
  }

  /** SIGTERM, then SIGKILL after 10 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), 10000);
    await this.exited;
    clearTimeout(t);
  }
}

/** `mlpkit …` from the sources. */
export function mlpkit(cwd: string, args: readonly string[], env: Readonly<Record<string, string>> = {}): Proc {
  return new Proc(spawn(process.execPath, ['--import', tsx, main, ...args], { cwd, env: { ...process.env, ...env } }));
}

/** A server certificate for 127.0.0.1 signed by a new certificate authority (by /usr/bin/openssl), or null without it. */
export function makeCertificates(dir: string): { ca: string; cert: string; key: string } | null {
  if (!existsSync('/usr/bin/openssl')) return null;
  const f = (n: string): string => join(dir, n);
  const run = (...args: string[]): void => {
    const r = spawnSync('/usr/bin/openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args[0]}: ${r.stderr}`);
  };
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '1', '-subj', '/CN=mlpkit test CA');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=127.0.0.1');
  writeFileSync(f('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  run('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('server.pem'), '-days', '1', '-extfile', f('san.ext'));
  return { ca: f('ca.pem'), cert: f('server.pem'), key: f('server.key') };
}

/**
 * redis-server on 127.0.0.1 with a random password, nothing saved; `restart()` loses everything, as a
 * crash would. With `tls`, it speaks only TLS (rediss://) with that certificate.
 */
export class RedisServer {
  readonly password = randomBytes(12).toString('hex');
  readonly passwordFile: string;
  private proc: Proc | null = null;

  private constructor(readonly dir: string, readonly port: number, private readonly tls: { ca: string; cert: string; key: string } | null) {
    this.passwordFile = join(dir, 'redis-password');
    writeFileSync(this.passwordFile, `${this.password}\n`);
  }

  static async start(dir: string, tls: { ca: string; cert: string; key: string } | null = null): Promise<RedisServer> {
    const r = new RedisServer(dir, await freePort(), tls);
    await r.run();
    return r;
  }

  get url(): string { return `${this.tls === null ? 'redis' : 'rediss'}://127.0.0.1:${this.port}`; }

  private async run(): Promise<void> {
    const listen = this.tls === null
      ? ['--port', String(this.port)]
      : ['--port', '0', '--tls-port', String(this.port), '--tls-cert-file', this.tls.cert, '--tls-key-file', this.tls.key, '--tls-ca-cert-file', this.tls.ca, '--tls-auth-clients', 'no'];
    this.proc = new Proc(spawn(REDIS_SERVER, [...listen, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir, '--requirepass', this.password], { cwd: this.dir }));
    await this.proc.waitFor(/Ready to accept connections/);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.run();
  }

  async stop(): Promise<void> {
    await this.proc?.stop();
  }

  /** `mlpkit worker` on this server (password from the file; with TLS, trusting its authority), ready to take trials. */
  async worker(name: string, extra: readonly string[] = []): Promise<Proc> {
    const env: Record<string, string> = this.tls === null ? {} : { NODE_EXTRA_CA_CERTS: this.tls.ca };
    const w = mlpkit(this.dir, ['worker', '--redis', this.url, '--redis-password-file', this.passwordFile, '--name', name, ...extra], env);
    await w.waitFor(new RegExp(`^mlpkit worker ${name}:`));
    return w;
  }
}
