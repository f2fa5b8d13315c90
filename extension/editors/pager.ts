/**
 * Paging over key groups (no vscode import). A page starts at a cursor {kg, skip}: the first
 * non-empty key group ≥ kg, after `skip` items of that key group. Reading a page loads key groups
 * one at a time (raw, undecoded items) until the page is full and returns the cursor of the next
 * page, so a state of millions of entries is never loaded as a whole: memory and time are bounded by
 * the page and the key groups it spans. Cursors are plain data, so the editor keeps one per page
 * (a history stack for "previous") and can seek anywhere by key group.
 */
import type { Cursor } from '../../webview/protocol';

export type { Cursor };

export interface PagerSource<T> {
  /** number of non-empty key groups */
  readonly groupCount: number;
  /** key group of group index i (ascending in i) */
  kgAt(i: number): number;
  /** first group index with key group ≥ kg (groupCount when none) */
  indexOf(kg: number): number;
  /** the items of group i in display order (undecoded) */
  items(i: number): Promise<T[]>;
}

export interface PageItem<T> {
  kg: number;
  group: number;
  item: T;
}

export interface PageResult<T> {
  items: PageItem<T>[];
  start: Cursor;
  next?: Cursor;
  /** items examined (matched or not) */
  scanned: number;
  /** stopped at the scan budget before the page was full (filtered pages only) */
  partial: boolean;
  /** key group of the last group looked at */
  reachedKeyGroup?: number;
}

export interface PageOptions<T> {
  /** keep only items for which this returns true (may decode) */
  match?: (item: T, kg: number) => boolean;
  /** with `match`: stop after examining this many items (the page comes back partial) */
  maxScan?: number;
  /** with `match`: stop after this many milliseconds */
  maxMs?: number;
}

export const FIRST: Cursor = Object.freeze({ kg: 0, skip: 0 });

/** Reads one page of at most `size` items from `cursor`. */
export async function readPage<T>(src: PagerSource<T>, cursor: Cursor, size: number, opts: PageOptions<T> = {}): Promise<PageResult<T>> {
  if (!(size > 0)) throw new Error('page size must be positive');
  const out: PageItem<T>[] = [];
  const t0 = Date.now();
  let scanned = 0;
  let g = src.indexOf(cursor.kg);
  // the cursor's key group may have emptied (edits): skip applies only to the key group it names
  let skip = g < src.groupCount && src.kgAt(g) === cursor.kg ? cursor.skip : 0;
  let reached: number | undefined;
  const start: Cursor = { kg: cursor.kg, skip: cursor.skip };
  for (; g < src.groupCount; g++, skip = 0) {
    const kg = src.kgAt(g);
    reached = kg;
    const items = await src.items(g);
    for (let j = skip; j < items.length; j++) {
      if (out.length >= size) return { items: out, start, next: { kg, skip: j }, scanned, partial: false, reachedKeyGroup: reached };
      if (opts.match) {
        scanned++;
        if (!opts.match(items[j], kg)) {
          if ((opts.maxScan !== undefined && scanned >= opts.maxScan) || (opts.maxMs !== undefined && Date.now() - t0 > opts.maxMs)) {
            return { items: out, start, next: { kg, skip: j + 1 }, scanned, partial: true, reachedKeyGroup: reached };
          }
          continue;
        }
      } else scanned++;
      out.push({ kg, group: g, item: items[j] });
    }
    if (opts.match && ((opts.maxScan !== undefined && scanned >= opts.maxScan) || (opts.maxMs !== undefined && Date.now() - t0 > opts.maxMs)) && g + 1 < src.groupCount) {
      return { items: out, start, next: { kg: src.kgAt(g + 1), skip: 0 }, scanned, partial: out.length < size, reachedKeyGroup: reached };
    }
  }
  return { items: out, start, scanned, partial: false, reachedKeyGroup: reached };
}

/** The cursor of the first page at or after key group `kg`. */
export function seek(kg: number): Cursor {
  return { kg: Math.max(0, Math.floor(kg)), skip: 0 };
}

/** Counts all items (loads every key group once, without decoding), yielding to the event loop between key groups. */
export async function countAll<T>(src: PagerSource<T>, cancelled: () => boolean = () => false, onProgress?: (n: number, groups: number) => void): Promise<number | undefined> {
  let n = 0;
  for (let g = 0; g < src.groupCount; g++) {
    if (cancelled()) return undefined;
    n += (await src.items(g)).length;
    if (g % 16 === 15) onProgress?.(n, g + 1);
    await new Promise((r) => setImmediate(r));
  }
  return n;
}
