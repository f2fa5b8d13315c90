/**
 * Where state bytes live: inline in `_metadata` (byte-stream handles) or in files next to it.
 * Reads are ranged (FileHandle.read at an offset) so a multi-GB state file is never loaded whole.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Limits, SavepointFormatError } from './errors';
import { ByteReader } from './io';

export interface DataSource {
  /** Name used in error messages (a file path). */
  readonly file: string;
  /** File offset of byte 0 of this source within `file` (inline data sits inside `_metadata`). */
  readonly base: number;
  size(): Promise<number>;
  /** Reads [offset, offset + length) of this source; short at the end. */
  read(offset: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

export class BytesSource implements DataSource {
  constructor(readonly data: Uint8Array, readonly file: string, readonly base: number) {}
  async size(): Promise<number> {
    return this.data.length;
  }
  async read(offset: number, length: number): Promise<Uint8Array> {
    const s = Math.max(0, Math.min(offset, this.data.length));
    return this.data.subarray(s, Math.min(this.data.length, s + Math.max(0, length)));
  }
  async close(): Promise<void> {}
}

/** Files up to this size are read once and served from memory; larger ones are read by range. */
export const SMALL_FILE = 4 * 1024 * 1024;

export class FileSource implements DataSource {
  readonly base = 0;
  private fh?: fs.promises.FileHandle;
  private sz?: number;
  private whole?: Uint8Array;
  constructor(readonly file: string) {}

  private async open(): Promise<fs.promises.FileHandle> {
    if (!this.fh) {
      try {
        this.fh = await fs.promises.open(this.file, 'r');
      } catch (e) {
        throw new SavepointFormatError(this.file, 0, 'a readable state file', (e as NodeJS.ErrnoException).code ?? String(e));
      }
    }
    return this.fh;
  }

  async size(): Promise<number> {
    if (this.sz === undefined) this.sz = (await (await this.open()).stat()).size;
    return this.sz;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const size = await this.size();
    const s = Math.max(0, Math.min(offset, size));
    const n = Math.max(0, Math.min(length, size - s));
    if (size <= SMALL_FILE) {
      if (!this.whole) this.whole = await this.readRange(0, size);
      return this.whole.subarray(s, s + n);
    }
    return this.readRange(s, n);
  }

  private async readRange(s: number, n: number): Promise<Uint8Array> {
    if (n > Limits.maxBytes) throw new SavepointFormatError(this.file, s, `a section of at most ${Limits.maxBytes} bytes`, `${n} bytes`);
    const buf = new Uint8Array(n);
    const fh = await this.open();
    let done = 0;
    while (done < n) {
      const { bytesRead } = await fh.read(buf, done, n - done, s + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done === n ? buf : buf.subarray(0, done);
  }

  async close(): Promise<void> {
    const fh = this.fh;
    this.fh = undefined;
    this.whole = undefined;
    if (fh) await fh.close();
  }
}

/** Reads a whole (small) source into a ByteReader with file offsets. */
export async function readAll(src: DataSource, max = Limits.maxBytes): Promise<ByteReader> {
  const size = await src.size();
  if (size > max) throw new SavepointFormatError(src.file, 0, `a file of at most ${max} bytes`, `${size} bytes`);
  const data = await src.read(0, size);
  return new ByteReader(data, src.file, src.base);
}

/**
 * Resolves a relative handle path against the savepoint directory. Rejects absolute paths, `..`
 * segments and anything whose normalised form leaves the directory.
 */
export function resolveRelative(dir: string, rel: string): string | undefined {
  if (rel.length === 0 || rel.includes('\0')) return undefined;
  if (path.isAbsolute(rel) || path.win32.isAbsolute(rel) || /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(rel)) return undefined;
  const segs = rel.split(/[\\/]/);
  if (segs.some((s) => s === '..')) return undefined;
  const full = path.resolve(dir, rel);
  const root = path.resolve(dir);
  if (full === root || !full.startsWith(root + path.sep)) return undefined;
  return full;
}

/** Converts a Flink path string of an absolute file handle (`file:/x`, `file:///x`, `/x`) to a local path. */
export function localPathOf(uri: string): string | undefined {
  if (uri.startsWith('file:')) {
    let p = uri.slice(5);
    if (p.startsWith('//')) {
      p = p.slice(2);
      const slash = p.indexOf('/');
      if (slash < 0) return undefined;
      p = p.slice(slash);
    }
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  }
  if (uri.startsWith('/')) return uri;
  return undefined;
}

/**
 * A file-merging segment (stream handle type 15): `length` bytes at `start` of a merged physical file.
 * Offsets are relative to the segment, as Flink's segment input stream seeks them.
 */
export class SegmentSource implements DataSource {
  private readonly inner: FileSource;
  constructor(
    readonly file: string,
    readonly base: number,
    private readonly length: number,
  ) {
    this.inner = new FileSource(file);
  }

  async size(): Promise<number> {
    const fileSize = await this.inner.size();
    if (this.base + this.length > fileSize) {
      throw new SavepointFormatError(this.file, this.base, `a segment of ${this.length} bytes inside the file`, `a file of ${fileSize} bytes`);
    }
    return this.length;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const s = Math.max(0, Math.min(offset, this.length));
    const n = Math.max(0, Math.min(length, this.length - s));
    return this.inner.read(this.base + s, n);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
