/**
 * Model files on disk (Node only).
 *
 * Saving is atomic: the bytes go to a temporary file in the target's directory, are flushed to the disk
 * (fsync), and the temporary file is then renamed over the target. A rename within one file system is
 * atomic, so a reader — or a process restarted after a crash — sees the old file or the new one, never a
 * half-written one. On an error the temporary file is removed and the error is rethrown.
 */

import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Model } from '../../graph/model.js';
import { modelFromFile, parseModelFile, type ModelFile, type ModelFromFileOptions } from '../model-file.js';

/** The prefix of temporary files, so that tools can recognise leftovers of a crashed save. */
export const TEMP_PREFIX = '.mlpkit-tmp-';

/** Write a file so that it is either wholly there or not at all (a temporary file beside it, then a rename). */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `${TEMP_PREFIX}${basename(path)}-${process.pid}-${randomBytes(6).toString('hex')}`);
  let created = false;
  try {
    const handle = await open(temp, 'wx', 0o644);
    created = true;
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    created = false;
  } catch (e) {
    if (created) await unlink(temp).catch(() => undefined);
    throw new Error(`${path}: could not write the file (${(e as Error).message})`, { cause: e });
  }
  // Persist the rename itself: flush the directory entry (not supported on every platform, hence best effort).
  const dirHandle = await open(dir, 'r').catch(() => null);
  if (dirHandle !== null) {
    await dirHandle.sync().catch(() => undefined);
    await dirHandle.close();
  }
}

/** Write a model file (from `modelToFile`) atomically, as indented JSON. */
export async function saveModelFile(path: string, file: ModelFile): Promise<void> {
  parseModelFile(file, path);
  await writeFileAtomic(path, `${JSON.stringify(file, null, 1)}\n`);
}

/** Read and validate a model file; every error names the file and the field. */
export async function loadModelFile(path: string): Promise<ModelFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new Error(`${path}: could not read the model file (${(e as Error).message})`, { cause: e });
  }
  return parseModelFile(text, path);
}

/** `saveModelFile(path, modelToFile(model))` in one call is the usual save; this is the usual load. */
export async function loadModel(path: string, options: Omit<ModelFromFileOptions, 'source'> = {}): Promise<Model> {
  const file = await loadModelFile(path);
  return modelFromFile(file, { ...options, source: path });
}
