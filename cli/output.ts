/**
 * Where the command writes: the process's stdout and stderr, or the sinks a caller of `main` passes
 * (tests run the command in-process and read what it printed). The sinks travel with the async
 * context of one `main` call, so concurrent calls do not mix their output.
 */

import { AsyncLocalStorage } from 'node:async_hooks';

export interface Sinks {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const current = new AsyncLocalStorage<Sinks>();

export function withSinks<T>(sinks: Sinks, run: () => Promise<T>): Promise<T> {
  return current.run(sinks, run);
}

/** Text for stdout (results, predictions, JSON). */
export function out(text: string): void {
  const s = current.getStore();
  if (s === undefined) process.stdout.write(text);
  else s.stdout(text);
}

/** Text for stderr (progress, notes, errors). */
export function err(text: string): void {
  const s = current.getStore();
  if (s === undefined) process.stderr.write(text);
  else s.stderr(text);
}
