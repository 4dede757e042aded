/**
 * Where the queue is: a `redis://` or `rediss://` (TLS) address, with a password from the address or
 * from a file. The password goes to ioredis and nowhere else: what is ever printed is `display`, the
 * address without user name and password.
 */

import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';

/** Where the Redis of the queue is: its address (redis:// or rediss://), password and TLS options (never printed). */
export interface QueueConnection {
  /** `redis://HOST:PORT[/DB]` or `rediss://…` (TLS); may carry `user:password@`. */
  readonly url: string;
  /** The password, if not in the address (e.g. read from a file). */
  readonly password?: string;
  /** TLS options for `rediss://` (e.g. `{ ca }` for a private certificate authority). */
  readonly tls?: RedisOptions['tls'];
}

/** ioredis's options (its reply mapping stays the default). */
export type ClientOptions = Omit<RedisOptions, 'replyMapping'>;

export interface ResolvedConnection {
  readonly options: ClientOptions;
  /** The address without credentials: safe to print. */
  readonly display: string;
}

/** An address with anything between `//` and `@` blanked, for messages about an address that does not parse. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^/@]*@/, '//***@');
}

export function resolveConnection(c: QueueConnection, where = 'redis'): ResolvedConnection {
  let u: URL;
  try {
    u = new URL(c.url);
  } catch {
    throw new Error(`${where}: expected an address like redis://HOST:PORT or rediss://HOST:PORT, got '${redactUrl(c.url)}'`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error(`${where}: the address must start with redis:// or rediss:// (TLS), got '${redactUrl(c.url)}'`);
  if (u.hostname === '') throw new Error(`${where}: the address names no host: '${redactUrl(c.url)}'`);
  const db = u.pathname === '' || u.pathname === '/' ? 0 : Number(u.pathname.slice(1));
  if (!Number.isInteger(db) || db < 0) throw new Error(`${where}: the database after the port must be a number, got '${u.pathname.slice(1)}'`);
  const inUrl = u.password === '' ? undefined : decodeURIComponent(u.password);
  if (inUrl !== undefined && c.password !== undefined) throw new Error(`${where}: give the password in the address or in a password file, not both`);
  const password = c.password ?? inUrl;
  const port = u.port === '' ? 6379 : Number(u.port);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const display = `${u.protocol}//${u.hostname}:${port}${db === 0 ? '' : `/${db}`}`;
  // The certificate is checked against the host name (TLS sends no IP address as server name).
  const tls = u.protocol === 'rediss:' ? { ...(isIP(host) === 0 ? { servername: host } : {}), ...(typeof c.tls === 'object' ? c.tls : {}) } : undefined;
  return {
    display,
    options: {
      host, port, db,
      ...(u.username === '' ? {} : { username: decodeURIComponent(u.username) }),
      ...(password === undefined ? {} : { password }),
      ...(tls === undefined ? {} : { tls }),
      // Commands wait while the connection is down and go out when it is back (BullMQ requires this).
      maxRetriesPerRequest: null,
      retryStrategy: (times: number) => Math.min(100 * times, 2000),
    },
  };
}

/** A password file's first line (trailing newline and spaces dropped). */
export function readPasswordFile(path: string, flag = '--redis-password-file'): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`${flag} ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const line = text.split(/\r?\n/)[0]!.trimEnd();
  if (line === '') throw new Error(`${flag} ${path}: the file is empty`);
  return line;
}

/**
 * A client that reports losing and regaining its connection once per outage (never with the address's
 * credentials; ioredis's own messages name only host and port).
 */
export function connect(c: ResolvedConnection, onNote: ((message: string) => void) | null): Redis {
  const r = new Redis(c.options);
  let down = false;
  r.on('error', (e: Error) => {
    if (down) return;
    down = true;
    onNote?.(`redis ${c.display}: ${e.message}; reconnecting`);
  });
  r.on('ready', () => {
    if (!down) return;
    down = false;
    onNote?.(`redis ${c.display}: connected again`);
  });
  return r;
}
