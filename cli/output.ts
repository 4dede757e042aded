/**
 * Where the command writes: the process's stdout and stderr, or the sinks a caller of `main` passes
 * (tests run the command in-process and read what it printed). The sinks travel with the async
 * context of one `main` call, so concurrent calls do not mix their output.
 *
 * A reader that goes away early (`mlpkit predict … | head -1`) closes the pipe: the next write fails with
 * EPIPE. That is not an error of the command (cat, git and sqlite3 stay quiet too): from then on the output
 * for that stream is dropped, and the command ends with its usual status. Files it writes are still written.
 */

import { AsyncLocalStorage } from 'node:async_hooks';

export interface Sinks {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const current = new AsyncLocalStorage<Sinks>();

/** Streams whose reader has gone (EPIPE): their output is dropped. */
const closed = new Set<NodeJS.WriteStream>();

/**
 * Watch stdout and stderr for a reader that has gone. Any other write error (a full disk behind `> file`)
 * is reported by `onFailure`, which should end the command.
 */
export function guardStdio(onFailure: (message: string) => void): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') {
        closed.add(stream);
        return;
      }
      closed.add(stream);
      onFailure(`cannot write to ${stream === process.stdout ? 'stdout' : 'stderr'} (${e.code ?? e.message})`);
    });
  }
}

function write(stream: NodeJS.WriteStream, text: string): void {
  if (closed.has(stream)) return;
  stream.write(text);
}

export function withSinks<T>(sinks: Sinks, run: () => Promise<T>): Promise<T> {
  return current.run(sinks, run);
}

/** Text for stdout (results, predictions, JSON). */
export function out(text: string): void {
  const s = current.getStore();
  if (s === undefined) write(process.stdout, text);
  else s.stdout(text);
}

/** Text for stderr (progress, notes, errors). */
export function err(text: string): void {
  const s = current.getStore();
  if (s === undefined) write(process.stderr, text);
  else s.stderr(text);
}
