/**
 * Errors the command reports to its user: a message (no stack trace) and an exit code.
 *
 *   1    the input is bad (a CSV cell, a model file, a target column) or training failed
 *   2    the command line is bad (an unknown option, a missing argument, a value out of range)
 *   130  interrupted (Ctrl-C)
 */

export class CliError extends Error {
  constructor(message: string, readonly exitCode: 1 | 2 | 130 = 1) {
    super(message);
    this.name = 'CliError';
  }
}

/** A bad command line (exit code 2). */
export function usageError(message: string): CliError {
  return new CliError(message, 2);
}

/** The command-line flag of a library option name: learningRate → --learning-rate. */
export function flagOf(name: string): string {
  return `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** The parsed-flag name of a schedule option: stepSize → scheduleStepSize, the flag --schedule-step-size. */
export function scheduleAttribute(option: string): string {
  return `schedule${option[0]!.toUpperCase()}${option.slice(1)}`;
}

export { cellPlace, showValue } from '../src/table/cells.js';

/** What a failed system call means, in words (the code stays in brackets for searching). */
const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or folder',
  EISDIR: 'is a folder, not a file',
  ENOTDIR: 'a part of the path is not a folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ELOOP: 'too many symbolic links (a loop?)',
  ENAMETOOLONG: 'the name is too long',
  EMFILE: 'too many open files',
  EEXIST: 'already exists',
  EXDEV: 'on another file system',
};

function isErrno(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && typeof (e as NodeJS.ErrnoException).syscall === 'string';
}

/** What went wrong in a failed system call, `permission denied (EACCES)`, or null if `e` is not one. */
export function describeErrno(e: unknown): string | null {
  if (!isErrno(e)) return null;
  const code = e.code!;
  return `${ERRNO_TEXT[code] ?? e.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '')} (${code})`;
}

/** `path: what went wrong (CODE)` for a failed system call, or null if `e` is not one. */
export function describeSystemError(e: unknown): string | null {
  if (!isErrno(e)) return null;
  const dest = 'dest' in e && typeof e.dest === 'string' ? e.dest : undefined;
  return `${e.path ?? dest ?? e.syscall}: ${describeErrno(e)!}`;
}

const OUT_OF_MEMORY = /Memory\.grow|Array buffer allocation failed|Invalid typed array length|Invalid array length|out of memory/i;

/**
 * The one line the command prints for an error that reached the top: the message of a `CliError` or any
 * `Error` (their messages name file, field or flag), a system error with its path, never a stack trace.
 */
export function userMessage(e: unknown): string {
  if (e instanceof CliError) return e.message;
  const system = describeSystemError(e);
  if (system !== null) return system;
  if (e instanceof Error) {
    if (OUT_OF_MEMORY.test(e.message)) {
      return `out of memory (${e.message}): the model or the data is too large for this machine; try a smaller --hidden or --batch-size, or fewer rows`;
    }
    // A WebAssembly trap or a TypeError is a bug, not bad input: say so, so that it is reported.
    const internal = e instanceof WebAssembly.RuntimeError || e instanceof TypeError || e instanceof RangeError;
    return internal ? `internal error: ${e.message} (run with --debug for the stack, and please report it)` : e.message;
  }
  return String(e);
}

/**
 * The message for training that diverged. The engine's message says that the model in memory keeps its last
 * finite weights; the command writes no file after a divergence, so it says that instead of pointing at a
 * model that is not there.
 */
export function divergedMessage(engineMessage: string): string {
  const what = engineMessage.replace(/[;.]?\s*[Tt]he model keeps its last finite weights[^;.]*[;.]?/, ';').replace(/[;.\s]+$/, '');
  return `${what}. No model, report or predictions file was written; try a smaller --lr, --standardize, or a different --optimizer`;
}

/** Fail before any work when a report or picture is asked for (by `flag`) and the report's optional renderer is not installed. */
export async function requireReportRenderer(flag = '--report'): Promise<void> {
  const { loadRenderer, ReportRendererMissingError } = await import('../src/report/render.js');
  try {
    await loadRenderer();
  } catch (e) {
    if (e instanceof ReportRendererMissingError) throw new CliError(`${flag}: ${e.message}`);
    throw e;
  }
}
