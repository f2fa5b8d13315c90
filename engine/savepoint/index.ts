/**
 * The public savepoint API used by the extension, the `fsp` CLI and the editors.
 *
 *   openSavepoint(path)                       → Savepoint (operators from `_metadata`)
 *   listStates(sp, opId)                      → StateInfo[] (reads backend headers only)
 *   entries(sp, opId, {state, from/toKeyGroup}) → AsyncIterable<Entry>, one key group at a time
 *   lookup(sp, opId, state, key)              → the entries of one key (reads one key group)
 *   describeHandles(sp, opId)                 → HandleInfo[] (types, sizes, locations, why not decoded)
 *   dumpLines(sp, opts)                       → AsyncIterable<string>, exactly docs/dump-format.md
 *   dumpBatches(sp, opts) / dumpChunks(…)     → the same in batches / as UTF-8 chunks (the CLI's path)
 *
 * Memory stays bounded: the dump holds at most two key groups (the next one is read while the
 * current one is decoded) and their output.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Limits, SavepointFormatError } from './errors';
import { ByteReader, ByteSink, compareBytes } from './io';
import { BytesSource, DataSource, FileSource, readAll, SegmentSource } from './files';
import { KeyedHandle, KeyGroupsHandle, Metadata, OperatorEntry, OperatorHandle, parseMetadata, StreamHandle } from './metadata';
import { codecOf, DecodedEntry, KeyedHeader, KeyedStateDecoder, parseSection, parseSectionIndex, rawEntryAt, readKeyedHeader, RawEntry, SectionIndex } from './keyed';
import { encodeWith, Value } from './values';
import { OperatorHeader, readBroadcastMap, readOperatorHeader, renderListElement, sliceRange } from './operator';
import { stateLineFields, StateTypes } from './statemeta';
import { SerializerSnapshot, typeString } from './serializers';
import { rowKey } from './rowdata';
import { javaHashCode, keyGroupForHash, keyGroupPrefixBytes, KeyType, operatorIdFromUid } from './murmur';
import { formatDouble, formatFloat } from './json';

import { heapKeyGroupIndex, isHeapKeyGroups } from './heap';
export { SavepointFormatError } from './errors';
export { operatorIdFromUid, keyGroupForHash, javaHashCode, keyGroupRange } from './murmur';

export interface OperatorInfo {
  id: string;
  uid?: string;
  name?: string;
  parallelism: number;
  maxParallelism: number;
  finished: boolean;
  subtaskCount: number;
  coordinatorBytes?: number;
  size: number;
}

export interface Savepoint {
  dir: string;
  metadataPath: string;
  version: number;
  checkpointId: bigint;
  format?: string;
  snapshotType?: string;
  operators: OperatorInfo[];
  totalSize: number;
  /** The parsed `_metadata` (handles etc.). */
  metadata: Metadata;
}

export interface StateInfo {
  name: string;
  backend: string;
  kind: string;
  keyType?: string;
  namespaceType?: string;
  userKeyType?: string;
  valueType?: string;
  size?: number;
}

/** A keyed entry or an operator-state element; JSON members are rendered JSON text (dump §3). */
export interface Entry {
  type: 'entry' | 'element';
  operator: string;
  state: string;
  subtask: number;
  keyGroup?: number;
  index?: number;
  key?: string;
  namespace?: string;
  userKey?: string;
  value?: string;
  timestamp?: string;
  /** The dump line for this entry (without the trailing newline). */
  line: string;
}

// ---------------------------------------------------------------------------------------------
// opening

export async function openSavepoint(p: string): Promise<Savepoint> {
  let metadataPath = p;
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(p);
  } catch (e) {
    throw new SavepointFormatError(p, 0, 'a savepoint directory or _metadata file', (e as NodeJS.ErrnoException).code ?? String(e));
  }
  if (st.isDirectory()) metadataPath = path.join(p, '_metadata');
  const src = new FileSource(metadataPath);
  let buf: Uint8Array;
  try {
    buf = (await readAll(src, Limits.maxBytes)).buf;
  } finally {
    await src.close();
  }
  const md = parseMetadata(buf, metadataPath);
  const operators = md.operators.map(operatorInfo).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    dir: md.dir,
    metadataPath,
    version: md.version,
    checkpointId: md.checkpointId,
    format: md.format,
    snapshotType: md.snapshotType,
    operators,
    totalSize: operators.reduce((s, o) => s + o.size, 0),
    metadata: md,
  };
}

function operatorInfo(op: OperatorEntry): OperatorInfo {
  let size = op.coordinator?.size ?? 0;
  for (const s of op.subtasks) {
    size += (s.managedKeyed?.size ?? 0) + (s.rawKeyed?.size ?? 0) + (s.managedOperator?.size ?? 0) + (s.rawOperator?.size ?? 0) + s.channelStateSize;
  }
  const info: OperatorInfo = {
    id: op.id,
    parallelism: op.parallelism,
    maxParallelism: op.maxParallelism,
    finished: op.finished,
    subtaskCount: op.subtasks.length,
    size,
  };
  if (op.uid) info.uid = op.uid;
  if (op.name) info.name = op.name;
  if (op.coordinator) info.coordinatorBytes = op.coordinator.size;
  return info;
}

/** Finds an operator by id (32 hex digits), uid, or the id derived from a uid. */
export function findOperator(sp: Savepoint, idOrUid: string): OperatorEntry | undefined {
  const ops = sp.metadata.operators;
  const lower = idOrUid.toLowerCase();
  return (
    ops.find((o) => o.id === lower) ??
    ops.find((o) => o.uid === idOrUid) ??
    ops.find((o) => o.id === operatorIdFromUid(idOrUid))
  );
}

function requireOperator(sp: Savepoint, opId: string): OperatorEntry {
  const op = findOperator(sp, opId);
  if (!op) throw new Error(`no operator ${opId} in ${sp.metadataPath}`);
  return op;
}

// ---------------------------------------------------------------------------------------------
// sources and headers

function sourceFor(h: StreamHandle | null, md: Metadata): DataSource {
  if (!h) throw new SavepointFormatError(md.file, 0, 'a state handle with data', 'a null handle');
  switch (h.type) {
    case 1:
      return new BytesSource(h.data, md.file, h.dataOffset);
    case 6:
      return new FileSource(h.path);
    case 2:
      if (!h.path) throw new SavepointFormatError(md.file, 0, 'a local file path', h.uri);
      return new FileSource(h.path);
    case 15:
      // a segment of a file-merging checkpoint's merged file
      if (!h.path) throw new SavepointFormatError(md.file, 0, 'a local file path', h.physical);
      return new SegmentSource(h.path, h.startPos, h.size);
    default:
      throw new SavepointFormatError(md.file, 0, 'a file or inline state handle', `handle type ${h.type}`);
  }
}

async function readHeaderBytes(src: DataSource, offsets: number[]): Promise<ByteReader> {
  const size = await src.size();
  let end = size;
  for (const o of offsets) if (o > 0 && o < end) end = o;
  if (end > Limits.maxBytes) throw new SavepointFormatError(src.file, src.base, `a header of at most ${Limits.maxBytes} bytes`, `${end}`);
  const data = await src.read(0, end);
  return new ByteReader(data, src.file, src.base);
}

interface KeyedPart {
  subtask: number;
  maxParallelism: number;
  handle: KeyGroupsHandle;
  src: DataSource;
  header: KeyedHeader;
  decoders: (KeyedStateDecoder | undefined)[];
  /** per state id: the dump line up to `"keyGroup":` (built on first use) */
  lineHeads?: string[];
  lineHeadBytes?: Uint8Array[];
  sortedOffsets: number[];
  size: number;
  /** a hashmap backend checkpoint's handle (type 3/12): key groups in the heap layout (heap.ts) */
  heap: boolean;
}

interface OperatorPart {
  subtask: number;
  handle: OperatorHandle;
  src: DataSource;
  header: OperatorHeader;
}

interface HandleError {
  subtask: number;
  slot: 'managedKeyed' | 'managedOperator';
  /** start key group (keyed handles), for ordering the error line like the entries */
  start: number;
  message: string;
  error: SavepointFormatError;
}

interface OpenOperator {
  op: OperatorEntry;
  keyed: KeyedPart[];
  operator: OperatorPart[];
  errors: HandleError[];
  /** state declarations in declaration order: per subtask (ascending), keyed then operator */
  declarations: StateTypes[];
  close(): Promise<void>;
}

function errorMessage(e: unknown): string {
  if (e instanceof SavepointFormatError) return e.message;
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

async function openOperator(sp: Savepoint, op: OperatorEntry): Promise<OpenOperator> {
  const md = sp.metadata;
  const keyed: KeyedPart[] = [];
  const operator: OperatorPart[] = [];
  const errors: HandleError[] = [];
  const declarations: StateTypes[] = [];
  const sources: DataSource[] = [];
  const subtasks = [...op.subtasks].sort((a, b) => a.index - b.index);
  for (const st of subtasks) {
    const kh = st.managedKeyed;
    if (kh && (kh.type === 7 || isHeapKeyGroups(kh))) {
      try {
        const src = sourceFor(kh.data, md);
        sources.push(src);
        const hr = await readHeaderBytes(src, kh.offsets);
        const header = readKeyedHeader(hr);
        const decoders = header.types.map((t) => {
          try {
            return new KeyedStateDecoder(t, op.maxParallelism);
          } catch (e) {
            if (!(e instanceof SavepointFormatError)) throw e;
            return undefined;
          }
        });
        const size = await src.size();
        const sortedOffsets = [...new Set(kh.offsets.filter((o) => o > 0))].sort((a, b) => a - b);
        keyed.push({ subtask: st.index, maxParallelism: op.maxParallelism, handle: kh, src, header, decoders, sortedOffsets, size, heap: kh.type !== 7 });
        declarations.push(...header.types);
      } catch (e) {
        if (!(e instanceof SavepointFormatError)) throw e;
        errors.push({ subtask: st.index, slot: 'managedKeyed', start: kh.start, message: errorMessage(e), error: e });
      }
    }
    const oh = st.managedOperator;
    // an empty file-merging placeholder holds no operator state
    if (oh && !oh.empty) {
      try {
        const src = sourceFor(oh.data, md);
        sources.push(src);
        const all = oh.states.flatMap((s) => s.offsets);
        const hr = await readHeaderBytes(src, all);
        const header = readOperatorHeader(hr);
        operator.push({ subtask: st.index, handle: oh, src, header });
        declarations.push(...header.types);
      } catch (e) {
        if (!(e instanceof SavepointFormatError)) throw e;
        errors.push({ subtask: st.index, slot: 'managedOperator', start: 0, message: errorMessage(e), error: e });
      }
    }
  }
  return {
    op,
    keyed,
    operator,
    errors,
    declarations,
    async close() {
      for (const s of sources) await s.close().catch(() => undefined);
    },
  };
}

/** Distinct states by name, the first declaration (lowest subtask) winning, sorted by name. */
function collectStates(oo: OpenOperator): StateTypes[] {
  const byName = new Map<string, StateTypes>();
  for (const t of oo.declarations) if (!byName.has(t.name)) byName.set(t.name, t);
  return [...byName.values()].sort((a, b) => cmpStr(a.name, b.name));
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export async function listStates(sp: Savepoint, opId: string): Promise<StateInfo[]> {
  const op = requireOperator(sp, opId);
  const oo = await openOperator(sp, op);
  try {
    if (oo.errors.length) throw oo.errors[0].error;
    return collectStates(oo).map((t) => {
      const s: StateInfo = { name: t.name, backend: t.backend, kind: t.kind };
      if (t.key) s.keyType = typeString(t.key);
      if (t.namespace && t.backend !== 'BROADCAST') s.namespaceType = typeString(t.namespace);
      if (t.userKey) s.userKeyType = typeString(t.userKey);
      if (t.value && t.kind !== 'TIMER') s.valueType = typeString(t.value);
      return s;
    });
  } finally {
    await oo.close();
  }
}

// ---------------------------------------------------------------------------------------------
// keyed entries

function keyedEntryLine(opId: string, state: string, d: DecodedEntry): string {
  let s = `{"type":"entry","operator":"${opId}","state":${JSON.stringify(state)},"keyGroup":${d.keyGroup}`;
  if (d.key !== undefined) s += `,"key":${d.key}`;
  if (d.namespace !== undefined) s += `,"namespace":${d.namespace}`;
  if (d.userKey !== undefined) s += `,"userKey":${d.userKey}`;
  if (d.value !== undefined) s += `,"value":${d.value}`;
  if (d.timestamp !== undefined) s += `,"timestamp":${d.timestamp}`;
  return s + '}';
}

const errorLine = errorLineOf;

function errorLineOf(opId: string, subtask: number, slot: string, message: string): string {
  return `{"type":"error","operator":"${opId}","subtask":${subtask},"slot":"${slot}","message":${JSON.stringify(message)}}`;
}

interface KgItem {
  kg: number;
  part: KeyedPart;
  offset: number;
}

function keyGroupItemsOf(part: KeyedPart, from = 0, to = Number.MAX_SAFE_INTEGER): KgItem[] {
  const items: KgItem[] = [];
  const h = part.handle;
  for (let i = 0; i < h.offsets.length; i++) {
    const kg = h.start + i;
    if (kg < from || kg > to) continue;
    const o = h.offsets[i];
    if (o !== 0) items.push({ kg, part, offset: o });
  }
  return items;
}

async function readKeyGroup(it: KgItem): Promise<RawEntry[]> {
  const p = it.part;
  const idx = p.sortedOffsets.indexOf(it.offset);
  const end = idx >= 0 && idx + 1 < p.sortedOffsets.length ? p.sortedOffsets[idx + 1] : p.size;
  if (it.offset < 0 || it.offset >= p.size) {
    throw new SavepointFormatError(p.src.file, p.src.base + Math.max(0, it.offset), `key group ${it.kg} inside the state data (${p.size} bytes)`, `offset ${it.offset}`);
  }
  if (end - it.offset > Limits.maxBytes) {
    throw new SavepointFormatError(p.src.file, p.src.base + it.offset, `a key group of at most ${Limits.maxBytes} bytes`, `${end - it.offset}`);
  }
  const bytes = await p.src.read(it.offset, end - it.offset);
  if (p.heap) {
    const ix = heapKeyGroupIndex(bytes, p.src.file, p.src.base + it.offset, it.kg, p.header.compressed, p.header.types, p.maxParallelism);
    return Array.from({ length: ix.count }, (_, i) => rawEntryAt(ix, i));
  }
  return parseSection(bytes, p.src.file, p.src.base + it.offset, p.header.compressed, p.header.states.length);
}

/**
 * readKeyGroup as a section index (the dump's hot path). With `state`, only that state's entries are
 * indexed (all are still walked), so filters downstream see no others.
 */
async function readKeyGroupIndex(it: KgItem, state?: string): Promise<SectionIndex> {
  const p = it.part;
  const idx = p.sortedOffsets.indexOf(it.offset);
  const end = idx >= 0 && idx + 1 < p.sortedOffsets.length ? p.sortedOffsets[idx + 1] : p.size;
  if (it.offset < 0 || it.offset >= p.size) {
    throw new SavepointFormatError(p.src.file, p.src.base + Math.max(0, it.offset), `key group ${it.kg} inside the state data (${p.size} bytes)`, `offset ${it.offset}`);
  }
  if (end - it.offset > Limits.maxBytes) {
    throw new SavepointFormatError(p.src.file, p.src.base + it.offset, `a key group of at most ${Limits.maxBytes} bytes`, `${end - it.offset}`);
  }
  const bytes = await p.src.read(it.offset, end - it.offset);
  if (p.heap) return heapKeyGroupIndex(bytes, p.src.file, p.src.base + it.offset, it.kg, p.header.compressed, p.header.types, p.maxParallelism);
  let only: number | undefined;
  if (state !== undefined) {
    only = p.header.types.findIndex((t) => t.name === state);
    // a state this handle does not declare: nothing to index (an id no entry has)
    if (only < 0) only = 0x10000;
  }
  return parseSectionIndex(bytes, p.src.file, p.src.base + it.offset, p.header.compressed, p.header.states.length, only);
}

/** compareBytes of two composite keys of a section (first byte with the meta-data-follows bit masked). */
function compareKeysAt(buf: Uint8Array, a0: number, a1: number, b0: number, b1: number): number {
  const la = a1 - a0;
  const lb = b1 - b0;
  if (la > 0 && lb > 0) {
    const d = (buf[a0] & 0x7f) - (buf[b0] & 0x7f);
    if (d !== 0) return d;
  } else return la - lb;
  const n = Math.min(la, lb);
  for (let i = 1; i < n; i++) {
    const d = buf[a0 + i] - buf[b0 + i];
    if (d !== 0) return d;
  }
  return la - lb;
}

/** dumpOrder over a section index: the order of `kept` (entry numbers) or undefined when already sorted. */
function indexOrder(ix: SectionIndex, kept: number[], types: StateTypes[]): number[] | undefined {
  const m = kept.length;
  const { buf, keyStart: ks, keyEnd: ke, state } = ix;
  let sorted = true;
  for (let i = 1; i < m && sorted; i++) {
    const a = kept[i - 1];
    const b = kept[i];
    const c = state[a] === state[b] ? 0 : cmpStr(types[state[a]].name, types[state[b]].name);
    if (c > 0 || (c === 0 && compareKeysAt(buf, ks[a], ke[a], ks[b], ke[b]) > 0)) sorted = false;
  }
  if (sorted) return undefined;
  const byState = new Map<number, number[]>();
  for (let i = 0; i < m; i++) {
    const id = state[kept[i]];
    let run = byState.get(id);
    if (!run) byState.set(id, (run = []));
    run.push(kept[i]);
  }
  const ids = [...byState.keys()].sort((a, b) => cmpStr(types[a].name, types[b].name));
  const order: number[] = [];
  for (const id of ids) for (const i of sortRunByKey(ix, byState.get(id)!)) order.push(i);
  return order;
}

/**
 * Entry numbers `run` of a section sorted by their composite keys' bytes (unsigned, a shorter key
 * first when it is a prefix; the first byte's meta-data-follows bit masked). Already sorted runs
 * (RocksDB order) come back as they are; otherwise an MSD radix sort over the key bytes (columns
 * every key shares are skipped without moving anything), insertion sort for small ranges. Keys of
 * one state are unique, so stability does not matter. Exported for its tests.
 */
export function sortRunByKey(ix: SectionIndex, run: number[]): number[] {
  const n = run.length;
  const { buf, keyStart: ks, keyEnd: ke } = ix;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) if (compareKeysAt(buf, ks[run[i - 1]], ke[run[i - 1]], ks[run[i]], ke[run[i]]) > 0) sorted = false;
  if (sorted) return run;
  const a = Int32Array.from(run);
  radixSortKeys(ix, a, new Int32Array(n), 0, n, 0, 0, []);
  return Array.from(a);
}

/** Ranges up to this size are insertion-sorted. */
const RADIX_CUTOFF = 24;
/** Deeper branchings (only adversarial keys get there) fall back to a comparison sort: bounded recursion. */
const RADIX_MAX_LEVELS = 64;

/** Sorts a[lo, hi) (entry numbers) by key bytes from column d on (all keys agree before d). */
function radixSortKeys(ix: SectionIndex, a: Int32Array, tmp: Int32Array, lo: number, hi: number, d: number, level: number, counts: Int32Array[]): void {
  const { buf, keyStart: ks, keyEnd: ke } = ix;
  const cmp = (x: number, y: number) => compareKeysAt(buf, ks[x], ke[x], ks[y], ke[y]);
  for (;;) {
    const n = hi - lo;
    if (n <= RADIX_CUTOFF) {
      for (let i = lo + 1; i < hi; i++) {
        const x = a[i];
        let j = i - 1;
        while (j >= lo && cmp(a[j], x) > 0) {
          a[j + 1] = a[j];
          j--;
        }
        a[j + 1] = x;
      }
      return;
    }
    if (level >= RADIX_MAX_LEVELS) {
      a.set(Array.from(a.subarray(lo, hi)).sort(cmp), lo);
      return;
    }
    // bucket of each key at column d: 0 = the key ended, otherwise the byte + 1
    let c = counts[level];
    if (c) c.fill(0);
    else c = counts[level] = new Int32Array(258);
    for (let i = lo; i < hi; i++) {
      const e = a[i];
      const p = ks[e] + d;
      c[p < ke[e] ? (d === 0 ? buf[p] & 0x7f : buf[p]) + 2 : 1]++;
    }
    let whole = -1;
    for (let b = 1; b < 258; b++) {
      if (c[b] === n) whole = b - 1;
      if (c[b] !== 0) break;
    }
    if (whole === 0) return; // every key ended here: all equal
    if (whole > 0) {
      d++; // a column every key shares
      continue;
    }
    for (let b = 1; b < 258; b++) c[b] += c[b - 1]; // c[b] = start of bucket b
    for (let i = lo; i < hi; i++) {
      const e = a[i];
      const p = ks[e] + d;
      tmp[lo + c[p < ke[e] ? (d === 0 ? buf[p] & 0x7f : buf[p]) + 1 : 0]++] = e;
    }
    a.set(tmp.subarray(lo, hi), lo);
    // now c[b] = end of bucket b; bucket 0 (keys that ended) holds at most equal keys
    let start = c[0];
    for (let b = 1; b < 257; b++) {
      const end = c[b];
      if (end - start > 1) radixSortKeys(ix, a, tmp, lo + start, lo + end, d + 1, level + 1, counts);
      start = end;
    }
    return;
  }
}

/** A keyed entry of the public iteration; its dump line is rendered only when asked for. */
class KeyedEntry implements Entry {
  readonly type = 'entry' as const;
  readonly keyGroup: number;
  readonly key?: string;
  readonly namespace?: string;
  readonly userKey?: string;
  readonly value?: string;
  readonly timestamp?: string;
  private text?: string;

  constructor(
    readonly operator: string,
    readonly state: string,
    readonly subtask: number,
    d: DecodedEntry,
  ) {
    this.keyGroup = d.keyGroup;
    this.key = d.key;
    this.namespace = d.namespace;
    this.userKey = d.userKey;
    this.value = d.value;
    this.timestamp = d.timestamp;
  }

  get line(): string {
    return (this.text ??= keyedEntryLine(this.operator, this.state, this));
  }
}

/**
 * The entries of one key group of one handle that pass `keep` and the state filter, decoded one at a
 * time in dump order (state name, then raw key bytes): nothing is held but the key group's bytes and
 * its order, so entries a consumer drops die young. A bad entry throws the key group's first error
 * in stored order, as the dump (and the oracle) report it; the entries before it in dump order have
 * been yielded by then.
 */
function* decodeSection(oo: OpenOperator, it: KgItem, ix: SectionIndex, stateFilter?: string, keep?: (ix: SectionIndex, i: number) => boolean): Generator<KeyedEntry> {
  const part = it.part;
  const types = part.header.types;
  const kept: number[] = [];
  for (let i = 0; i < ix.count; i++) {
    if (stateFilter !== undefined && types[ix.state[i]]?.name !== stateFilter) continue;
    if (keep && !keep(ix, i)) continue;
    kept.push(i);
  }
  const kr = new ByteReader(ix.buf, ix.file, ix.base);
  const vr = new ByteReader(ix.buf, ix.file, 0);
  const decode = (e: number): KeyedEntry => {
    const id = ix.state[e];
    const dec = part.decoders[id];
    if (!dec) throw new SavepointFormatError(ix.file, ix.base + ix.keyStart[e], `a decodable state ${types[id].name}`);
    return new KeyedEntry(oo.op.id, types[id].name, part.subtask, dec.decodeAt(ix, e, it.kg, kr, vr));
  };
  const order = indexOrder(ix, kept, types) ?? kept;
  let entry: KeyedEntry;
  for (let k = 0; k < order.length; k++) {
    try {
      entry = decode(order[k]);
    } catch (e) {
      if (order !== kept) for (const i of kept) decode(i);
      throw e;
    }
    yield entry;
  }
}

/**
 * The dump lines of one key group of one handle as UTF-8 bytes, a newline after every line, in dump
 * order (state name, then raw key bytes; the order depends on the raw keys only, so lines are
 * rendered straight in that order, and not sorted when stored that way, as RocksDB writes them).
 * Undefined when nothing is printed.
 */
function keyGroupBytes(oo: OpenOperator, it: KgItem, ix: SectionIndex, sizeHint: number, stateFilter?: string): Uint8Array | undefined {
  const part = it.part;
  const types = part.header.types;
  const heads =
    part.lineHeadBytes ??
    (part.lineHeadBytes = types.map((t) => new TextEncoder().encode(`{"type":"entry","operator":"${oo.op.id}","state":${JSON.stringify(t.name)},"keyGroup":`)));
  const file = part.src.file;
  const n = ix.count;
  const kept: number[] = [];
  for (let i = 0; i < n; i++) {
    const id = ix.state[i];
    const t = types[id];
    if (stateFilter !== undefined && t.name !== stateFilter) continue;
    kept.push(i);
  }
  const m = kept.length;
  if (m === 0) return undefined;
  // the order depends on the raw keys only: lines are rendered straight in dump order
  const order = indexOrder(ix, kept, types);
  // per state: the line up to and including the key group number
  const lineHeads = heads.map((h) => {
    const b = new ByteSink(h.length + 8);
    b.bytes(h);
    b.int(it.kg);
    return b.view();
  });
  const kr = new ByteReader(ix.buf, file, ix.base);
  const vr = new ByteReader(ix.buf, file, 0);
  const render = (ordered: boolean): Uint8Array => {
    const out = new ByteSink(Math.max(1 << 12, sizeHint));
    const list = ordered && order ? order : kept;
    for (let i = 0; i < m; i++) {
      const e = list[i];
      const id = ix.state[e];
      const dec = part.decoders[id];
      if (!dec) throw new SavepointFormatError(file, ix.base + ix.keyStart[e], `a decodable state ${types[id].name}`);
      out.bytes(lineHeads[id]);
      dec.lineTailAt(ix, e, out, kr, vr);
      out.byte(0x0a);
    }
    return out.view();
  };
  try {
    return render(true);
  } catch (e) {
    // a bad entry: report the first one in stored order, as the string path (and the oracle) do
    if (order) render(false);
    throw e;
  }
}

/** Keyed dump output of all handles as UTF-8 chunks (one key group at a time), ordered like keyedLineBatches. */
async function* keyedByteChunks(oo: OpenOperator, stateFilter: string | undefined, counts: { errors: number }, renderer?: KeyGroupRenderer): AsyncGenerator<Uint8Array | string[]> {
  type Slot = { start: number; subtask: number; part?: KeyedPart; err?: HandleError };
  const slots: Slot[] = [
    ...oo.keyed.map((part) => ({ start: part.handle.start, subtask: part.subtask, part })),
    ...oo.errors.filter((e) => e.slot === 'managedKeyed').map((err) => ({ start: err.start, subtask: err.subtask, err })),
  ];
  slots.sort((a, b) => a.start - b.start || a.subtask - b.subtask);
  let sizeHint = 1 << 16;
  for (const s of slots) {
    if (s.err) {
      counts.errors++;
      yield [errorLine(oo.op.id, s.subtask, 'managedKeyed', s.err.message)];
      continue;
    }
    const items = keyGroupItemsOf(s.part!);
    if (renderer && items.length > 1) {
      yield* pooledKeyGroups(oo, oo.keyed.indexOf(s.part!), items, stateFilter, counts, renderer);
      continue;
    }
    for await (const got of readAhead(items, stateFilter)) {
      let bytes: Uint8Array | undefined;
      try {
        if (got.error !== undefined) throw got.error;
        bytes = keyGroupBytes(oo, got.it, got.raw!, sizeHint, stateFilter);
      } catch (e) {
        if (!(e instanceof SavepointFormatError)) throw e;
        counts.errors++;
        yield [errorLine(oo.op.id, s.subtask, 'managedKeyed', errorMessage(e))];
        break;
      }
      if (bytes) {
        sizeHint = Math.max(sizeHint, bytes.length + (bytes.length >> 3));
        yield bytes;
      }
    }
  }
}

/**
 * The key groups of `items` as section indexes, in order, the next one read while the caller uses
 * the current one (at most two in memory); a failed read comes as its error and ends the sequence.
 */
async function* readAhead(items: KgItem[], state?: string): AsyncGenerator<{ it: KgItem; raw?: SectionIndex; error?: unknown }> {
  const settle = (p: Promise<SectionIndex>) => p.then((raw) => ({ raw }), (error: unknown) => ({ error }));
  let next = items.length ? settle(readKeyGroupIndex(items[0], state)) : undefined;
  try {
    for (let i = 0; i < items.length; i++) {
      const got: { raw?: SectionIndex; error?: unknown } = await next!;
      next = i + 1 < items.length && got.raw ? settle(readKeyGroupIndex(items[i + 1], state)) : undefined;
      yield { it: items[i], ...got };
      if (got.error !== undefined) return;
    }
  } finally {
    // a caller that stops early leaves no read behind
    if (next) await next;
  }
}

/** One key group of one keyed handle, rendered as dump bytes by a KeyGroupRenderer (another thread). */
export interface KeyGroupJob {
  operator: string;
  /** index of the handle among the operator's readable keyed handles (the same on every thread) */
  part: number;
  kg: number;
  offset: number;
  state?: string;
}

/**
 * Renders key groups elsewhere (engine/savepoint/parallel.ts: worker threads), exactly as the serial
 * path would: the bytes of `keyGroupBytes`, undefined when nothing is printed, a rejected
 * SavepointFormatError for bad bytes. `window` is how many jobs may be outstanding.
 */
export interface KeyGroupRenderer {
  readonly window: number;
  render(job: KeyGroupJob): Promise<Uint8Array | undefined>;
}

/** The key groups of one handle through a renderer, in order, with `window` of them in flight. */
async function* pooledKeyGroups(
  oo: OpenOperator,
  part: number,
  items: KgItem[],
  stateFilter: string | undefined,
  counts: { errors: number },
  renderer: KeyGroupRenderer,
): AsyncGenerator<Uint8Array | string[]> {
  type Got = { bytes?: Uint8Array; error?: unknown };
  const inFlight: Promise<Got>[] = [];
  const submit = (i: number) => {
    const it = items[i];
    inFlight[i] = renderer.render({ operator: oo.op.id, part, kg: it.kg, offset: it.offset, state: stateFilter }).then(
      (bytes) => ({ bytes }),
      (error: unknown) => ({ error }),
    );
  };
  let submitted = 0;
  while (submitted < items.length && submitted < renderer.window) submit(submitted++);
  for (let i = 0; i < items.length; i++) {
    const got = await inFlight[i];
    delete inFlight[i];
    if (got.error !== undefined) {
      if (!(got.error instanceof SavepointFormatError)) throw got.error;
      // later key groups of this handle are not printed (their results are dropped), as on the serial path
      counts.errors++;
      yield [errorLine(oo.op.id, items[i].part.subtask, 'managedKeyed', errorMessage(got.error))];
      return;
    }
    if (submitted < items.length) submit(submitted++);
    if (got.bytes) yield got.bytes;
  }
}

/** The worker side of a KeyGroupRenderer: operators opened once per savepoint and thread. */
export class KeyGroupJobRunner {
  private readonly operators = new Map<string, Promise<OpenOperator>>();
  private sizeHint = 1 << 16;

  constructor(private readonly sp: Savepoint) {}

  private scratch?: ByteSink;

  private async open(job: KeyGroupJob): Promise<{ open: OpenOperator; it: KgItem }> {
    let oo = this.operators.get(job.operator);
    if (!oo) {
      oo = openOperator(this.sp, requireOperator(this.sp, job.operator));
      this.operators.set(job.operator, oo);
    }
    const open = await oo;
    const part = open.keyed[job.part];
    if (!part) throw new Error(`no readable keyed handle ${job.part} of operator ${job.operator}`);
    return { open, it: { kg: job.kg, part, offset: job.offset } };
  }

  async render(job: KeyGroupJob): Promise<Uint8Array | undefined> {
    const { open, it } = await this.open(job);
    const bytes = keyGroupBytes(open, it, await readKeyGroupIndex(it, job.state), this.sizeHint, job.state);
    if (bytes) this.sizeHint = Math.max(this.sizeHint, bytes.length + (bytes.length >> 3));
    return bytes;
  }

  /** keyGroupTally of the job's key group (verification). */
  async tally(job: KeyGroupJob): Promise<KeyGroupTally> {
    const { it } = await this.open(job);
    return keyGroupTally(it.part, await readKeyGroupIndex(it, job.state), (this.scratch ??= new ByteSink(1 << 12)), job.state);
  }

  async close(): Promise<void> {
    for (const oo of this.operators.values()) await (await oo).close();
    this.operators.clear();
  }
}

/**
 * The dump for the CLI: `dumpBatches` with keyed entries as UTF-8 chunks (every chunk ends with a
 * newline; string batches are lines without newlines). Bounded memory: one key group at a time.
 */
export async function* dumpChunks(sp: Savepoint, opts: DumpOptions = {}, counts: { errors: number } = { errors: 0 }): AsyncGenerator<Uint8Array | string[]> {
  yield* dumpBatches(sp, opts, counts, true);
}

/**
 * Keyed dump lines of all handles in batches (one key group at a time), ordered like the oracle:
 * handles by start key group then subtask (header errors in their place), key groups ascending
 * within a handle. A failing key group ends its handle with one error line.
 */
async function* keyedLineBatches(oo: OpenOperator, stateFilter?: string, counts?: { errors: number }): AsyncGenerator<string[]> {
  const decoder = new TextDecoder();
  for await (const chunk of keyedByteChunks(oo, stateFilter, counts ?? { errors: 0 })) {
    if (Array.isArray(chunk)) yield chunk;
    else yield decoder.decode(chunk.subarray(0, chunk.length - 1)).split('\n');
  }
}

type Emitted = { entry?: Entry; error?: string; cause?: SavepointFormatError; subtask?: number };


// ---------------------------------------------------------------------------------------------
// operator-state elements

/**
 * Operator-state elements of all handles: first one error line per failing handle (subtask order),
 * then all elements by state name, subtask, index / raw key bytes.
 */
async function* operatorElements(oo: OpenOperator, stateFilter?: string): AsyncGenerator<Emitted> {
  type Item = { name: string; subtask: number; index: number; rawKey?: Uint8Array; entry: Entry };
  const items: Item[] = [];
  const failures: { subtask: number; line: string; cause: SavepointFormatError }[] = [];
  for (const e of oo.errors) {
    if (e.slot === 'managedOperator') failures.push({ subtask: e.subtask, line: errorLine(oo.op.id, e.subtask, 'managedOperator', e.message), cause: e.error });
  }
  for (const p of oo.operator) {
    try {
      for (const meta of p.handle.states) {
        if (stateFilter !== undefined && meta.name !== stateFilter) continue;
        const t = p.header.types.find((x) => x.name === meta.name);
        if (!t) throw new SavepointFormatError(p.src.file, p.src.base, `meta information for operator state ${JSON.stringify(meta.name)}`, 'none in the header');
        for (const x of await readOperatorState(oo, p, t)) items.push({ name: t.name, subtask: p.subtask, index: x.index ?? 0, rawKey: x.rawKey, entry: x.entry });
      }
    } catch (e) {
      if (!(e instanceof SavepointFormatError)) throw e;
      failures.push({ subtask: p.subtask, line: errorLine(oo.op.id, p.subtask, 'managedOperator', errorMessage(e)), cause: e });
    }
  }
  failures.sort((a, b) => a.subtask - b.subtask);
  for (const f of failures) yield { error: f.line, cause: f.cause, subtask: f.subtask };
  items.sort(
    (a, b) =>
      cmpStr(a.name, b.name) ||
      a.subtask - b.subtask ||
      (a.rawKey && b.rawKey ? compareBytes(a.rawKey, b.rawKey) : a.index - b.index),
  );
  for (const it of items) yield { entry: it.entry };
}

async function readOperatorState(oo: OpenOperator, p: OperatorPart, t: StateTypes): Promise<{ index?: number; rawKey?: Uint8Array; entry: Entry }[]> {
  const meta = p.handle.states.find((s) => s.name === t.name);
  if (!meta || meta.offsets.length === 0) return [];
  const size = await p.src.size();
  const all = [...new Set(p.handle.states.flatMap((s) => s.offsets))].sort((a, b) => a - b);
  const endOf = (o: number): number => {
    for (const x of all) if (x > o) return Math.min(x, size);
    return size;
  };
  const lo = Math.min(...meta.offsets);
  const hi = Math.max(...meta.offsets.map(endOf));
  if (lo < 0 || lo > size || hi > size) {
    throw new SavepointFormatError(p.src.file, p.src.base + Math.max(0, lo), `operator state offsets inside the data (${size} bytes)`, `${lo}..${hi}`);
  }
  if (hi - lo > Limits.maxBytes) throw new SavepointFormatError(p.src.file, p.src.base + lo, `an operator state of at most ${Limits.maxBytes} bytes`, `${hi - lo}`);
  const data = await p.src.read(lo, hi - lo);
  const out: { index?: number; rawKey?: Uint8Array; entry: Entry }[] = [];
  const opId = oo.op.id;
  const mk = (e: Partial<Entry>, line: string): Entry => ({
    type: 'element',
    operator: opId,
    state: t.name,
    subtask: p.subtask,
    ...e,
    line,
  });
  const head = `{"type":"element","operator":"${opId}","state":${JSON.stringify(t.name)},"subtask":${p.subtask}`;
  if (t.kind === 'BROADCAST') {
    const o = meta.offsets[0];
    const r = sliceRangeAt(data, p, lo, o, endOf(o));
    const m = readBroadcastMap(t, r);
    if ('raw' in m) out.push({ rawKey: new Uint8Array(0), entry: mk({ index: 0, value: m.raw }, `${head},"index":0,"value":${m.raw}}`) });
    else for (const e of m) out.push({ rawKey: e.rawKey, entry: mk({ key: e.key, value: e.value }, `${head},"key":${e.key},"value":${e.value}}`) });
  } else {
    meta.offsets.forEach((o, index) => {
      const r = sliceRangeAt(data, p, lo, o, endOf(o));
      const value = renderListElement(t, r);
      out.push({ index, entry: mk({ index, value }, `${head},"index":${index},"value":${value}}`) });
    });
  }
  return out;
}

/** A reader over [start, end) of the data (decompressed when the backend compresses), with file offsets. */
function sliceRangeAt(data: Uint8Array, p: OperatorPart, lo: number, start: number, end: number): ByteReader {
  const r = sliceRange(data, p.src.file, lo, start, end, p.header.compressed);
  if (p.src.base === 0) return r;
  return new ByteReader(r.buf, r.file, r.base + p.src.base, r.pos, r.end);
}

// ---------------------------------------------------------------------------------------------
// public iteration

export interface EntryOptions {
  state?: string;
  fromKeyGroup?: number;
  toKeyGroup?: number;
}

/** Streams keyed entries (key group by key group) and then operator-state elements of one operator. */
export async function* entries(sp: Savepoint, opId: string, opts: EntryOptions = {}): AsyncGenerator<Entry> {
  const op = requireOperator(sp, opId);
  const oo = await openOperator(sp, op);
  try {
    // keyedEntries without its per-entry async step: a failing handle or key group throws
    const slots = [
      ...oo.keyed.map((part) => ({ start: part.handle.start, subtask: part.subtask, part, err: undefined as HandleError | undefined })),
      ...oo.errors.filter((e) => e.slot === 'managedKeyed').map((err) => ({ start: err.start, subtask: err.subtask, part: undefined, err })),
    ].sort((a, b) => a.start - b.start || a.subtask - b.subtask);
    for (const s of slots) {
      if (s.err) throw s.err.error;
      for (const it of keyGroupItemsOf(s.part!, opts.fromKeyGroup, opts.toKeyGroup)) {
        yield* decodeSection(oo, it, await readKeyGroupIndex(it, opts.state), opts.state);
      }
    }
    if (opts.fromKeyGroup === undefined && opts.toKeyGroup === undefined) {
      for await (const x of operatorElements(oo, opts.state)) {
        if (x.cause) throw x.cause;
        if (x.entry) yield x.entry;
      }
    }
  } finally {
    await oo.close();
  }
}

/** A key given on the command line / API that cannot be looked up. */
export class KeyError extends Error {
  override name = 'KeyError';
}

const KEY_TYPES: Record<string, KeyType> = {
  String: 'String',
  Integer: 'Integer',
  Long: 'Long',
  Boolean: 'Boolean',
  Short: 'Short',
  Byte: 'Byte',
  Character: 'Character',
  Double: 'Double',
  Float: 'Float',
};

/**
 * The JSON rendering of a user-given key and its Java hash code: a String or boxed-primitive key, or
 * (with the key serializer's snapshot) a Table API / SQL row key given as the JSON array of its
 * fields, e.g. `[4,"eu"]`.
 */
export function parseKey(key: string | number | bigint | boolean, keyType: string, keySnapshot?: SerializerSnapshot): { json: string; hash: number } {
  if (keySnapshot?.kind === 'rowData' && keySnapshot.rowData) {
    let input: unknown = key;
    if (typeof key === 'string') {
      try {
        input = JSON.parse(key);
      } catch {
        throw new KeyError(`a ${keyType} key is the JSON array of its fields, not ${key}`);
      }
    }
    try {
      return rowKey(input, keySnapshot.rowData.types);
    } catch (e) {
      throw new KeyError(e instanceof Error ? e.message : String(e));
    }
  }
  const kt = KEY_TYPES[keyType];
  if (!kt) throw new KeyError(`lookup by key needs a String, boxed primitive or Table API row key, not ${keyType}`);
  const s = String(key);
  switch (kt) {
    case 'String':
      return { json: JSON.stringify(s), hash: javaHashCode(s, kt) };
    case 'Character':
      return { json: JSON.stringify(s.charAt(0)), hash: javaHashCode(s, kt) };
    case 'Boolean':
      if (s !== 'true' && s !== 'false') throw new KeyError(`not a Boolean: ${s}`);
      return { json: s, hash: javaHashCode(s === 'true', kt) };
    case 'Double':
    case 'Float': {
      const n = Number(s);
      if (Number.isNaN(n) && s !== 'NaN') throw new KeyError(`not a number: ${s}`);
      const f = kt === 'Float' ? Math.fround(n) : n;
      return { json: kt === 'Float' ? formatFloat(f) : formatDouble(f), hash: javaHashCode(f, kt) };
    }
    default: {
      let v: bigint;
      try {
        v = BigInt(s);
      } catch {
        throw new KeyError(`not an integer: ${s}`);
      }
      const bits = kt === 'Long' ? 64 : kt === 'Integer' ? 32 : kt === 'Short' ? 16 : 8;
      if (BigInt.asIntN(bits, v) !== v) throw new KeyError(`${s} does not fit a ${kt}`);
      return { json: v.toString(), hash: javaHashCode(kt === 'Long' ? v : Number(v), kt) };
    }
  }
}

/** The entries of one key (String or boxed-primitive key types): reads only that key's key group. */
export async function lookup(sp: Savepoint, opId: string, state: string | undefined, key: string | number | bigint | boolean): Promise<Entry[]> {
  const op = requireOperator(sp, opId);
  const oo = await openOperator(sp, op);
  try {
    if (oo.errors.length) throw oo.errors[0].error;
    return await lookupIn(oo, state, key);
  } finally {
    await oo.close();
  }
}

async function lookupIn(oo: OpenOperator, state: string | undefined, key: string | number | bigint | boolean): Promise<Entry[]> {
  const part = oo.keyed[0];
  if (!part) {
    if (oo.errors.length) throw oo.errors[0].error;
    return [];
  }
  const keyType = typeString(part.header.keySerializer);
  const { json, hash } = parseKey(key, keyType, part.header.keySerializer);
  const kg = keyGroupForHash(hash, oo.op.maxParallelism);
  const out: Entry[] = [];
  for (const p of oo.keyed) {
    // only entries whose composite key starts with the key's serialized bytes are decoded
    const keep = keyBytesFilter(p, key, keyType);
    for (const it of keyGroupItemsOf(p, kg, kg)) {
      // with a byte filter only the matching entries are decoded
      for (const e of decodeSection(oo, it, await readKeyGroupIndex(it, state), state, keep)) if (e.key === json) out.push(e);
    }
  }
  return out;
}

/**
 * A cheap pre-filter for lookups: the key's serialized bytes (canonical for String, integral,
 * Boolean and Character keys) compared with the composite key after the key-group prefix (after
 * the timestamp for timers). Undefined (decode everything) for other key types.
 */
function keyBytesFilter(p: KeyedPart, key: string | number | bigint | boolean, keyType: string): ((ix: SectionIndex, i: number) => boolean) | undefined {
  let v: Value;
  const s = String(key);
  try {
    switch (keyType) {
      case 'String':
        v = { t: 'string', v: s };
        break;
      case 'Long':
        v = { t: 'long', v: BigInt(s) };
        break;
      case 'Integer':
      case 'Short':
      case 'Byte':
        v = { t: 'int', v: Number(BigInt(s)) };
        break;
      default:
        return undefined; // Boolean, Character, floating point (-0.0 and NaN have several encodings): decode and compare
    }
  } catch {
    return undefined;
  }
  const kc = codecOf(p.header.keySerializer);
  if (kc.opaque) return undefined;
  let bytes: Uint8Array;
  try {
    bytes = encodeWith(kc, v);
  } catch {
    return undefined;
  }
  const prefix = keyGroupPrefixBytes(p.maxParallelism);
  const offsets = p.header.types.map((t) => (t.kind === 'TIMER' ? prefix + 8 : t.backend === 'PRIORITY_QUEUE' ? -1 : prefix));
  const n = bytes.length;
  return (ix, e) => {
    const at = offsets[ix.state[e]];
    if (at === undefined) return true; // let the decoder report the bad state id
    if (at < 0) return false; // a non-timer priority queue has no key
    const k = ix.buf;
    const s = ix.keyStart[e] + at;
    if (ix.keyEnd[e] < s + n) return false;
    for (let i = 0; i < n; i++) if (k[s + i] !== bytes[i]) return false;
    return true;
  };
}

// ---------------------------------------------------------------------------------------------
// dump

export interface DumpOptions {
  /** operator id or uid */
  operator?: string;
  state?: string;
  /** only keyed entries of this key (String / boxed-primitive keys) */
  key?: string;
  /** `--no-entries`: savepoint, operator, state, skipped and error lines only (the "first view") */
  noEntries?: boolean;
  /** renders keyed key groups elsewhere (worker threads) for the byte output; same output */
  renderer?: KeyGroupRenderer;
}

/** One state handle of an operator, as stored in `_metadata`. */
export interface HandleInfo {
  subtask: number;
  slot: 'managedKeyed' | 'rawKeyed' | 'managedOperator' | 'rawOperator';
  /** the handle type code (§4.6) */
  type: number;
  /** savepointKeyGroups, operator, incremental, keyGroups, changelog, raw */
  handle: string;
  size: number;
  /** key-group range of keyed handles */
  keyGroups?: { start: number; end: number };
  /** where the bytes are: inline in _metadata, or a file path */
  location?: string;
  /** set when the handle's content is not decoded */
  reason?: string;
}

function locationOf(h: StreamHandle | null): string | undefined {
  if (!h) return undefined;
  switch (h.type) {
    case 1:
      return 'inline';
    case 6:
      return h.path;
    case 2:
      return h.path ?? h.uri;
    case 15:
      return h.path ?? h.physical;
    default:
      return undefined;
  }
}

function keyedKind(h: KeyedHandle): [string, string | undefined] {
  switch (h.type) {
    case 7:
      return ['savepointKeyGroups', undefined];
    case 5:
    case 11:
      return ['incremental', 'native RocksDB state is not readable yet'];
    case 3:
    case 12:
      // a hashmap backend checkpoint is read (heap.ts); a full RocksDB checkpoint is not
      return ['keyGroups', isHeapKeyGroups(h) ? undefined : 'checkpoint key-group state is not readable yet'];
    default:
      return ['changelog', 'changelog state is not readable yet'];
  }
}

/** Every state handle of an operator by subtask, then slot (managedKeyed, rawKeyed, managedOperator, rawOperator). */
export function describeHandles(sp: Savepoint, opId: string): HandleInfo[] {
  return handlesOf(requireOperator(sp, opId));
}

function handlesOf(op: OperatorEntry): HandleInfo[] {
  const out: HandleInfo[] = [];
  const subtasks = [...op.subtasks].sort((a, b) => a.index - b.index);
  for (const st of subtasks) {
    const keyed = (h: KeyedHandle | null, slot: 'managedKeyed' | 'rawKeyed') => {
      if (!h) return;
      const [handle, reason] = slot === 'rawKeyed' ? ['raw', 'raw state is opaque'] : keyedKind(h);
      const info: HandleInfo = { subtask: st.index, slot, type: h.type, handle, size: h.size, keyGroups: { start: h.start, end: h.start + h.count - 1 } };
      if ('data' in h) info.location = locationOf(h.data);
      if (reason) info.reason = reason;
      out.push(info);
    };
    const oper = (h: OperatorHandle | null, slot: 'managedOperator' | 'rawOperator') => {
      if (!h) return;
      const info: HandleInfo = { subtask: st.index, slot, type: h.type, handle: slot === 'rawOperator' ? 'raw' : 'operator', size: h.size, location: locationOf(h.data) };
      if (slot === 'rawOperator') info.reason = 'raw state is opaque';
      out.push(info);
    };
    keyed(st.managedKeyed, 'managedKeyed');
    keyed(st.rawKeyed, 'rawKeyed');
    oper(st.managedOperator, 'managedOperator');
    oper(st.rawOperator, 'rawOperator');
  }
  return out;
}

function skippedLines(op: OperatorEntry): string[] {
  return handlesOf(op)
    .filter((h) => h.reason !== undefined && h.slot !== 'managedOperator')
    .map((h) => `{"type":"skipped","operator":"${op.id}","subtask":${h.subtask},"slot":"${h.slot}","handle":"${h.handle}","reason":"${h.reason}"}`);
}

export function savepointLine(sp: Savepoint): string {
  let s = `{"type":"savepoint","version":${sp.version},"checkpointId":${sp.checkpointId}`;
  if (sp.format !== undefined) s += `,"format":${JSON.stringify(sp.format)}`;
  if (sp.snapshotType !== undefined) s += `,"snapshot":${JSON.stringify(sp.snapshotType)}`;
  return s + `,"operators":${sp.operators.length}}`;
}

export function operatorLine(o: OperatorInfo): string {
  let s = `{"type":"operator","id":"${o.id}"`;
  if (o.uid) s += `,"uid":${JSON.stringify(o.uid)}`;
  if (o.name) s += `,"name":${JSON.stringify(o.name)}`;
  s += `,"parallelism":${o.parallelism},"maxParallelism":${o.maxParallelism},"finished":${o.finished},"subtasks":${o.subtaskCount}`;
  if (o.coordinatorBytes !== undefined) s += `,"coordinatorBytes":${o.coordinatorBytes}`;
  return s + '}';
}

/** The dump lines of docs/dump-format.md (without newlines), streamed operator by operator. */
export async function* dumpLines(sp: Savepoint, opts: DumpOptions = {}): AsyncGenerator<string> {
  for await (const batch of dumpBatches(sp, opts)) for (const l of batch) yield l;
}

/**
 * `dumpLines` in batches (at most one key group's lines at a time, so memory stays bounded): one
 * async step per batch instead of per line, for the CLI.
 */
export function dumpBatches(sp: Savepoint, opts?: DumpOptions, counts?: { errors: number }): AsyncGenerator<string[]>;
export function dumpBatches(sp: Savepoint, opts: DumpOptions, counts: { errors: number }, asBytes: true): AsyncGenerator<string[] | Uint8Array>;
export async function* dumpBatches(sp: Savepoint, opts: DumpOptions = {}, counts?: { errors: number }, asBytes = false): AsyncGenerator<string[] | Uint8Array> {
  const head: string[] = [savepointLine(sp)];
  const errorLine = (opId: string, subtask: number, slot: string, message: string): string => {
    if (counts) counts.errors++;
    return errorLineOf(opId, subtask, slot, message);
  };
  let ops = sp.operators;
  if (opts.operator !== undefined) {
    const op = findOperator(sp, opts.operator);
    if (!op) throw new Error(`no operator ${opts.operator} in ${sp.metadataPath}`);
    ops = ops.filter((o) => o.id === op.id);
  }
  let pending = head;
  for (const info of ops) {
    pending.push(operatorLine(info));
    const op = sp.metadata.operators.find((o) => o.id === info.id)!;
    const oo = await openOperator(sp, op);
    try {
      for (const t of collectStates(oo)) {
        if (opts.state !== undefined && t.name !== opts.state) continue;
        pending.push(`{"type":"state","operator":"${op.id}","name":${JSON.stringify(t.name)}${stateLineFields(t)}}`);
      }
      for (const l of skippedLines(op)) pending.push(l);
      if (opts.noEntries) {
        // handles whose header could not be read, in the place (and order) of their entries
        const keyedErrors = oo.errors.filter((e) => e.slot === 'managedKeyed').sort((a, b) => a.start - b.start || a.subtask - b.subtask);
        for (const e of keyedErrors) pending.push(errorLine(op.id, e.subtask, 'managedKeyed', e.message));
        const opErrors = oo.errors.filter((e) => e.slot === 'managedOperator').sort((a, b) => a.subtask - b.subtask);
        for (const e of opErrors) pending.push(errorLine(op.id, e.subtask, 'managedOperator', e.message));
        continue;
      }
      if (opts.key !== undefined) {
        if (!oo.keyed.length) continue;
        try {
          for (const e of await lookupIn(oo, opts.state, opts.key)) pending.push(e.line);
        } catch (e) {
          if (!(e instanceof SavepointFormatError) && !(e instanceof KeyError)) throw e;
          pending.push(errorLine(op.id, oo.keyed[0].subtask, 'managedKeyed', errorMessage(e)));
        }
        continue;
      }
      yield pending;
      pending = [];
      if (asBytes) yield* keyedByteChunks(oo, opts.state, counts ?? { errors: 0 }, opts.renderer);
      else yield* keyedLineBatches(oo, opts.state, counts);
      for await (const x of operatorElements(oo, opts.state)) {
        if (x.error !== undefined) {
          if (counts) counts.errors++;
          pending.push(x.error);
        } else pending.push(x.entry!.line);
      }
    } finally {
      await oo.close();
    }
  }
  if (pending.length) yield pending;
}


// ---------------------------------------------------------------------------------------------
// verification (`fsp verify`): every entry decoded as the dump decodes it, nothing sorted or written

/** What one key group of one keyed handle holds, per state id of its handle's header. */
export interface KeyGroupTally {
  entries: number[];
  /** serialized bytes (composite key + value) */
  bytes: number[];
}

/**
 * Decodes every entry of one key group in stored order with the dump's decoders (so bad bytes give
 * the dump's first error: same file, offset and expectation) into a scratch sink that is reset after
 * each entry, and counts entries and bytes per state. Nothing is sorted and nothing is kept.
 */
function keyGroupTally(part: KeyedPart, ix: SectionIndex, scratch: ByteSink, stateFilter?: string): KeyGroupTally {
  const types = part.header.types;
  const entries = new Array<number>(types.length).fill(0);
  const bytes = new Array<number>(types.length).fill(0);
  const kr = new ByteReader(ix.buf, ix.file, ix.base);
  const vr = new ByteReader(ix.buf, ix.file, 0);
  for (let e = 0; e < ix.count; e++) {
    const id = ix.state[e];
    const t = types[id];
    if (stateFilter !== undefined && t.name !== stateFilter) continue;
    const dec = part.decoders[id];
    if (!dec) throw new SavepointFormatError(ix.file, ix.base + ix.keyStart[e], `a decodable state ${t.name}`);
    dec.lineTailAt(ix, e, scratch, kr, vr);
    scratch.pos = 0;
    entries[id]++;
    bytes[id] += ix.keyEnd[e] - ix.keyStart[e] + (ix.valEnd[e] - ix.valStart[e]);
  }
  return { entries, bytes };
}

/** Tallies key groups elsewhere (worker threads, parallel.ts) exactly as keyGroupTally would. */
export interface KeyGroupVerifier {
  readonly window: number;
  tally(job: KeyGroupJob): Promise<KeyGroupTally>;
}

/** One state's totals in a verification. */
export interface StateReport {
  operator: string;
  state: string;
  backend: string;
  kind: string;
  /** keyed entries or operator-state elements: the dump's lines for this state */
  entries: number;
  /** keyed state: serialized bytes of keys and values (after decompression) */
  bytes?: number;
  /** keyed state: key groups holding entries of this state */
  keyGroups?: number;
  /** keyed state: the key group with the most entries (skew), when any has one */
  largestKeyGroup?: { keyGroup: number; entries: number; bytes: number };
}

export interface VerifyReport {
  path: string;
  operators: number;
  states: StateReport[];
  /** handles whose bytes are bad or missing: one per handle, the dump's error message */
  errors: { operator: string; subtask: number; slot: string; message: string }[];
  /**
   * handles this reader does not decode (native RocksDB, raw state), with the reason; for native
   * RocksDB handles, how many of their files were checked for presence and size (bad ones are in
   * `errors`) and how many are on another file system
   */
  notVerified: { operator: string; subtask: number; slot: string; handle: string; reason: string; files?: { checked: number; bad: number; remote: number } }[];
  entries: number;
  /** bytes of state files read for keyed entries (as stored, compressed or not) */
  storedBytes: number;
}

export interface VerifyOptions {
  operator?: string;
  state?: string;
  verifier?: KeyGroupVerifier;
  /** called after every key group with the stored bytes done and to do */
  progress?(done: number, total: number): void;
  /** polled between key groups; when it returns true verify throws VerifyCancelled */
  isCancelled?: () => boolean;
}

interface FileCheck {
  checked: number;
  remote: number;
  errors: SavepointFormatError[];
}

/**
 * The files of a handle this reader does not decode (native RocksDB): each local one must exist
 * with the size `_metadata` records (a file-merging segment must fit in its file). Inline bytes need
 * no check; files on other file systems (s3://…) are counted as remote.
 */
async function checkFiles(files: { name: string; handle: StreamHandle }[]): Promise<FileCheck> {
  const out: FileCheck = { checked: 0, remote: 0, errors: [] };
  for (const { handle: h } of files) {
    let file: string | undefined;
    let need: number;
    let exact = true;
    if (h.type === 2 || h.type === 6) {
      file = h.path;
      need = h.size;
    } else if (h.type === 15) {
      file = h.path;
      need = h.startPos + h.size;
      exact = false;
    } else continue; // inline bytes, an empty segment
    if (!file) {
      out.remote++;
      continue;
    }
    out.checked++;
    try {
      const st = await fs.promises.stat(file);
      if (!st.isFile()) out.errors.push(new SavepointFormatError(file, 0, 'a state file', 'not a file'));
      else if (exact ? st.size !== need : st.size < need) {
        const expected = exact ? `a file of ${need} bytes (its size in _metadata)` : `a file of at least ${need} bytes (a segment ends there)`;
        out.errors.push(new SavepointFormatError(file, Math.min(st.size, need), expected, `${st.size} bytes`));
      }
    } catch (e) {
      out.errors.push(new SavepointFormatError(file, 0, 'a readable state file', (e as NodeJS.ErrnoException).code ?? String(e)));
    }
  }
  return out;
}

/** A state's totals while verify() runs, with its entries and bytes per key group. */
type StateTally = StateReport & { perKg: Map<number, { entries: number; bytes: number }> };

interface VerifyPartContext {
  op: OperatorEntry;
  /** index of the handle among the operator's readable keyed handles */
  pi: number;
  part: KeyedPart;
  byName: Map<string, StateTally>;
  report: VerifyReport;
  opts: VerifyOptions;
  scratch: ByteSink;
  /** `n` more stored bytes are done */
  step(n: number): void;
}

/**
 * verify()'s work on one keyed handle: its key groups decoded (on worker threads when there is a
 * verifier) and tallied per state, up to the first bad key group (the handle's one error).
 */
async function verifyKeyedPart(ctx: VerifyPartContext): Promise<void> {
  const { op, pi, part, byName, report, opts, scratch, step } = ctx;
  const items = keyGroupItemsOf(part);
  const add = (it: KgItem, tally: KeyGroupTally) => {
    const types = part.header.types;
    for (let id = 0; id < types.length; id++) {
      const n = tally.entries[id];
      if (!n) continue;
      const r = byName.get(types[id].name);
      if (!r) continue;
      r.entries += n;
      r.bytes = (r.bytes ?? 0) + tally.bytes[id];
      const kg = r.perKg.get(it.kg) ?? { entries: 0, bytes: 0 };
      kg.entries += n;
      kg.bytes += tally.bytes[id];
      r.perKg.set(it.kg, kg);
    }
  };
  const sizeOf = (it: KgItem): number => {
    const idx = part.sortedOffsets.indexOf(it.offset);
    return (idx >= 0 && idx + 1 < part.sortedOffsets.length ? part.sortedOffsets[idx + 1] : part.size) - it.offset;
  };
  const fail = (e: unknown) => {
    if (!(e instanceof SavepointFormatError)) throw e;
    report.errors.push({ operator: op.id, subtask: part.subtask, slot: 'managedKeyed', message: errorMessage(e) });
  };
  const verifier = opts.verifier;
  if (verifier && items.length > 1) {
    // `window` lanes on the worker threads take the next key group as they free up. Tallies are
    // added in key-group order up to the first bad one: later key groups of the handle are
    // dropped, as in the dump.
    const results: { tally?: KeyGroupTally; error?: unknown }[] = [];
    let next = 0;
    let stopAt = items.length;
    let cancelled = false;
    const lane = async () => {
      while (next < stopAt) {
        if (opts.isCancelled?.()) {
          cancelled = true;
          stopAt = 0;
          break;
        }
        const i = next++;
        const it = items[i];
        try {
          results[i] = { tally: await verifier.tally({ operator: op.id, part: pi, kg: it.kg, offset: it.offset, state: opts.state }) };
          step(sizeOf(it));
        } catch (error) {
          results[i] = { error };
          stopAt = Math.min(stopAt, i);
        }
      }
    };
    await Promise.all(Array.from({ length: verifier.window }, lane));
    if (cancelled) throw new VerifyCancelled();
    for (let i = 0; i < items.length && results[i]; i++) {
      const got = results[i];
      if (got.error !== undefined) {
        fail(got.error);
        break;
      }
      add(items[i], got.tally!);
      report.storedBytes += sizeOf(items[i]);
    }
    return;
  }
  for await (const got of readAhead(items, opts.state)) {
    if (opts.isCancelled?.()) throw new VerifyCancelled();
    try {
      if (got.error !== undefined) throw got.error;
      add(got.it, keyGroupTally(part, got.raw!, scratch, opts.state));
    } catch (e) {
      fail(e);
      break;
    }
    step(sizeOf(got.it));
    report.storedBytes += sizeOf(got.it);
  }
}

/** Bytes of keyed state handles this reader decodes (of one operator, or all): what verify reads. */
export function readableKeyedBytes(sp: Savepoint, operator?: string): number {
  const ops = operator !== undefined ? [findOperator(sp, operator)].filter((o): o is OperatorEntry => o !== undefined) : sp.metadata.operators;
  let bytes = 0;
  for (const o of ops) for (const h of handlesOf(o)) if (h.slot === 'managedKeyed' && h.reason === undefined) bytes += h.size;
  return bytes;
}

export class VerifyCancelled extends Error {
  override name = 'VerifyCancelled';
  constructor() {
    super('the verification was cancelled');
  }
}

/**
 * Decodes every entry and element of the savepoint (or of one operator / state) without writing
 * anything, and reports counts, sizes, key-group skew, bad handles and what this reader cannot
 * decode. The same decoders and error rules as the dump: a handle fails where its dump would print
 * an error line, with the same message.
 */
export async function verify(sp: Savepoint, opts: VerifyOptions = {}): Promise<VerifyReport> {
  let ops = sp.metadata.operators;
  if (opts.operator !== undefined) {
    const op = findOperator(sp, opts.operator);
    if (!op) throw new Error(`no operator ${opts.operator} in ${sp.metadataPath}`);
    ops = [op];
  }
  const report: VerifyReport = { path: sp.metadataPath, operators: ops.length, states: [], errors: [], notVerified: [], entries: 0, storedBytes: 0 };
  const total = readableKeyedBytes(sp, opts.operator);
  let done = 0;
  const scratch = new ByteSink(1 << 12);
  for (const op of ops) {
    // handles this reader does not decode: their files are checked for presence and size
    const fileChecks = new Map<string, FileCheck>();
    for (const st of op.subtasks) {
      for (const slot of ['managedKeyed', 'rawKeyed'] as const) {
        const h = st[slot];
        if (h && 'files' in h && h.files) fileChecks.set(`${st.index}/${slot}`, await checkFiles(h.files));
      }
    }
    for (const h of handlesOf(op)) {
      if (h.reason === undefined || h.slot === 'managedOperator') continue;
      const c = fileChecks.get(`${h.subtask}/${h.slot}`);
      report.notVerified.push({ operator: op.id, subtask: h.subtask, slot: h.slot, handle: h.handle, reason: h.reason, ...(c ? { files: { checked: c.checked, bad: c.errors.length, remote: c.remote } } : {}) });
      for (const e of c?.errors ?? []) report.errors.push({ operator: op.id, subtask: h.subtask, slot: h.slot, message: e.message });
    }
    const oo = await openOperator(sp, op);
    try {
      const byName = new Map<string, StateTally>();
      for (const t of collectStates(oo)) {
        if (opts.state !== undefined && t.name !== opts.state) continue;
        const keyed = t.backend !== 'OPERATOR' && t.backend !== 'BROADCAST';
        const r = { operator: op.id, state: t.name, backend: t.backend, kind: t.kind, entries: 0, perKg: new Map() };
        byName.set(t.name, keyed ? Object.assign(r, { bytes: 0 }) : r);
      }
      for (const e of oo.errors) report.errors.push({ operator: op.id, subtask: e.subtask, slot: e.slot, message: e.message });
      for (let pi = 0; pi < oo.keyed.length; pi++) {
        const part = oo.keyed[pi];
        const partStart = done;
        try {
          await verifyKeyedPart({
            op,
            pi,
            part,
            byName,
            report,
            opts,
            scratch,
            step: (n) => {
              done += n;
              opts.progress?.(done, total);
            },
          });
        } finally {
          // the handle's header and any key groups after a bad one count as done too
          done = partStart + part.handle.size;
        }
        opts.progress?.(done, total);
      }
      for await (const x of operatorElements(oo, opts.state)) {
        if (x.error !== undefined) {
          const cause = x.cause!;
          const e = oo.errors.find((h) => h.error === cause);
          // header errors are already reported above
          if (!e) report.errors.push({ operator: op.id, subtask: x.subtask!, slot: 'managedOperator', message: errorMessage(cause) });
        } else {
          const r = byName.get(x.entry!.state);
          if (r) r.entries++;
        }
      }
      for (const r of byName.values()) {
        const { perKg, ...rest } = r;
        const out: StateReport = rest;
        if (out.bytes !== undefined) {
          out.keyGroups = perKg.size;
          let best: StateReport['largestKeyGroup'];
          for (const [keyGroup, v] of perKg) if (!best || v.entries > best.entries || (v.entries === best.entries && keyGroup < best.keyGroup)) best = { keyGroup, ...v };
          if (best) out.largestKeyGroup = best;
        }
        report.entries += out.entries;
        report.states.push(out);
      }
    } finally {
      await oo.close();
    }
  }
  return report;
}

export type { Metadata, OperatorEntry } from './metadata';

// ---------------------------------------------------------------------------------------------
// raw key-group access (the editors)

/** One keyed handle opened for key-group-level access with raw (undecoded) composite keys. */
export interface RawKeyedHandle {
  handle: KeyGroupsHandle;
  src: DataSource;
  header: KeyedHeader;
  /** The entries of key group `kg`, stored at `offset` of the handle's data: parsed, not decoded, in stored order. */
  readKeyGroup(kg: number, offset: number): Promise<RawEntry[]>;
  close(): Promise<void>;
}

/**
 * Opens one keyed handle of `op` (a canonical savepoint's or a checkpoint's key-group file) for
 * key-group-level access with raw keys: reads the backend header only, decodes nothing.
 */
export async function openRawKeyedHandle(sp: Savepoint, op: OperatorEntry, subtask: number, h: KeyGroupsHandle): Promise<RawKeyedHandle> {
  const src = sourceFor(h.data, sp.metadata);
  try {
    const header = readKeyedHeader(await readHeaderBytes(src, h.offsets));
    const sortedOffsets = [...new Set(h.offsets.filter((o) => o > 0))].sort((a, b) => a - b);
    const part: KeyedPart = { subtask, maxParallelism: op.maxParallelism, handle: h, src, header, decoders: [], sortedOffsets, size: await src.size(), heap: h.type !== 7 && isHeapKeyGroups(h) };
    return { handle: h, src, header, readKeyGroup: (kg, offset) => readKeyGroup({ kg, part, offset }), close: () => src.close() };
  } catch (e) {
    await src.close();
    throw e;
  }
}
