/**
 * The public savepoint API used by the extension, the `fsp` CLI and the editors.
 *
 *   openSavepoint(path)                       → Savepoint (operators from `_metadata`)
 *   listStates(sp, opId)                      → StateInfo[] (reads backend headers only)
 *   entries(sp, opId, {state, from/toKeyGroup}) → AsyncIterable<Entry>, one key group at a time
 *   lookup(sp, opId, state, key)              → the entries of one key (reads one key group)
 *   describeHandles(sp, opId)                 → HandleInfo[] (types, sizes, locations, why not decoded)
 *   dumpLines(sp, opts)                       → AsyncIterable<string>, exactly docs/dump-format.md
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Limits, SavepointFormatError } from './errors';
import { ByteReader, compareBytes } from './io';
import { BytesSource, DataSource, FileSource, readAll } from './files';
import { KeyedHandle, KeyGroupsHandle, Metadata, OperatorEntry, OperatorHandle, parseMetadata, StreamHandle } from './metadata';
import { KeyedHeader, KeyedStateDecoder, parseSection, readKeyedHeader, RawEntry } from './keyed';
import { OperatorHeader, readBroadcastMap, readOperatorHeader, renderListElement, sliceRange } from './operator';
import { stateLineFields, StateTypes } from './statemeta';
import { typeString } from './serializers';
import { javaHashCode, keyGroupForHash, KeyType, operatorIdFromUid } from './murmur';
import { formatDouble, formatFloat } from './json';

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
  handle: KeyGroupsHandle;
  src: DataSource;
  header: KeyedHeader;
  decoders: (KeyedStateDecoder | undefined)[];
  sortedOffsets: number[];
  size: number;
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
    if (kh && kh.type === 7) {
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
        keyed.push({ subtask: st.index, handle: kh, src, header, decoders, sortedOffsets, size });
        declarations.push(...header.types);
      } catch (e) {
        if (!(e instanceof SavepointFormatError)) throw e;
        errors.push({ subtask: st.index, slot: 'managedKeyed', start: kh.start, message: errorMessage(e), error: e });
      }
    }
    const oh = st.managedOperator;
    if (oh) {
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

function keyedEntryLine(opId: string, state: string, d: ReturnType<KeyedStateDecoder['decode']>): string {
  let s = `{"type":"entry","operator":"${opId}","state":${JSON.stringify(state)},"keyGroup":${d.keyGroup}`;
  if (d.key !== undefined) s += `,"key":${d.key}`;
  if (d.namespace !== undefined) s += `,"namespace":${d.namespace}`;
  if (d.userKey !== undefined) s += `,"userKey":${d.userKey}`;
  if (d.value !== undefined) s += `,"value":${d.value}`;
  if (d.timestamp !== undefined) s += `,"timestamp":${d.timestamp}`;
  return s + '}';
}

function errorLine(opId: string, subtask: number, slot: string, message: string): string {
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
  return parseSection(bytes, p.src.file, p.src.base + it.offset, p.header.compressed, p.header.states.length);
}

interface KeyedLine {
  state: string;
  rawKey: Uint8Array;
  entry: Entry;
}

/** Decodes one key group of one handle; entries sorted by state name, then raw key bytes. */
async function decodeKeyGroup(oo: OpenOperator, it: KgItem, stateFilter?: string): Promise<KeyedLine[]> {
  const lines: KeyedLine[] = [];
  const raw = await readKeyGroup(it);
  for (const e of raw) {
    const t = it.part.header.types[e.stateId];
    if (stateFilter !== undefined && t.name !== stateFilter) continue;
    const dec = it.part.decoders[e.stateId];
    if (!dec) throw new SavepointFormatError(it.part.src.file, e.keyAt, `a decodable state ${t.name}`);
    const d = dec.decode(e, it.part.src.file, it.kg);
    const line = keyedEntryLine(oo.op.id, t.name, d);
    lines.push({
      state: t.name,
      rawKey: e.key,
      entry: {
        type: 'entry',
        operator: oo.op.id,
        state: t.name,
        subtask: it.part.subtask,
        keyGroup: d.keyGroup,
        key: d.key,
        namespace: d.namespace,
        userKey: d.userKey,
        value: d.value,
        timestamp: d.timestamp,
        line,
      },
    });
  }
  lines.sort((a, b) => cmpStr(a.state, b.state) || compareBytes(a.rawKey, b.rawKey));
  return lines;
}

type Emitted = { entry?: Entry; error?: string; cause?: SavepointFormatError };

/**
 * Keyed entries of all handles, ordered like the oracle: handles by start key group then subtask
 * (header errors in their place), key groups ascending within a handle. A failing key group ends
 * its handle with one error line.
 */
async function* keyedEntries(oo: OpenOperator, opts: EntryOptions): AsyncGenerator<Emitted> {
  type Slot = { start: number; subtask: number; part?: KeyedPart; err?: HandleError };
  const slots: Slot[] = [
    ...oo.keyed.map((part) => ({ start: part.handle.start, subtask: part.subtask, part })),
    ...oo.errors.filter((e) => e.slot === 'managedKeyed').map((err) => ({ start: err.start, subtask: err.subtask, err })),
  ];
  slots.sort((a, b) => a.start - b.start || a.subtask - b.subtask);
  for (const s of slots) {
    if (s.err) {
      yield { error: errorLine(oo.op.id, s.subtask, 'managedKeyed', s.err.message), cause: s.err.error };
      continue;
    }
    for (const it of keyGroupItemsOf(s.part!, opts.fromKeyGroup, opts.toKeyGroup)) {
      let lines: KeyedLine[];
      try {
        lines = await decodeKeyGroup(oo, it, opts.state);
      } catch (e) {
        if (!(e instanceof SavepointFormatError)) throw e;
        yield { error: errorLine(oo.op.id, s.subtask, 'managedKeyed', errorMessage(e)), cause: e };
        break;
      }
      for (const l of lines) yield { entry: l.entry };
    }
  }
}

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
  for (const f of failures) yield { error: f.line, cause: f.cause };
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
    for await (const x of keyedEntries(oo, opts)) {
      if (x.cause) throw x.cause;
      if (x.entry) yield x.entry;
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

/** The JSON rendering of a user-given key of a simple type, and its Java hash code. */
export function parseKey(key: string | number | bigint | boolean, keyType: string): { json: string; hash: number } {
  const kt = KEY_TYPES[keyType];
  if (!kt) throw new KeyError(`lookup by key needs a String or boxed primitive key, not ${keyType}`);
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
  const { json, hash } = parseKey(key, keyType);
  const kg = keyGroupForHash(hash, oo.op.maxParallelism);
  const out: Entry[] = [];
  for (const p of oo.keyed) {
    for (const it of keyGroupItemsOf(p, kg, kg)) {
      for (const l of await decodeKeyGroup(oo, it, state)) if (l.entry.key === json) out.push(l.entry);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// dump

export interface DumpOptions {
  /** operator id or uid */
  operator?: string;
  state?: string;
  /** only keyed entries of this key (String / boxed-primitive keys) */
  key?: string;
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
      return ['keyGroups', 'checkpoint key-group state is not readable yet'];
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
  yield savepointLine(sp);
  let ops = sp.operators;
  if (opts.operator !== undefined) {
    const op = findOperator(sp, opts.operator);
    if (!op) throw new Error(`no operator ${opts.operator} in ${sp.metadataPath}`);
    ops = ops.filter((o) => o.id === op.id);
  }
  for (const info of ops) {
    yield operatorLine(info);
    const op = sp.metadata.operators.find((o) => o.id === info.id)!;
    const oo = await openOperator(sp, op);
    try {
      for (const t of collectStates(oo)) {
        if (opts.state !== undefined && t.name !== opts.state) continue;
        yield `{"type":"state","operator":"${op.id}","name":${JSON.stringify(t.name)}${stateLineFields(t)}}`;
      }
      for (const l of skippedLines(op)) yield l;
      if (opts.key !== undefined) {
        if (!oo.keyed.length) continue;
        try {
          for (const e of await lookupIn(oo, opts.state, opts.key)) yield e.line;
        } catch (e) {
          if (!(e instanceof SavepointFormatError) && !(e instanceof KeyError)) throw e;
          yield errorLine(op.id, oo.keyed[0].subtask, 'managedKeyed', errorMessage(e));
        }
        continue;
      }
      for await (const x of keyedEntries(oo, { state: opts.state })) yield x.error ?? x.entry!.line;
      for await (const x of operatorElements(oo, opts.state)) yield x.error ?? x.entry!.line;
    } finally {
      await oo.close();
    }
  }
}

export type { Metadata, OperatorEntry } from './metadata';
