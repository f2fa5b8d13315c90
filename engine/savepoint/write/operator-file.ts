/**
 * Operator state files (savepoint-format.md §6): the operator backend serialization proxy (v5, or v6
 * with the compression flag), list/union elements back to back with one offset per element, and
 * broadcast maps (entry count + key/value pairs) with one offset per map.
 */
import { ByteReader } from '../io';
import { ByteWriter } from '../writer-io';
import { readStateMetaInfo, StateMetaInfo } from '../statemeta';
import { SerializerSnapshot } from '../serializers';
import { snappyFramedDecode } from '../snappy';
import { writeStateMetaInfo } from './keyed-file';

export const MODE_SPLIT = 0;
export const MODE_UNION = 1;
export const MODE_BROADCAST = 2;
export const MODE_NAMES = ['SPLIT_DISTRIBUTE', 'UNION', 'BROADCAST'] as const;

export function operatorStateMeta(name: string, mode: 0 | 1, elementSerializer: SerializerSnapshot): StateMetaInfo {
  return {
    name,
    backend: 'OPERATOR',
    options: new Map([['OPERATOR_STATE_DISTRIBUTION_MODE', MODE_NAMES[mode]]]),
    serializers: new Map([['VALUE_SERIALIZER', elementSerializer]]),
  };
}

export function broadcastStateMeta(name: string, keySerializer: SerializerSnapshot, valueSerializer: SerializerSnapshot): StateMetaInfo {
  return {
    name,
    backend: 'BROADCAST',
    options: new Map([['OPERATOR_STATE_DISTRIBUTION_MODE', 'BROADCAST']]),
    serializers: new Map([
      ['VALUE_SERIALIZER', valueSerializer],
      ['KEY_SERIALIZER', keySerializer],
    ]),
  };
}

export interface ListStateData {
  meta: StateMetaInfo;
  /** Encoded elements. */
  elements: Uint8Array[];
}

export interface BroadcastStateData {
  meta: StateMetaInfo;
  /** Encoded [key, value] pairs. */
  entries: [Uint8Array, Uint8Array][];
  /** The map bytes as stored (entry count + pairs), written verbatim instead of `entries`. */
  raw?: Uint8Array;
}

export interface HandleStateMeta {
  name: string;
  mode: number;
  offsets: number[];
}

export function operatorHeaderBytes(version: 5 | 6, lists: StateMetaInfo[], broadcasts: StateMetaInfo[]): Uint8Array {
  const w = new ByteWriter(1024);
  w.i32(version);
  if (version >= 6) w.bool(false);
  w.i16(lists.length);
  for (const m of lists) writeStateMetaInfo(w, m);
  w.i16(broadcasts.length);
  for (const m of broadcasts) writeStateMetaInfo(w, m);
  return w.toBytes();
}

/** Header + data; the handle's per-state offsets in meta-info order (lists first, then broadcast). */
export function encodeOperatorFile(
  version: 5 | 6,
  lists: ListStateData[],
  broadcasts: BroadcastStateData[],
  header?: Uint8Array,
): { chunks: Uint8Array[]; size: number; states: HandleStateMeta[] } {
  const head = header ?? operatorHeaderBytes(version, lists.map((l) => l.meta), broadcasts.map((b) => b.meta));
  const chunks: Uint8Array[] = [head];
  let size = head.length;
  const states: HandleStateMeta[] = [];
  for (const l of lists) {
    const offsets: number[] = [];
    for (const e of l.elements) {
      offsets.push(size);
      chunks.push(e);
      size += e.length;
    }
    const mode = l.meta.options.get('OPERATOR_STATE_DISTRIBUTION_MODE') === 'UNION' ? MODE_UNION : MODE_SPLIT;
    states.push({ name: l.meta.name, mode, offsets });
  }
  for (const b of broadcasts) {
    let bytes = b.raw;
    if (!bytes) {
      const w = new ByteWriter(64);
      w.i32(b.entries.length);
      for (const [k, v] of b.entries) {
        w.bytes(k);
        w.bytes(v);
      }
      bytes = w.toBytes();
    }
    states.push({ name: b.meta.name, mode: MODE_BROADCAST, offsets: [size] });
    chunks.push(bytes);
    size += bytes.length;
  }
  return { chunks, size, states };
}

export interface ParsedOperatorFile {
  version: number;
  compressed: boolean;
  header: Uint8Array;
  lists: StateMetaInfo[];
  broadcasts: StateMetaInfo[];
  /** Per handle state: the element byte strings (list/union) or the map bytes after the count plus the count (broadcast). */
  data: Map<string, { mode: number; elements: Uint8Array[] }>;
}

/**
 * Splits an operator state file by the handle's offsets. Elements end where the next recorded
 * offset (of any state) begins, or at the end of the file. Compressed elements are decompressed.
 */
export function parseOperatorFile(buf: Uint8Array, file: string, handleStates: HandleStateMeta[]): ParsedOperatorFile {
  const r = new ByteReader(buf, file);
  const version = r.i32('the operator backend proxy version');
  if (version !== 5 && version !== 6) r.fail('operator backend proxy version 5 or 6', String(version), 0);
  const compressed = version >= 6 ? r.bool('the compression flag') : false;
  const lists: StateMetaInfo[] = [];
  const n = r.i16('the operator state count');
  for (let i = 0; i < n; i++) lists.push(readStateMetaInfo(r));
  const broadcasts: StateMetaInfo[] = [];
  const nb = r.i16('the broadcast state count');
  for (let i = 0; i < nb; i++) broadcasts.push(readStateMetaInfo(r));
  const header = buf.subarray(0, r.pos);
  const all = [...new Set(handleStates.flatMap((s) => s.offsets))].sort((a, b) => a - b);
  const endOf = (off: number) => all.find((p) => p > off) ?? buf.length;
  const data = new Map<string, { mode: number; elements: Uint8Array[] }>();
  for (const s of handleStates) {
    const elements = s.offsets.map((off) => {
      const end = endOf(off);
      return compressed ? snappyFramedDecode(buf, file, 0, off, end) : buf.subarray(off, end);
    });
    data.set(s.name, { mode: s.mode, elements });
  }
  return { version, compressed, header, lists, broadcasts, data };
}
