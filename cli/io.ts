/**
 * The command's side of files, pipes and signals, for every command to share:
 *
 *   `-`          standard input where a command reads data, standard output where it writes predictions
 *                or a CSV (as in cat, curl -o -, sqlite3 .output stdout);
 *   Ctrl-C       the first one asks a long command (train) to stop cleanly after the batch it is in; a
 *                second one, or the first in a command with nothing to stop, exits at once with status 130.
 *                Output files are written atomically, so an interrupted run leaves the old file or none, and
 *                the temporary file of a write in flight is removed on the way out.
 */

import { createReadStream, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { removeTempFilesSync } from '../src/io/node/files.js';
import { CliError, describeSystemError } from './errors.js';
import { err, out } from './output.js';

/** The name that means standard input (for data) or standard output (for predictions and CSV). */
export const STDIO = '-';

export const isStdio = (path: string | undefined): boolean => path === STDIO;

export interface Input {
  /** How messages name the input: the path as given, or 'stdin'. */
  readonly name: string;
  readonly stream: Readable;
  /** Size in bytes when known (a file), else 0. */
  readonly size: number;
}

/**
 * Open a data file (or stdin for `-`) to read, refusing a folder or a missing file with a message that names
 * the path, before anything is read.
 */
export function openInput(path: string): Input {
  if (isStdio(path)) return { name: 'stdin', stream: process.stdin, size: 0 };
  let size: number;
  try {
    const s = statSync(path);
    if (s.isDirectory()) throw new CliError(`${path}: is a folder; give a data file`);
    size = s.isFile() ? s.size : 0;
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(describeSystemError(e) ?? `${path}: cannot read (${String(e)})`);
  }
  return { name: path, stream: createReadStream(path, { highWaterMark: 1 << 20 }), size };
}

/**
 * Text for a file, or for stdout when the path is `-` (or not given). The file is written with `write`
 * (atomic, e.g. model-io's `writeAll`), which is passed in so this module stays free of the model code.
 */
export async function writeOutput<T extends string | Uint8Array>(path: string | null | undefined, text: T, write: (path: string, text: T) => Promise<void>): Promise<'stdout' | 'file'> {
  if (path === null || path === undefined || isStdio(path)) {
    out(typeof text === 'string' ? text : new TextDecoder().decode(text));
    return 'stdout';
  }
  await write(path, text);
  return 'file';
}

// ---------------------------------------------------------------------------------------------
// Ctrl-C

/** Graceful stops registered by the running command (train's "stop after this batch"). */
const stops: (() => void)[] = [];
let interrupts = 0;

/**
 * Ask for the first Ctrl-C to call `stop` instead of exiting (the caller then finishes cleanly). Returns the
 * function that unregisters it. A second Ctrl-C always exits at once.
 */
export function onInterrupt(stop: () => void): () => void {
  stops.push(stop);
  return () => {
    const i = stops.indexOf(stop);
    if (i >= 0) stops.splice(i, 1);
  };
}

/** Exit at once: remove the temporary files of writes in flight, then leave with `code`. */
export function exitNow(code: number): never {
  removeTempFilesSync();
  process.exit(code);
}

function handleInterrupt(): void {
  interrupts++;
  const stop = stops[stops.length - 1];
  if (interrupts === 1 && stop !== undefined) {
    err('\nstopping after this batch (Ctrl-C again to quit at once; nothing half-written is left)\n');
    stop();
    return;
  }
  err('\ninterrupted\n');
  exitNow(130);
}

/** Install the command's handlers for SIGINT and SIGTERM (once, when mlpkit runs as a program). */
export function installSignalHandlers(): void {
  process.on('SIGINT', handleInterrupt);
  process.on('SIGTERM', () => exitNow(143));
}
