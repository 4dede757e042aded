/**
 * Model files on disk (Node only).
 *
 * Saving is atomic: the bytes go to a temporary file in the target's directory, are flushed to the disk
 * (fsync), and the temporary file is then renamed over the target. A rename within one file system is
 * atomic, so a reader — or a process restarted after a crash — sees the old file or the new one, never a
 * half-written one. On an error the temporary file is removed and the error is rethrown.
 *
 * Temporary files are named `.mlpkit-tmp-<target name>-<pid>-<random>`. A process killed mid-write (SIGKILL,
 * power loss) cannot remove its own, so the next write of the same target removes every such file whose
 * process is gone; they never accumulate. A process that exits through `process.exit` (a second Ctrl-C)
 * removes its own in `removeTempFilesSync`.
 *
 * A target that is a symbolic link is written through: the link's final target is replaced (atomically, in
 * its own directory) and the link stays a link, as `cp` and editors that save in place do. Replacing the link
 * with a regular file would silently detach whatever else points at the same file. A link loop is refused.
 */

import { randomBytes } from 'node:crypto';
import { lstatSync, readdirSync, readlinkSync, statSync, unlinkSync } from 'node:fs';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Model } from '../../graph/model.js';
import { modelFromFile, parseModelFile, type ModelFile, type ModelFromFileOptions } from '../model-file.js';
import { Pipeline } from '../../workflow/pipeline.js';
import { checkModelFileSize } from '../model-checks.js';

/** The prefix of temporary files, so that tools can recognise leftovers of a crashed save. */
export const TEMP_PREFIX = '.mlpkit-tmp-';

/** Symbolic links followed before a path is taken for a loop (Linux's own limit is 40). */
const MAX_LINKS = 40;

/** Temporary files this process is writing now. */
const inFlight = new Set<string>();

/**
 * The file a write to `path` replaces: `path` itself, or the final target of the symbolic link(s) it names
 * (which may not exist yet, for a dangling link). Throws on a loop of links.
 */
export function outputTarget(path: string): string {
  let p = resolve(path);
  for (let hops = 0; hops <= MAX_LINKS; hops++) {
    let isLink: boolean;
    try {
      isLink = lstatSync(p).isSymbolicLink();
    } catch {
      return p; // Nothing there yet: the write creates it.
    }
    if (!isLink) return p;
    p = resolve(dirname(p), readlinkSync(p));
  }
  throw new Error(`${path}: more than ${MAX_LINKS} symbolic links in a row (a loop?); give the file itself`);
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function processGone(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Remove the temporary files that writes of `target` left behind in processes that no longer run. */
export function removeStaleTempFiles(target: string): string[] {
  const dir = dirname(target);
  const pattern = new RegExp(`^${escapeRe(TEMP_PREFIX + basename(target))}-(\\d+)-[0-9a-f]{12}$`);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = pattern.exec(name);
    if (m === null || !processGone(Number(m[1]))) continue;
    try {
      unlinkSync(join(dir, name));
      removed.push(name);
    } catch {
      // Another run removed it first, or it is not ours to remove: either way it is not this write's business.
    }
  }
  return removed;
}

/** Remove the temporary files of this process's writes in flight (for an exit that cannot wait for them). */
export function removeTempFilesSync(): void {
  for (const p of inFlight) {
    try {
      unlinkSync(p);
    } catch {
      // Already renamed into place or removed.
    }
  }
  inFlight.clear();
}

/** The permission bits of an existing file, kept when it is replaced (as editors and sed -i do). */
function modeOf(path: string): number {
  try {
    return statSync(path).mode & 0o777;
  } catch {
    return 0o644;
  }
}

/** Write a file so that it is either wholly there or not at all (a temporary file beside it, flushed, then renamed). */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await writeFileAtomicWith(path, async (handle) => { await handle.writeFile(data); });
}

/** What `writeFileAtomicWith` hands its writer: the temporary file, to write into in as many pieces as it likes. */
export type AtomicHandle = Awaited<ReturnType<typeof open>>;

/**
 * Write a file in pieces, so that it is either wholly there or not at all: `fill` writes into a temporary file
 * beside it, which is flushed and renamed over `path` when `fill` resolves, and removed when it throws.
 */
export async function writeFileAtomicWith(path: string, fill: (handle: AtomicHandle) => Promise<void>): Promise<void> {
  let target: string;
  try {
    target = outputTarget(path);
  } catch (e) {
    throw new Error(`${path}: could not write the file (${(e as Error).message.replace(`${path}: `, '')})`, { cause: e });
  }
  const dir = dirname(target);
  removeStaleTempFiles(target);
  const temp = join(dir, `${TEMP_PREFIX}${basename(target)}-${process.pid}-${randomBytes(6).toString('hex')}`);
  let created = false;
  try {
    const handle = await open(temp, 'wx', modeOf(target));
    created = true;
    inFlight.add(temp);
    try {
      await fill(handle);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
    created = false;
  } catch (e) {
    if (created) await unlink(temp).catch(() => undefined);
    throw new Error(`${path}: could not write the file (${(e as Error).message})`, { cause: e });
  } finally {
    inFlight.delete(temp);
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
    const s = statSync(path);
    if (s.isDirectory()) throw new Error('it is a folder');
    checkModelFileSize(s.size);
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new Error(`${path}: could not read the model file (${(e as Error).message})`, { cause: e });
  }
  return parseModelFile(text, path);
}

/** The bare network of a model file, for inputs already prepared as the network takes them. */
export async function loadNetwork(path: string, options: Omit<ModelFromFileOptions, 'source'> = {}): Promise<Model> {
  const file = await loadModelFile(path);
  return modelFromFile(file, { ...options, source: path });
}

/**
 * A model file written by any door (the command, the estimators, the playground, `saveModel`) as a
 * Pipeline: its preprocessing and network, so `predict` takes raw table rows, as `mlpkit predict` does.
 */
export async function loadModel(path: string): Promise<Pipeline> {
  const file = await loadModelFile(path);
  return Pipeline.fromFile(file, path);
}

/** Write a pipeline's model file atomically. */
export async function saveModel(path: string, pipeline: Pipeline): Promise<void> {
  await saveModelFile(path, pipeline.toFile());
}
