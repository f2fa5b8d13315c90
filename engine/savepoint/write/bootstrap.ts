/**
 * `fsp bootstrap`: a new savepoint from a bootstrap spec (docs/bootstrap-spec.md) and its JSON-lines
 * or CSV data files, written without a JVM. Keyed value/list/map state, operator list/union state
 * and broadcast state, every type ./types.ts describes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SerializerSnapshot } from '../serializers';
import { ByteWriter } from '../writer-io';
import { keyGroupForHash, keyGroupRange, operatorIdFromUid } from '../murmur';
import { StateMetaInfo } from '../statemeta';
import { Encoder, encoderFor, EncodeError } from './encode';
import { listSnapshot, mapSnapshot, snapshotOfType, TypeDescError, VOID_NAMESPACE } from './types';
import { keyedHeaderBytes, keyedStateMeta, keyString } from './keyed-file';
import { EntryStore, encodeStoreFile, Sink } from './store';
import { BroadcastStateData, broadcastStateMeta, encodeOperatorFile, ListStateData, operatorStateMeta } from './operator-file';
import { metadataBytes, WMetadata, WOperator, WSubtask } from './metadata-writer';
import { SavepointOutput, WriteError } from './output';
import { addTimers, parseTimersSpec, TimersSpec } from './timers';

export class SpecError extends Error {}

export type StateKind = 'value' | 'list' | 'map' | 'operator-list' | 'operator-union' | 'broadcast';
const KINDS: StateKind[] = ['value', 'list', 'map', 'operator-list', 'operator-union', 'broadcast'];

export interface StateSpec {
  name: string;
  kind: StateKind;
  valueType: SerializerSnapshot;
  userKeyType?: SerializerSnapshot;
  /** broadcast: the map key type */
  keyType?: SerializerSnapshot;
  data: string;
  keyField?: string;
  userKeyField?: string;
  valueField: string;
}

export interface OperatorSpec {
  uid?: string;
  id: string;
  name?: string;
  parallelism: number;
  keyType?: SerializerSnapshot;
  states: StateSpec[];
  timers?: TimersSpec;
}

export interface BootstrapSpec {
  maxParallelism: number;
  metadataVersion: 3 | 4 | 5 | 6;
  operatorStateVersion: 5 | 6;
  operators: OperatorSpec[];
}

function obj(v: unknown, where: string): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new SpecError(`${where}: expected a JSON object`);
  return v as Record<string, unknown>;
}

function text(o: Record<string, unknown>, k: string, where: string, optional = false): string | undefined {
  const v = o[k];
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'string' || v === '') throw new SpecError(`${where}: "${k}" must be a non-empty string`);
  return v;
}

function typeOf(v: unknown, where: string): SerializerSnapshot {
  try {
    return snapshotOfType(v, where);
  } catch (e) {
    if (e instanceof TypeDescError) throw new SpecError(e.message);
    throw e;
  }
}

export function parseSpec(json: unknown, specDir: string): BootstrapSpec {
  const root = obj(json, 'spec');
  const maxParallelism = root.maxParallelism === undefined ? 128 : Number(root.maxParallelism);
  if (!Number.isInteger(maxParallelism) || maxParallelism < 1 || maxParallelism > 32768) {
    throw new SpecError(`spec: maxParallelism must be 1…32768, got ${JSON.stringify(root.maxParallelism)}`);
  }
  const mv = root.metadataVersion === undefined ? 4 : Number(root.metadataVersion);
  if (![3, 4, 5, 6].includes(mv)) throw new SpecError(`spec: metadataVersion must be 3, 4, 5 or 6, got ${JSON.stringify(root.metadataVersion)}`);
  const ov = root.operatorStateVersion === undefined ? 6 : Number(root.operatorStateVersion);
  if (ov !== 5 && ov !== 6) throw new SpecError(`spec: operatorStateVersion must be 5 or 6`);
  if (!Array.isArray(root.operators) || root.operators.length === 0) throw new SpecError('spec: "operators" must be a non-empty array');
  const ids = new Set<string>();
  const operators = root.operators.map((raw, i): OperatorSpec => {
    const where = `operators[${i}]`;
    const o = obj(raw, where);
    const uid = text(o, 'uid', where, true);
    const idHex = text(o, 'id', where, true);
    if (!uid && !idHex) throw new SpecError(`${where}: "uid" (or "id", 32 hex digits) is required`);
    if (idHex && !/^[0-9a-fA-F]{32}$/.test(idHex)) throw new SpecError(`${where}: "id" must be 32 hex digits`);
    const id = idHex ? idHex.toLowerCase() : operatorIdFromUid(uid!);
    if (ids.has(id)) throw new SpecError(`${where}: operator ${uid ?? id} appears twice`);
    ids.add(id);
    const parallelism = o.parallelism === undefined ? 1 : Number(o.parallelism);
    if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > maxParallelism) {
      throw new SpecError(`${where}: parallelism must be 1…maxParallelism (${maxParallelism})`);
    }
    let keyType = o.keyType === undefined ? undefined : typeOf(o.keyType, `${where}.keyType`);
    const timers = o.timers === undefined ? undefined : parseTimersSpec(o.timers, specDir, `${where}.timers`);
    if (timers ? o.states !== undefined && !Array.isArray(o.states) : !Array.isArray(o.states) || o.states.length === 0) throw new SpecError(`${where}: "states" must be a non-empty array (or give "timers")`);
    const names = new Set<string>();
    const states = ((o.states ?? []) as unknown[]).map((rs, j): StateSpec => {
      const sw = `${where}.states[${j}]`;
      const s = obj(rs, sw);
      const name = text(s, 'name', sw)!;
      if (names.has(name)) throw new SpecError(`${sw}: state ${JSON.stringify(name)} appears twice`);
      names.add(name);
      const kind = String(s.kind ?? '') as StateKind;
      if (!KINDS.includes(kind)) throw new SpecError(`${sw}: "kind" must be one of ${KINDS.join(', ')}`);
      const dataRel = text(s, 'data', sw)!;
      const data = path.resolve(specDir, dataRel);
      if (!fs.existsSync(data)) throw new SpecError(`${sw}: data file not found: ${data}`);
      const st: StateSpec = {
        name,
        kind,
        valueType: typeOf(s.valueType, `${sw}.valueType`),
        data,
        valueField: text(s, 'valueField', sw)!,
      };
      if (kind === 'value' || kind === 'list' || kind === 'map' || kind === 'broadcast') st.keyField = text(s, 'keyField', sw)!;
      if (kind === 'map') {
        st.userKeyType = typeOf(s.userKeyType ?? 'String', `${sw}.userKeyType`);
        st.userKeyField = text(s, 'userKeyField', sw)!;
      }
      if (kind === 'broadcast') st.keyType = typeOf(s.keyType ?? 'String', `${sw}.keyType`);
      else if (s.keyType !== undefined && (kind === 'value' || kind === 'list' || kind === 'map')) {
        const kt = typeOf(s.keyType, `${sw}.keyType`);
        if (!keyType) keyType = kt;
        else if (JSON.stringify(stripRaw(kt)) !== JSON.stringify(stripRaw(keyType))) throw new SpecError(`${sw}: all keyed states of an operator share one key type`);
      }
      return st;
    });
    if ((timers || states.some((s) => s.kind === 'value' || s.kind === 'list' || s.kind === 'map')) && !keyType) {
      throw new SpecError(`${where}: keyed states need the operator's "keyType"`);
    }
    return { uid, id, name: typeof o.name === 'string' ? o.name : undefined, parallelism, keyType, states, timers };
  });
  return { maxParallelism, metadataVersion: mv as 3 | 4 | 5 | 6, operatorStateVersion: ov, operators };
}

function stripRaw(s: SerializerSnapshot): unknown {
  return { c: s.className, k: s.kind, n: s.nested.map(stripRaw), t: s.tupleClass, p: s.pojo?.className, e: s.enum, a: s.avro?.schemaText };
}

// --- data files ---------------------------------------------------------------------------------

/** Splits one CSV line (RFC 4180 quoting, no embedded newlines). */
export function csvCells(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

const SCALAR_KINDS = new Set(['boolean', 'byte', 'short', 'int', 'long', 'float', 'double', 'char', 'string', 'bigint', 'bigdec', 'instant', 'localDate', 'localTime', 'localDateTime', 'date', 'sqlDate', 'sqlTime', 'enum']);

/** A CSV cell as a value of the type: scalars from their text, everything else parsed as JSON. */
function cellValue(cell: string | undefined, s: SerializerSnapshot): unknown {
  if (cell === undefined) return null;
  if (s.kind === 'string') return cell;
  if (cell === '') return null;
  if (SCALAR_KINDS.has(s.kind)) return cell;
  try {
    return JSON.parse(cell);
  } catch {
    throw new SpecError(`cannot read ${JSON.stringify(cell.slice(0, 40))} as JSON`);
  }
}

// --- building -----------------------------------------------------------------------------------

/** Composite keys (savepoint-format.md §5.5) for one operator's keyed states. */
export class CompositeKeys {
  readonly prefixBytes: number;
  private readonly w = new ByteWriter(256);
  private readonly ambiguous: boolean;
  readonly nsBytes: Uint8Array;

  constructor(
    readonly maxParallelism: number,
    readonly keyEnc: Encoder,
    nsEnc: Encoder,
    namespace: unknown = null,
  ) {
    this.prefixBytes = maxParallelism > 128 ? 2 : 1;
    this.ambiguous = keyEnc.length < 0 && nsEnc.length < 0;
    const nw = new ByteWriter(16);
    nsEnc.write(namespace, nw);
    this.nsBytes = nw.toBytes();
  }

  keyGroupOf(key: unknown): number {
    if (!this.keyEnc.hash) throw new EncodeError(`key groups of ${this.keyEnc.type} keys cannot be computed (Flink uses the key class's hashCode(); only primitive, String, Instant, LocalDate and Tuple keys of those are supported)`);
    return keyGroupForHash(this.keyEnc.hash(key), this.maxParallelism);
  }

  /** prefix ‖ key [‖ len] ‖ namespace [‖ len] — and the user key for map state — into `w`. */
  writeInto(w: Sink, kg: number, key: unknown, userKey?: { enc: Encoder; value: unknown }): void {
    if (this.prefixBytes === 2) w.u16(kg);
    else w.u8(kg);
    const k0 = w.length;
    this.keyEnc.write(key, w);
    if (this.ambiguous) writeVarIntBytes(w, w.length - k0);
    w.bytes(this.nsBytes);
    if (this.ambiguous) writeVarIntBytes(w, this.nsBytes.length);
    if (userKey) userKey.enc.write(userKey.value, w);
  }

  /** The composite key as bytes. */
  build(kg: number, key: unknown, userKey?: { enc: Encoder; value: unknown }): Uint8Array {
    const w = this.w;
    w.length = 0;
    this.writeInto(w, kg, key, userKey);
    return w.toBytes();
  }

  /** The composite key without the user key (the prefix every map entry of `key` starts with). */
  prefix(kg: number, key: unknown): Uint8Array {
    return this.build(kg, key);
  }
}

/** CompositeKeySerializationUtils.writeVariableIntBytes: little-endian bytes until the value is 0. */
function writeVarIntBytes(w: Sink, v: number): void {
  do {
    w.u8(v & 0xff);
    v >>>= 8;
  } while (v !== 0);
}

const LIST_DELIMITER = 0x2c;

export function joinListElements(parts: Uint8Array[]): Uint8Array {
  let n = parts.length - 1;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(Math.max(0, n));
  let o = 0;
  for (let i = 0; i < parts.length; i++) {
    if (i > 0) out[o++] = LIST_DELIMITER;
    out.set(parts[i], o);
    o += parts[i].length;
  }
  return out;
}

function encodeOne(enc: Encoder, v: unknown, w: ByteWriter): Uint8Array {
  w.length = 0;
  enc.write(v, w);
  return w.toBytes();
}

/** Map-state value: null flag, then the value (Flink serializes even a null when its serializer can). */
export function mapValueBytes(enc: Encoder, v: unknown, w: ByteWriter): Uint8Array {
  w.length = 0;
  if (v === null || v === undefined) {
    w.bool(true);
    try {
      enc.write(null, w);
    } catch {
      w.length = 1;
    }
  } else {
    w.bool(false);
    enc.write(v, w);
  }
  return w.toBytes();
}

export interface KeyedBuild {
  keySerializer: SerializerSnapshot;
  states: StateMetaInfo[];
  store: EntryStore;
}

function rowError(file: string, line: number, e: unknown): never {
  if (e instanceof EncodeError || e instanceof SpecError) throw new SpecError(`${file}:${line}: ${e.message}`);
  throw e;
}

/** Reads every keyed state of the operator into one entry store. */
export function buildKeyed(op: OperatorSpec, maxParallelism: number, cache = new DataCache()): KeyedBuild | undefined {
  const keyed = op.states.filter((s) => s.kind === 'value' || s.kind === 'list' || s.kind === 'map');
  if (keyed.length === 0 && !op.timers) return undefined;
  const keySerializer = op.keyType!;
  const keyEnc = encoderFor(keySerializer);
  const ck = new CompositeKeys(maxParallelism, keyEnc, encoderFor(VOID_NAMESPACE));
  const store = new EntryStore();
  const arena = store.arena;
  const states: StateMetaInfo[] = [];
  keyed.forEach((s, id) => {
    const valueEnc = encoderFor(s.valueType);
    const kind = s.kind;
    if (kind === 'value') states.push(keyedStateMeta(s.name, 'VALUE', s.valueType, VOID_NAMESPACE));
    else if (kind === 'list') states.push(keyedStateMeta(s.name, 'LIST', listSnapshot(s.valueType), VOID_NAMESPACE));
    else states.push(keyedStateMeta(s.name, 'MAP', mapSnapshot(s.userKeyType!, s.valueType), VOID_NAMESPACE));
    const ukEnc = kind === 'map' ? encoderFor(s.userKeyType!) : undefined;
    const data = cache.get(s.data);
    const n = data.count;
    for (let i = 0; i < n; i++) {
      try {
        const key = data.get(i, s.keyField!, keySerializer);
        if (key === null) throw new SpecError(`no key in field ${JSON.stringify(s.keyField)}`);
        const kg = ck.keyGroupOf(key);
        const v = data.get(i, s.valueField, s.valueType);
        const k0 = arena.length;
        try {
          if (kind === 'map') ck.writeInto(arena, kg, key, { enc: ukEnc!, value: data.get(i, s.userKeyField!, s.userKeyType!) });
          else ck.writeInto(arena, kg, key);
        } catch (e) {
          arena.length = k0;
          throw e;
        }
        if (kind === 'value' && v === null) {
          // ValueState.update(null) clears the value
          const { slot } = store.commitKey(kg, id, k0);
          store.remove(slot);
          continue;
        }
        if (kind === 'list' && v === null) {
          arena.length = k0;
          throw new SpecError('list elements cannot be null');
        }
        const { slot, created } = store.commitKey(kg, id, k0);
        const v0 = arena.length;
        try {
          if (kind === 'map') writeMapValue(valueEnc, v, arena);
          else valueEnc.write(v, arena);
        } catch (e) {
          arena.length = v0;
          if (created) store.remove(slot);
          throw e;
        }
        if (kind === 'list') store.append(slot, v0);
        else store.setValue(slot, v0);
      } catch (e) {
        rowError(s.data, data.line(i), e);
      }
    }
  });
  if (op.timers) addTimers(op.timers, keySerializer, maxParallelism, store, states, cache);
  return { keySerializer, states, store };
}

/** Map-state value into a sink: null flag, then the value (also for null when the serializer can write it). */
function writeMapValue(enc: Encoder, v: unknown, w: Sink): void {
  if (v === null || v === undefined) {
    w.u8(1);
    const at = w.length;
    try {
      enc.write(null, w);
    } catch {
      w.length = at;
    }
  } else {
    w.u8(0);
    enc.write(v, w);
  }
}

/** Data files read once per bootstrap, whichever states use them. */
export class DataCache {
  private files = new Map<string, RowData>();
  get(file: string): RowData {
    let d = this.files.get(file);
    if (!d) {
      d = readRows(file);
      this.files.set(file, d);
    }
    return d;
  }
}

export interface RowData {
  count: number;
  line(i: number): number;
  get(i: number, field: string, type: SerializerSnapshot): unknown;
}

function readRows(file: string): RowData {
  const text = fs.readFileSync(file, 'utf8');
  const csv = file.toLowerCase().endsWith('.csv');
  const rows: unknown[] = [];
  const lines: number[] = [];
  let header: Map<string, number> | undefined;
  let lineNo = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let line = text.slice(start, end);
    start = end + 1;
    lineNo++;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() === '') continue;
    if (csv) {
      const cells = csvCells(line);
      if (!header) {
        header = new Map(cells.map((c, i) => [c.trim(), i]));
        continue;
      }
      rows.push(cells);
    } else {
      let o: unknown;
      try {
        o = JSON.parse(line);
      } catch (e) {
        throw new SpecError(`${file}:${lineNo}: not a JSON object (${(e as Error).message})`);
      }
      if (!o || typeof o !== 'object' || Array.isArray(o)) throw new SpecError(`${file}:${lineNo}: not a JSON object`);
      rows.push(o);
    }
    lines.push(lineNo);
  }
  const h = header;
  return {
    count: rows.length,
    line: (i) => lines[i],
    get(i, field, type) {
      if (csv) {
        const idx = h!.get(field);
        if (idx === undefined) throw new SpecError(`${file}: no column ${JSON.stringify(field)}`);
        return cellValue((rows[i] as string[])[idx], type);
      }
      const v = (rows[i] as Record<string, unknown>)[field];
      return v === undefined ? null : v;
    },
  };
}

export interface OperatorBuild {
  lists: { meta: StateMetaInfo; elements: Uint8Array[] }[];
  broadcasts: { meta: StateMetaInfo; entries: Map<string, [Uint8Array, Uint8Array]> }[];
}

export function buildOperatorStates(op: OperatorSpec, cache = new DataCache()): OperatorBuild | undefined {
  const ops = op.states.filter((s) => s.kind === 'operator-list' || s.kind === 'operator-union' || s.kind === 'broadcast');
  if (ops.length === 0) return undefined;
  const w = new ByteWriter(256);
  const out: OperatorBuild = { lists: [], broadcasts: [] };
  for (const s of ops) {
    const valueEnc = encoderFor(s.valueType);
    if (s.kind === 'broadcast') {
      const keyEnc = encoderFor(s.keyType!);
      const entries = new Map<string, [Uint8Array, Uint8Array]>();
      const data = cache.get(s.data);
      for (let i = 0; i < data.count; i++) {
        try {
          const k = data.get(i, s.keyField!, s.keyType!);
          if (k === null) throw new SpecError(`no key in field ${JSON.stringify(s.keyField)}`);
          const kb = encodeOne(keyEnc, k, w);
          const v = data.get(i, s.valueField, s.valueType);
          entries.set(keyString(kb), [kb, encodeOne(valueEnc, v, w)]);
        } catch (e) {
          rowError(s.data, data.line(i), e);
        }
      }
      out.broadcasts.push({ meta: broadcastStateMeta(s.name, s.keyType!, s.valueType), entries });
    } else {
      const elements: Uint8Array[] = [];
      const data = cache.get(s.data);
      for (let i = 0; i < data.count; i++) {
        try {
          const v = data.get(i, s.valueField, s.valueType);
          if (v === null) throw new SpecError('list elements cannot be null');
          elements.push(encodeOne(valueEnc, v, w));
        } catch (e) {
          rowError(s.data, data.line(i), e);
        }
      }
      out.lists.push({ meta: operatorStateMeta(s.name, s.kind === 'operator-union' ? 1 : 0, s.valueType), elements });
    }
  }
  return out;
}

/** Writes every subtask's files of one operator; returns its metadata entry. */
export function writeOperator(out: SavepointOutput, op: OperatorSpec, spec: Pick<BootstrapSpec, 'maxParallelism' | 'metadataVersion' | 'operatorStateVersion'>): WOperator {
  const cache = new DataCache();
  const keyed = buildKeyed(op, spec.maxParallelism, cache);
  const opStates = buildOperatorStates(op, cache);
  const subtasks: WSubtask[] = [];
  const header = keyed ? keyedHeaderBytes(keyed.keySerializer, keyed.states) : undefined;
  for (let i = 0; i < op.parallelism; i++) {
    const st: WSubtask = { index: i };
    if (keyed) {
      const { start, end } = keyGroupRange(i, op.parallelism, spec.maxParallelism);
      const f = encodeStoreFile(header!, start, end, keyed.store, keyed.states.length);
      const file = out.writeDataFile(f.chunks);
      st.managedKeyed = { type: 7, start, offsets: f.offsets, data: { type: 6, relative: file.relative, size: file.size } };
    }
    if (opStates) {
      const lists: ListStateData[] = opStates.lists.map((l) => ({
        meta: l.meta,
        // round-robin, as Flink redistributes SPLIT_DISTRIBUTE elements
        elements: l.elements.filter((_e, j) => j % op.parallelism === i),
      }));
      const broadcasts: BroadcastStateData[] = opStates.broadcasts.map((b) => ({ meta: b.meta, entries: [...b.entries.values()] }));
      const f = encodeOperatorFile(spec.operatorStateVersion, lists, broadcasts);
      const file = out.writeDataFile(f.chunks);
      st.managedOperator = { states: f.states, data: { type: 6, relative: file.relative, size: file.size } };
    }
    subtasks.push(st);
  }
  return {
    id: op.id,
    name: op.name ?? '',
    uid: op.uid ?? '',
    parallelism: op.parallelism,
    maxParallelism: spec.maxParallelism,
    subtasks,
  };
}

export interface BootstrapResult {
  path: string;
  operators: number;
}

/** Reads the spec file and writes the savepoint to `outDir` (temporary folder + rename). */
export function bootstrapSavepoint(specFile: string, outDir: string, extraOperators: WOperator[] = []): BootstrapResult {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(specFile, 'utf8'));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new SpecError(err.code === 'ENOENT' ? `spec file not found: ${specFile}` : `${specFile}: ${err.message}`);
  }
  const spec = parseSpec(json, path.dirname(path.resolve(specFile)));
  const out = new SavepointOutput(outDir);
  try {
    const operators: WOperator[] = [...extraOperators];
    for (const op of spec.operators) operators.push(writeOperator(out, op, spec));
    const meta: WMetadata = { version: spec.metadataVersion, operators };
    out.commit(metadataBytes(meta));
  } catch (e) {
    out.abort();
    throw e;
  }
  return { path: out.target, operators: spec.operators.length };
}

export { WriteError };
