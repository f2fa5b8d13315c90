/**
 * Raw, key-group-granular access to one keyed state of one operator (no vscode import).
 *
 * The public reader (engine/savepoint/index.ts) streams decoded entries, but an editor needs the
 * raw composite keys (to address an entry for an edit) and wants to decode only the rows it shows.
 * This module opens the operator's keyed handles with the reader's raw key-group access
 * (openRawKeyedHandle) and offers: the sorted list of non-empty key groups, the raw entries of the
 * state in one key group (parsed, not decoded), and decoding of single entries.
 */
import * as path from 'node:path';
import { findOperator, openRawKeyedHandle, RawKeyedHandle, Savepoint, SavepointFormatError } from '../../engine/savepoint/index';
import { DataSource } from '../../engine/savepoint/files';
import { isHeapKeyGroups } from '../../engine/savepoint/heap';
import { compareBytes } from '../../engine/savepoint/io';
import { DecodedEntry, KeyedHeader, KeyedStateDecoder, RawEntry } from '../../engine/savepoint/keyed';
import { KeyGroupsHandle, OperatorEntry } from '../../engine/savepoint/metadata';
import { StateTypes } from '../../engine/savepoint/statemeta';

export interface KeyedPart {
  subtask: number;
  handle: KeyGroupsHandle;
  src: DataSource;
  header: KeyedHeader;
  /** index of the state in this part's header, -1 when this subtask does not declare it */
  stateId: number;
  decoder?: KeyedStateDecoder;
  /** the reader's raw key-group access to this part's handle */
  reader: RawKeyedHandle;
}

export interface GroupRef {
  kg: number;
  part: KeyedPart;
  offset: number;
}

const KEYED_HANDLE_NAMES: Record<number, string> = {
  // a full RocksDB checkpoint's key groups (the hashmap backend's layout is read: engine/savepoint/heap.ts)
  3: 'checkpoint key-group state',
  12: 'checkpoint key-group state',
  5: 'incremental RocksDB (native) state',
  11: 'incremental RocksDB (native) state',
  8: 'changelog state',
  9: 'changelog state',
  10: 'changelog state',
  13: 'changelog state',
  14: 'changelog state',
};

/** Why the keyed state of an operator cannot be read by the editors, or undefined. */
export function unreadableKeyedReason(op: OperatorEntry): string | undefined {
  for (const st of op.subtasks) {
    const h = st.managedKeyed;
    if (h && h.type !== 7 && !isHeapKeyGroups(h)) {
      return `subtask ${st.index} holds ${KEYED_HANDLE_NAMES[h.type] ?? `keyed handle type ${h.type}`}, which cannot be read entry by entry (take a canonical savepoint)`;
    }
  }
  return undefined;
}

/** One keyed state of one operator, key group by key group. */
export class KeyedStateAccess {
  /** non-empty key groups holding data of any state of the operator, ascending */
  readonly groups: GroupRef[];
  private readonly cache = new Map<number, RawEntry[]>();
  private static readonly CACHE_GROUPS = 32;
  /** decode calls so far (tests and the benchmark check that only shown rows are decoded) */
  decodeCount = 0;
  /** key-group sections parsed so far */
  sectionReads = 0;

  private constructor(
    readonly sp: Savepoint,
    readonly op: OperatorEntry,
    readonly state: string,
    readonly types: StateTypes,
    readonly parts: KeyedPart[],
  ) {
    const groups: GroupRef[] = [];
    for (const p of parts) {
      if (p.stateId < 0) continue;
      const h = p.handle;
      for (let i = 0; i < h.offsets.length; i++) if (h.offsets[i] !== 0) groups.push({ kg: h.start + i, part: p, offset: h.offsets[i] });
    }
    groups.sort((a, b) => a.kg - b.kg || a.part.subtask - b.part.subtask);
    this.groups = groups;
  }

  get maxParallelism(): number {
    return this.op.maxParallelism;
  }

  /** Opens the keyed handles of `opId` and finds `state` in them; undefined when no keyed handle declares it. */
  static async open(sp: Savepoint, opId: string, state: string): Promise<KeyedStateAccess | undefined> {
    const op = findOperator(sp, opId);
    if (!op) throw new Error(`no operator ${opId} in ${sp.metadataPath}`);
    const parts: KeyedPart[] = [];
    let types: StateTypes | undefined;
    try {
      for (const st of [...op.subtasks].sort((a, b) => a.index - b.index)) {
        const h = st.managedKeyed;
        if (!h || (h.type !== 7 && h.type !== 3 && h.type !== 12)) continue;
        const reader = await openRawKeyedHandle(sp, op, st.index, h);
        const header = reader.header;
        const stateId = header.types.findIndex((t) => t.name === state);
        let decoder: KeyedStateDecoder | undefined;
        if (stateId >= 0) {
          types ??= header.types[stateId];
          try {
            decoder = new KeyedStateDecoder(header.types[stateId], op.maxParallelism);
          } catch (e) {
            if (!(e instanceof SavepointFormatError)) throw e;
          }
        }
        parts.push({ subtask: st.index, handle: h, src: reader.src, header, stateId, decoder, reader });
      }
    } catch (e) {
      for (const p of parts) await p.reader.close();
      throw e;
    }
    if (!types) {
      for (const p of parts) await p.reader.close();
      return undefined;
    }
    return new KeyedStateAccess(sp, op, state, types, parts);
  }

  /** Index of the first group with key group ≥ kg (groups.length when none). */
  indexOf(kg: number): number {
    let lo = 0;
    let hi = this.groups.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.groups[mid].kg < kg) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The part whose key-group range holds kg (for entries added to an empty key group). */
  partFor(kg: number): KeyedPart | undefined {
    return this.parts.find((p) => kg >= p.handle.start && kg < p.handle.start + p.handle.offsets.length);
  }

  /** Raw entries of this state in group `i` (sorted by composite key bytes); parsed, not decoded. `cache: false` for one-off scans (counting). */
  async raw(i: number, cache = true): Promise<RawEntry[]> {
    const hit = this.cache.get(i);
    if (hit) {
      this.cache.delete(i);
      this.cache.set(i, hit);
      return hit;
    }
    const g = this.groups[i];
    const p = g.part;
    const all = await p.reader.readKeyGroup(g.kg, g.offset);
    this.sectionReads++;
    const mine = all.filter((e) => e.stateId === p.stateId).sort((a, b) => compareBytes(a.key, b.key));
    if (!cache) return mine;
    this.cache.set(i, mine);
    if (this.cache.size > KeyedStateAccess.CACHE_GROUPS) this.cache.delete(this.cache.keys().next().value as number);
    return mine;
  }

  decode(part: KeyedPart, e: RawEntry, kg: number): DecodedEntry {
    if (!part.decoder) throw new SavepointFormatError(part.src.file, e.keyAt, `a decodable state ${this.state}`);
    this.decodeCount++;
    return part.decoder.decode(e, part.src.file, kg);
  }

  async close(): Promise<void> {
    this.cache.clear();
    for (const p of this.parts) await p.reader.close();
  }
}

export interface StateSize {
  bytes: number;
  count?: number;
}

/**
 * Bytes (and entry counts) per state of one operator. Keyed states are measured by parsing the
 * key-group sections (no value decoding) when the operator's keyed data is at most `budgetBytes`;
 * operator states from their element offsets. Unmeasured states are left out.
 */
export async function stateSizes(sp: Savepoint, opId: string, budgetBytes = 64 * 1024 * 1024): Promise<Map<string, StateSize>> {
  const op = findOperator(sp, opId);
  const out = new Map<string, StateSize>();
  if (!op) return out;
  const add = (name: string, bytes: number, count?: number) => {
    const s = out.get(name) ?? { bytes: 0, count: count === undefined ? undefined : 0 };
    s.bytes += bytes;
    if (count !== undefined) s.count = (s.count ?? 0) + count;
    out.set(name, s);
  };
  let keyedBytes = 0;
  for (const st of op.subtasks) keyedBytes += st.managedKeyed?.size ?? 0;
  if (keyedBytes <= budgetBytes && !unreadableKeyedReason(op)) {
    for (const st of op.subtasks) {
      const h = st.managedKeyed;
      if (!h || (h.type !== 7 && h.type !== 3 && h.type !== 12)) continue;
      const reader = await openRawKeyedHandle(sp, op, st.index, h);
      try {
        const seen = new Set<number>();
        for (let i = 0; i < h.offsets.length; i++) {
          const o = h.offsets[i];
          if (o <= 0 || seen.has(o)) continue;
          seen.add(o);
          for (const e of await reader.readKeyGroup(h.start + i, o)) add(reader.header.types[e.stateId].name, e.key.length + e.value.length + 8, 1);
        }
      } finally {
        await reader.close();
      }
    }
  }
  for (const st of op.subtasks) {
    const h = st.managedOperator;
    if (!h) continue;
    const all = [...new Set(h.states.flatMap((s) => s.offsets))].sort((a, b) => a - b);
    const total = h.data && 'size' in h.data ? h.data.size : 0;
    for (const s of h.states) {
      let bytes = 0;
      for (const o of s.offsets) {
        const next = all.find((x) => x > o) ?? total;
        bytes += Math.max(0, next - o);
      }
      add(s.name, bytes, s.mode === 2 ? undefined : s.offsets.length);
    }
  }
  return out;
}

export function displayPath(p: string): string {
  return path.basename(path.dirname(p)) + path.sep + path.basename(p);
}
