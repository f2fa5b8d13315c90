/**
 * Where a new savepoint is written: a hidden temporary folder next to the target, renamed to the
 * target once `_metadata` is complete. A writer killed midway leaves only the temporary folder
 * (never a partial target); a source savepoint is never written to.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';

export class WriteError extends Error {}

export const TMP_MARK = '.fsp-tmp-';

function real(p: string): string {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return path.resolve(p);
  }
}

function inside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * FSP_TEST_SLOW_WRITE=<ms>: sleep after every written or copied file, so the crash-safety test can kill
 * the writer while it is demonstrably in the middle of writing. Unset in normal use.
 */
function pauseForTests(): void {
  const ms = Number(process.env.FSP_TEST_SLOW_WRITE ?? 0);
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export class SavepointOutput {
  readonly target: string;
  readonly tmp: string;
  private done = false;

  /** `sources`: savepoint folders being read; the target may not be inside or around any of them. */
  constructor(target: string, sources: string[] = []) {
    this.target = path.resolve(target);
    if (fs.existsSync(this.target)) throw new WriteError(`output folder already exists: ${this.target}`);
    const parent = path.dirname(this.target);
    fs.mkdirSync(parent, { recursive: true });
    const parentReal = real(parent);
    const targetReal = path.join(parentReal, path.basename(this.target));
    for (const s of sources) {
      const src = real(s);
      if (inside(targetReal, src)) throw new WriteError(`the output folder ${this.target} is inside the source savepoint ${s}; choose a folder outside it`);
      if (inside(src, targetReal)) throw new WriteError(`the source savepoint ${s} is inside the output folder ${this.target}`);
    }
    this.tmp = path.join(parent, `.${path.basename(this.target)}${TMP_MARK}${randomUUID().slice(0, 8)}`);
    fs.mkdirSync(this.tmp);
  }

  /** Writes a new data file with a UUID name; returns its relative name and size. */
  writeDataFile(chunks: Uint8Array[]): { relative: string; size: number } {
    const relative = randomUUID();
    const size = this.writeFile(relative, chunks);
    return { relative, size };
  }

  writeFile(relative: string, chunks: Uint8Array[]): number {
    const p = path.join(this.tmp, relative);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    const fd = fs.openSync(p, 'wx');
    let size = 0;
    try {
      for (let i = 0; i < chunks.length; i += 512) {
        const batch = chunks.slice(i, i + 512);
        let want = 0;
        for (const c of batch) want += c.length;
        let wrote = fs.writevSync(fd, batch as NodeJS.ArrayBufferView[]);
        if (wrote !== want) {
          // short write: fall back to plain writes for the rest of this batch
          const all = Buffer.concat(batch);
          while (wrote < want) wrote += fs.writeSync(fd, all, wrote, want - wrote);
        }
        size += want;
      }
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    pauseForTests();
    return size;
  }

  /** Copies a state file of a source savepoint into the new one under `relative`. */
  copyFile(from: string, relative: string): number {
    const p = path.join(this.tmp, relative);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.copyFileSync(from, p, fs.constants.COPYFILE_EXCL);
    pauseForTests();
    return fs.statSync(p).size;
  }

  /** Writes `_metadata` last and renames the folder into place. */
  commit(metadata: Uint8Array): void {
    this.writeFile('_metadata', [metadata]);
    if (fs.existsSync(this.target)) throw new WriteError(`output folder already exists: ${this.target}`);
    fs.renameSync(this.tmp, this.target);
    this.done = true;
  }

  /** Removes the temporary folder after a failure. */
  abort(): void {
    if (this.done) return;
    fs.rmSync(this.tmp, { recursive: true, force: true });
  }
}
