/**
 * Canonical keyed-state files (savepoint-format.md §5, handle type 7): header (keyed backend
 * serialization proxy v6), key-group sections with state runs, the meta-data-follows flag on the
 * last entry of each run, 0xFFFF after each key group, and the offsets per key group (0 = empty).
 * Also the raw reverse: a keyed file split back into header bytes and entries, for edits and for
 * re-encoding Flink's own files.
 */
import { ByteReader } from '../io';
import { ByteWriter } from '../writer-io';
import { readFramedSnapshot, SerializerSnapshot } from '../serializers';
import { BACKEND_TYPES, readStateMetaInfo, StateMetaInfo } from '../statemeta';
import { snappyFramedDecode } from '../snappy';
import { writeFramedSnapshot } from './snapshots';

export const KEYED_PROXY_VERSION = 6;
export const END_OF_KEY_GROUP = 0xffff;
const FLAG = 0x80;

export function writeStateMetaInfo(w: ByteWriter, m: StateMetaInfo): void {
  w.utf(m.name);
  w.i32(BACKEND_TYPES.indexOf(m.backend));
  w.i32(m.options.size);
  for (const [k, v] of m.options) {
    w.utf(k);
    w.utf(v);
  }
  w.i32(m.serializers.size);
  for (const [k, s] of m.serializers) {
    w.utf(k);
    writeFramedSnapshot(w, s);
  }
}

export function keyedHeaderBytes(keySerializer: SerializerSnapshot, states: StateMetaInfo[], compressed = false): Uint8Array {
  if (states.length > 32767) throw new Error(`too many states (${states.length})`);
  const w = new ByteWriter(1024);
  w.i32(KEYED_PROXY_VERSION);
  w.bool(compressed);
  writeFramedSnapshot(w, keySerializer);
  w.i16(states.length);
  for (const s of states) writeStateMetaInfo(w, s);
  return w.toBytes();
}

/** A keyed state's meta info as Flink's RegisteredKeyValueStateBackendMetaInfo snapshots it. */
export function keyedStateMeta(name: string, kind: string, valueSerializer: SerializerSnapshot, namespaceSerializer: SerializerSnapshot): StateMetaInfo {
  return {
    name,
    backend: 'KEY_VALUE',
    options: new Map([['KEYED_STATE_TYPE', kind]]),
    // HashMap iteration order of the two keys, as every Flink-written file has it
    serializers: new Map([
      ['VALUE_SERIALIZER', valueSerializer],
      ['NAMESPACE_SERIALIZER', namespaceSerializer],
    ]),
  };
}

/** One entry: the composite key (flag bit clear) and the value bytes. */
export interface KvEntry {
  key: Uint8Array;
  value: Uint8Array;
}

/**
 * Entries per key group, per state id, per composite key. Insertion order is kept (so Flink's
 * own files re-encode in their order); `sorted` output orders states by id and keys by bytes,
 * as RocksDB writes them.
 */
export class KeyGroupTable {
  readonly groups = new Map<number, Map<number, Map<string, KvEntry>>>();

  run(kg: number, stateId: number): Map<string, KvEntry> {
    let g = this.groups.get(kg);
    if (!g) {
      g = new Map();
      this.groups.set(kg, g);
    }
    let r = g.get(stateId);
    if (!r) {
      r = new Map();
      g.set(stateId, r);
    }
    return r;
  }

  put(kg: number, stateId: number, key: Uint8Array, value: Uint8Array): void {
    this.run(kg, stateId).set(keyString(key), { key, value });
  }

  get(kg: number, stateId: number, key: Uint8Array): KvEntry | undefined {
    return this.groups.get(kg)?.get(stateId)?.get(keyString(key));
  }

  delete(kg: number, stateId: number, key: Uint8Array): boolean {
    const r = this.groups.get(kg)?.get(stateId);
    return !!r && r.delete(keyString(key));
  }

  /** Deletes every entry of the state whose key starts with `prefix` (map state: all user keys of one key). */
  deletePrefix(kg: number, stateId: number, prefix: Uint8Array): number {
    const r = this.groups.get(kg)?.get(stateId);
    if (!r) return 0;
    let n = 0;
    for (const [k, e] of r) {
      if (startsWith(e.key, prefix)) {
        r.delete(k);
        n++;
      }
    }
    return n;
  }

  entriesWithPrefix(kg: number, stateId: number, prefix: Uint8Array): KvEntry[] {
    const r = this.groups.get(kg)?.get(stateId);
    return r ? [...r.values()].filter((e) => startsWith(e.key, prefix)) : [];
  }

  count(): number {
    let n = 0;
    for (const g of this.groups.values()) for (const r of g.values()) n += r.size;
    return n;
  }
}

export function keyString(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

function startsWith(b: Uint8Array, p: Uint8Array): boolean {
  if (b.length < p.length) return false;
  for (let i = 0; i < p.length; i++) if (b[i] !== p[i]) return false;
  return true;
}

function compareBuf(a: KvEntry, b: KvEntry): number {
  return Buffer.compare(Buffer.from(a.key.buffer, a.key.byteOffset, a.key.byteLength), Buffer.from(b.key.buffer, b.key.byteOffset, b.key.byteLength));
}

export interface EncodedFile {
  chunks: Uint8Array[];
  size: number;
}

export interface EncodedKeyedFile extends EncodedFile {
  /** One offset per key group of [start, end]; 0 = no data. */
  offsets: number[];
}

/** Writes header + key-group sections for key groups start..end. */
export function encodeKeyedFile(header: Uint8Array, start: number, end: number, table: KeyGroupTable, sorted: boolean): EncodedKeyedFile {
  const chunks: Uint8Array[] = [header];
  let size = header.length;
  const offsets: number[] = [];
  for (let kg = start; kg <= end; kg++) {
    const g = table.groups.get(kg);
    const runs = g ? [...g.entries()].filter(([, r]) => r.size > 0) : [];
    if (runs.length === 0) {
      offsets.push(0);
      continue;
    }
    if (sorted) runs.sort((a, b) => a[0] - b[0]);
    offsets.push(size);
    let total = 2;
    const lists: KvEntry[][] = [];
    for (const [, r] of runs) {
      const list = [...r.values()];
      if (sorted) list.sort(compareBuf);
      lists.push(list);
      total += 2;
      for (const e of list) total += 8 + e.key.length + e.value.length;
    }
    const out = new Uint8Array(total);
    const view = new DataView(out.buffer);
    let p = 0;
    for (let i = 0; i < runs.length; i++) {
      view.setUint16(p, runs[i][0]);
      p += 2;
      const list = lists[i];
      for (let j = 0; j < list.length; j++) {
        const e = list[j];
        view.setInt32(p, e.key.length);
        p += 4;
        out.set(e.key, p);
        if (j === list.length - 1) out[p] |= FLAG;
        p += e.key.length;
        view.setInt32(p, e.value.length);
        p += 4;
        out.set(e.value, p);
        p += e.value.length;
      }
    }
    view.setUint16(p, END_OF_KEY_GROUP);
    p += 2;
    chunks.push(out);
    size += out.length;
  }
  return { chunks, size, offsets };
}

export interface ParsedKeyedFile {
  /** Header bytes as stored (compression flag as stored). */
  header: Uint8Array;
  compressed: boolean;
  keySerializer: SerializerSnapshot;
  states: StateMetaInfo[];
  table: KeyGroupTable;
  start: number;
  end: number;
}

/** Splits a canonical keyed file into its header and entries (any compression). */
export function parseKeyedFile(buf: Uint8Array, file: string, start: number, offsets: number[]): ParsedKeyedFile {
  const r = new ByteReader(buf, file);
  const vAt = r.offset;
  const version = r.i32('the keyed backend proxy version');
  if (version !== KEYED_PROXY_VERSION) r.fail('keyed backend proxy version 6', String(version), vAt);
  const compressed = r.bool('the compression flag');
  const keySerializer = readFramedSnapshot(r);
  const n = r.i16('the state count');
  const states: StateMetaInfo[] = [];
  for (let i = 0; i < n; i++) states.push(readStateMetaInfo(r));
  const header = buf.subarray(0, r.pos);
  const table = new KeyGroupTable();
  const positions = offsets.filter((o) => o > 0).sort((a, b) => a - b);
  for (let i = 0; i < offsets.length; i++) {
    const off = offsets[i];
    if (off <= 0) continue;
    const kg = start + i;
    let sr: ByteReader;
    if (compressed) {
      const next = positions.find((p) => p > off) ?? buf.length;
      sr = new ByteReader(snappyFramedDecode(buf, file, 0, off, next), file, off);
    } else {
      sr = new ByteReader(buf, file, 0, off);
    }
    let state = sr.u16('a state id');
    for (;;) {
      const key = sr.lenBytes('a composite key').slice();
      const value = sr.lenBytes('a value').slice();
      const last = (key[0] & FLAG) !== 0;
      key[0] &= ~FLAG;
      if (state >= states.length) sr.fail(`a state id below ${states.length}`, String(state));
      table.run(kg, state).set(keyString(key), { key, value });
      if (last) {
        const nxt = sr.u16('the next state id or 0xFFFF');
        if (nxt === END_OF_KEY_GROUP) break;
        state = nxt;
      }
    }
  }
  return { header, compressed, keySerializer, states, table, start, end: start + offsets.length - 1 };
}

/** The header with its compression flag cleared (we write sections uncompressed). */
export function uncompressedHeader(header: Uint8Array): Uint8Array {
  const h = header.slice();
  h[4] = 0;
  return h;
}
