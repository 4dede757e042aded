/**
 * Optional packages (Parquet and Arrow readers, the job queue's client): loaded when first used, and
 * when one is not installed the error says which package to install for what, never a module-resolution
 * trace.
 */

/** Load a module that needs the optional package `name`; a missing package becomes a clear message. */
export async function needOptional<T>(load: () => Promise<T>, name: string, version: string, purpose: string): Promise<T> {
  try {
    return await load();
  } catch (e) {
    const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : '';
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String((e as Error).message).includes(name)) {
      throw new Error(`${purpose} needs the optional package ${name}, which is not installed: npm install ${name}@${version}`);
    }
    throw e;
  }
}
