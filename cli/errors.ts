/**
 * Errors the command reports to its user: a message (no stack trace) and an exit code.
 *
 *   1  the input is bad (a CSV cell, a model file, a target column) or training failed
 *   2  the command line is bad (an unknown option, a missing argument, a value out of range)
 */

export class CliError extends Error {
  constructor(message: string, readonly exitCode: 1 | 2 = 1) {
    super(message);
    this.name = 'CliError';
  }
}

/** A bad command line (exit code 2). */
export function usageError(message: string): CliError {
  return new CliError(message, 2);
}

/** Where a cell is, as a user would look it up: the file, the line as an editor numbers it, and the column. */
export function cellPlace(file: string, line: number, column: string, index: number): string {
  return `${file}, line ${line}, column '${column}' (column ${index + 1})`;
}

/** A cell's text as it should appear in a message: quoted, with invisible characters made visible. */
export function showValue(v: string): string {
  return v === '' ? "'' (an empty cell)" : JSON.stringify(v).replace(/^"|"$/g, "'");
}

/** Fail before any work when --report is given and the report's optional renderer is not installed. */
export async function requireReportRenderer(): Promise<void> {
  const { loadRenderer, ReportRendererMissingError } = await import('../src/report/render.js');
  try {
    await loadRenderer();
  } catch (e) {
    if (e instanceof ReportRendererMissingError) throw new CliError(`--report: ${e.message}`);
    throw e;
  }
}
