/**
 * Modifying an existing savepoint into a new, self-contained one: edit keyed entries, edit operator
 * list/union elements, remove an operator, change an operator's uid (its ID), add operators from a
 * bootstrap spec. Untouched operators are carried over with their files copied into the new folder;
 * the source folder is only read.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KeyGroupsHandle, Metadata, OperatorEntry, parseMetadata } from '../metadata';
import { keyGroupForHash, keyGroupRange, operatorIdFromUid } from '../murmur';
import { SerializerSnapshot } from '../serializers';
import { ByteWriter } from '../writer-io';
import { Encoder, encoderFor, EncodeError } from './encode';
import { encodeKeyedFile, keyedHeaderBytes, KeyGroupTable, parseKeyedFile, ParsedKeyedFile, uncompressedHeader } from './keyed-file';
import { encodeOperatorFile, parseOperatorFile, ListStateData, BroadcastStateData } from './operator-file';
import { keyString } from './keyed-file';
import { ByteReader } from '../io';
import { codecFor } from '../values';
import { asWriterMetadata, metadataBytes, WKeyedHandle, WMetadata, WOperator, WSubtask } from './metadata-writer';
import { Carrier, readStream, streamName } from './copy';
import { SavepointOutput, WriteError } from './output';
import { CompositeKeys, joinListElements, mapValueBytes, parseSpec, SpecError, writeOperator } from './bootstrap';

export { WriteError };

export interface LoadedSavepoint {
  dir: string;
  meta: Metadata;
}

export function loadSavepoint(p: string): LoadedSavepoint {
  const abs = path.resolve(p);
  let file = abs;
  if (!fs.existsSync(abs)) throw new WriteError(`savepoint not found: ${p}`);
  if (fs.statSync(abs).isDirectory()) file = path.join(abs, '_metadata');
  if (!fs.existsSync(file)) throw new WriteError(`no _metadata in ${p}`);
  const meta = parseMetadata(new Uint8Array(fs.readFileSync(file)), file);
  return { dir: path.dirname(file), meta };
}

/** An operator by 32-hex id, stored uid (V5+), or uid (hashed to its id). */
export function findOperator(sp: LoadedSavepoint, ref: string): OperatorEntry {
  const ops = sp.meta.operators;
  const lower = ref.toLowerCase();
  const byId = /^[0-9a-f]{32}$/.test(lower) ? ops.find((o) => o.id === lower) : undefined;
  const found = byId ?? ops.find((o) => o.uid === ref) ?? ops.find((o) => o.id === operatorIdFromUid(ref));
  if (!found) throw new WriteError(`no operator ${JSON.stringify(ref)} in the savepoint (give its uid or its 32-hex-digit ID)`);
  return found;
}

function outVersion(v: number, override?: number): 3 | 4 | 5 | 6 {
  const x = override ?? Math.min(6, Math.max(3, v));
  if (![3, 4, 5, 6].includes(x)) throw new WriteError(`metadata version ${x} cannot be written (3–6)`);
  return x as 3 | 4 | 5 | 6;
}

/**
 * The source's CheckpointProperties trailer (savepoint / checkpoint type, CANONICAL format), found by
 * re-encoding the source's operators as they are: where our bytes end, Flink's trailer begins. Undefined
 * (→ the `null` trailer) when the source is V3, has master states, or does not re-encode identically.
 */
function sourceTrailer(sp: LoadedSavepoint): Uint8Array | undefined {
  const m = sp.meta;
  if (m.version < 4 || m.masterStates.length) return undefined;
  try {
    const same = metadataBytes(asWriterMetadata(m, Math.min(m.version, 6) as 4 | 5 | 6));
    const body = same.length - 5;
    const orig = fs.readFileSync(m.file);
    if (orig.length <= body + 4 || orig[body] !== 0xac || orig[body + 1] !== 0xed) return undefined;
    if (!orig.subarray(0, body).equals(Buffer.from(same.buffer, same.byteOffset, body))) return undefined;
    return new Uint8Array(orig.subarray(body));
  } catch {
    return undefined;
  }
}

export interface ModifyOptions {
  metadataVersion?: number;
}

/** Runs `build` with an output folder and a carrier; commits the returned operators. */
function rewrite(source: string, outDir: string, opts: ModifyOptions, build: (sp: LoadedSavepoint, c: Carrier, out: SavepointOutput) => WOperator[]): string {
  const sp = loadSavepoint(source);
  const out = new SavepointOutput(outDir, [sp.dir]);
  try {
    const c = new Carrier(out);
    const operators = build(sp, c, out);
    const version = outVersion(sp.meta.version, opts.metadataVersion);
    const meta: WMetadata = { version, checkpointId: sp.meta.checkpointId, operators, trailer: version >= 4 ? sourceTrailer(sp) : undefined };
    if (sp.meta.masterStates.length) process.stderr.write(`fsp: ${sp.meta.masterStates.length} master hook state(s) are not carried over\n`);
    out.commit(metadataBytes(meta));
    return out.target;
  } catch (e) {
    out.abort();
    throw e;
  }
}

export function removeOperator(source: string, ref: string, outDir: string, opts: ModifyOptions = {}): string {
  return rewrite(source, outDir, opts, (sp, c) => {
    const victim = findOperator(sp, ref);
    return sp.meta.operators.filter((o) => o !== victim).map((o) => c.carry(o));
  });
}

export function setUid(source: string, ref: string, newUid: string, outDir: string, opts: ModifyOptions = {}): string {
  if (!newUid) throw new WriteError('the new uid must not be empty');
  return rewrite(source, outDir, opts, (sp, c) => {
    const target = findOperator(sp, ref);
    const newId = operatorIdFromUid(newUid);
    const clash = sp.meta.operators.find((o) => o !== target && o.id === newId);
    if (clash) throw new WriteError(`the savepoint already has an operator with uid ${JSON.stringify(newUid)} (ID ${newId})`);
    return sp.meta.operators.map((o) => {
      const w = c.carry(o);
      if (o === target) {
        w.id = newId;
        w.uid = newUid;
      }
      return w;
    });
  });
}

/** Adds the spec's operators to a copy of the savepoint (`fsp bootstrap --from`). */
export function addOperators(source: string, specFile: string, outDir: string, opts: ModifyOptions = {}): string {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(specFile, 'utf8'));
  } catch (e) {
    throw new SpecError(`${specFile}: ${(e as Error).message}`);
  }
  const spec = parseSpec(json, path.dirname(path.resolve(specFile)));
  return rewrite(source, outDir, { metadataVersion: opts.metadataVersion ?? (json as { metadataVersion?: number }).metadataVersion }, (sp, c, out) => {
    const ops = sp.meta.operators.map((o) => c.carry(o));
    for (const op of spec.operators) {
      if (ops.some((o) => o.id === op.id)) throw new WriteError(`the savepoint already has operator ${op.uid ?? op.id}; remove it first`);
      ops.push(writeOperator(out, op, spec));
    }
    return ops;
  });
}

// --- edits --------------------------------------------------------------------------------------

export type EditOp =
  | { op: 'set'; key?: unknown; userKey?: unknown; value: unknown; subtask?: number; index?: number }
  | { op: 'delete'; key?: unknown; userKey?: unknown; subtask?: number; index?: number }
  | { op: 'append'; key?: unknown; value: unknown; subtask?: number };

export function parseEditLine(line: string, n: number): EditOp {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch (e) {
    throw new WriteError(`edits line ${n}: not JSON (${(e as Error).message})`);
  }
  if (!o || typeof o !== 'object' || Array.isArray(o)) throw new WriteError(`edits line ${n}: expected a JSON object`);
  const r = o as Record<string, unknown>;
  if (r.op !== 'set' && r.op !== 'delete' && r.op !== 'append') throw new WriteError(`edits line ${n}: "op" must be set, delete or append`);
  if (r.op !== 'delete' && !('value' in r)) throw new WriteError(`edits line ${n}: "${r.op}" needs a "value"`);
  return r as unknown as EditOp;
}

export interface EditSummary {
  path: string;
  changed: number;
}

function describeKey(k: unknown): string {
  return JSON.stringify(k, (_x, v) => (typeof v === 'bigint' ? v.toString() : v)) ?? String(k);
}

/** Applies edits to one state of one operator. */
export function editState(source: string, ref: string, stateName: string, edits: EditOp[], outDir: string, opts: ModifyOptions = {}): EditSummary {
  let changed = 0;
  const p = rewrite(source, outDir, opts, (sp, c, out) => {
    const target = findOperator(sp, ref);
    const label = target.uid ?? ref;
    // where is the state?
    let keyed = false;
    let operatorState = false;
    const parsedKeyed = new Map<number, ParsedKeyedFile>();
    for (const s of target.subtasks) {
      const h = s.managedKeyed;
      if (h && (h.type === 7 || h.type === 3 || h.type === 12)) {
        const k = h as KeyGroupsHandle;
        const buf = readStream(k.data, `operator ${label} subtask ${s.index}`);
        let parsed: ParsedKeyedFile;
        try {
          parsed = parseKeyedFile(buf, streamName(k.data), k.start, k.offsets);
        } catch (e) {
          if (h.type !== 7) throw new WriteError(`operator ${label}: its keyed state is a checkpoint layout (handle type ${h.type}) that cannot be edited; take a canonical savepoint`);
          throw e;
        }
        parsedKeyed.set(s.index, parsed);
        if (parsed.states.some((m) => m.name === stateName)) keyed = true;
      } else if (h) {
        throw new WriteError(`operator ${label}: keyed state handle type ${h.type} (native/incremental or changelog) cannot be edited; take a canonical savepoint`);
      }
      if (s.managedOperator?.states.some((x) => x.name === stateName)) operatorState = true;
    }
    if (!keyed && !operatorState) throw new WriteError(`operator ${label} has no state ${JSON.stringify(stateName)}`);
    if (keyed) {
      changed = applyKeyedEdits(target, parsedKeyed, stateName, edits);
    } else {
      changed = applyOperatorEdits(target, stateName, edits, label);
    }
    return sp.meta.operators.map((o) => {
      if (o !== target) return c.carry(o);
      const w = c.carry({ ...o, subtasks: [] });
      // subtasks that get keyed state for the first time
      const subtasks = [...o.subtasks];
      for (const i of parsedKeyed.keys()) {
        if (!subtasks.some((s) => s.index === i)) subtasks.push({ index: i, managedOperator: null, rawOperator: null, managedKeyed: null, rawKeyed: null, channelStateSize: 0 });
      }
      subtasks.sort((a, b) => a.index - b.index);
      w.subtasks = subtasks.map((s): WSubtask => {
        const st: WSubtask = { index: s.index };
        const what = `operator ${label} subtask ${s.index}`;
        const pk = parsedKeyed.get(s.index);
        if (keyed && pk && (pk as ParsedKeyedFile & { dirty?: boolean }).dirty) st.managedKeyed = writeKeyedFile(out, pk);
        else st.managedKeyed = c.keyed(s.managedKeyed, what);
        const newOp = (s as unknown as { newOperator?: WOperatorHandleData }).newOperator;
        if (newOp) {
          const f = encodeOperatorFile(newOp.version, newOp.lists, newOp.broadcasts);
          const file = out.writeDataFile(f.chunks);
          st.managedOperator = { states: f.states, data: { type: 6, relative: file.relative, size: file.size } };
        } else st.managedOperator = c.operator(s.managedOperator, what);
        st.rawOperator = c.operator(s.rawOperator, what);
        st.rawKeyed = c.keyed(s.rawKeyed, what);
        return st;
      });
      return w;
    });
  });
  return { path: p, changed };
}

/** Re-encodes an edited keyed file (uncompressed) into a new data file of `out`; returns its handle. */
export function writeKeyedFile(out: SavepointOutput, f: ParsedKeyedFile): WKeyedHandle {
  const e = encodeKeyedFile(uncompressedHeader(f.header), f.start, f.end, f.table, false);
  const file = out.writeDataFile(e.chunks);
  return { type: 7, start: f.start, offsets: e.offsets, data: { type: 6, relative: file.relative, size: file.size } };
}

/** An edit addressed by the raw composite key bytes of an entry (as stored), not by a JSON key. */
export interface RawKeyedEdit {
  kg: number;
  /** the state's name; its id is looked up in the file's own header */
  state: string;
  key: Uint8Array;
  /** null = delete */
  value: Uint8Array | null;
}

/**
 * Applies raw-key edits to one parsed keyed file: puts set the value, deletes remove the entry if
 * present. An edit can never land on a neighbouring key, whatever the key and namespace types.
 * Returns the entries put or deleted.
 */
export function applyRawKeyedEdits(f: ParsedKeyedFile, edits: RawKeyedEdit[], what: string): number {
  let changed = 0;
  for (const e of edits) {
    const sid = f.states.findIndex((m) => m.name === e.state);
    if (sid < 0) throw new WriteError(`${what}: its keyed file does not declare state ${JSON.stringify(e.state)}`);
    if (e.kg < f.start || e.kg > f.end) throw new WriteError(`${what}: key group ${e.kg} is outside its range ${f.start}–${f.end}`);
    if (e.value === null) {
      if (f.table.delete(e.kg, sid, e.key)) changed++;
    } else {
      f.table.put(e.kg, sid, e.key, e.value);
      changed++;
    }
  }
  return changed;
}

interface WOperatorHandleData {
  version: 5 | 6;
  lists: ListStateData[];
  broadcasts: BroadcastStateData[];
}

function applyKeyedEdits(op: OperatorEntry, files: Map<number, ParsedKeyedFile>, stateName: string, edits: EditOp[]): number {
  const label = op.uid ?? op.id;
  const any = [...files.values()].find((f) => f.states.some((m) => m.name === stateName))!;
  const stateId = any.states.findIndex((m) => m.name === stateName);
  const meta = any.states[stateId];
  const kind = meta.options.get('KEYED_STATE_TYPE') ?? 'UNKNOWN';
  if (meta.backend !== 'KEY_VALUE') throw new WriteError(`state ${stateName} is a ${meta.backend} state; only keyed value, list and map states can be edited`);
  const ns = meta.serializers.get('NAMESPACE_SERIALIZER');
  if (!ns || ns.kind !== 'voidNamespace') throw new WriteError(`state ${stateName} has namespace ${ns?.className ?? '?'}; only states without a namespace (VoidNamespace) can be edited`);
  const vs = meta.serializers.get('VALUE_SERIALIZER')!;
  const keyEnc = encoderFor(any.keySerializer);
  const ck = new CompositeKeys(op.maxParallelism, keyEnc, encoderFor(ns));
  let valueEnc: Encoder;
  let userKeyEnc: Encoder | undefined;
  if (kind === 'LIST') valueEnc = encoderFor(nested(vs, 0, stateName));
  else if (kind === 'MAP') {
    userKeyEnc = encoderFor(nested(vs, 0, stateName));
    valueEnc = encoderFor(nested(vs, 1, stateName));
  } else if (kind === 'VALUE' || kind === 'REDUCING' || kind === 'AGGREGATING') valueEnc = encoderFor(vs);
  else throw new WriteError(`state ${stateName} is of kind ${kind}, which cannot be edited`);
  const w = new ByteWriter(256);
  const enc = (e: Encoder, v: unknown) => {
    w.length = 0;
    e.write(v, w);
    return w.toBytes();
  };
  // which subtask file holds a key group
  // a subtask without keyed state gets a new file (the key serializer and states of another subtask)
  const fileFor = (kg: number): ParsedKeyedFile => {
    for (const f of files.values()) if (kg >= f.start && kg <= f.end) return f;
    for (let i = 0; i < op.parallelism; i++) {
      const r = keyGroupRange(i, op.parallelism, op.maxParallelism);
      if (kg < r.start || kg > r.end) continue;
      if (files.has(i)) break;
      const f: ParsedKeyedFile = {
        header: keyedHeaderBytes(any.keySerializer, any.states, false),
        compressed: false,
        keySerializer: any.keySerializer,
        states: [...any.states],
        table: new KeyGroupTable(),
        start: r.start,
        end: r.end,
      };
      files.set(i, f);
      return f;
    }
    throw new WriteError(`operator ${label}: no subtask holds key group ${kg}`);
  };
  let changed = 0;
  edits.forEach((e, i) => {
    const where = `edit ${i + 1}`;
    try {
      if (e.key === undefined) throw new WriteError(`${where}: keyed state edits need a "key"`);
      const kg = keyGroupForHash(keyHash(keyEnc, e.key), op.maxParallelism);
      const f = fileFor(kg);
      // states registered in this file may be ordered differently: look the id up per file
      let sid = f.states.findIndex((m) => m.name === stateName);
      if (sid < 0) {
        // the subtask never registered the state: declare it in this file's header
        f.states.push(meta);
        f.header = keyedHeaderBytes(f.keySerializer, f.states, false);
        sid = f.states.length - 1;
      }
      const table = f.table;
      const prefix = ck.build(kg, e.key);
      (f as ParsedKeyedFile & { dirty?: boolean }).dirty = true;
      if (kind === 'MAP') {
        if (e.op === 'append') throw new WriteError(`${where}: "append" is for list state`);
        if (e.userKey !== undefined) {
          const full = ck.build(kg, e.key, { enc: userKeyEnc!, value: e.userKey });
          if (e.op === 'delete') {
            if (!table.delete(kg, sid, full)) throw new WriteError(`${where}: no entry for key ${describeKey(e.key)} and user key ${describeKey(e.userKey)}`);
          } else table.put(kg, sid, full, mapValueBytes(valueEnc, e.value, w));
        } else {
          const removed = table.deletePrefix(kg, sid, prefix);
          if (e.op === 'delete') {
            if (removed === 0) throw new WriteError(`${where}: no entry for key ${describeKey(e.key)}`);
          } else {
            const pairs = Array.isArray(e.value) ? e.value : e.value && typeof e.value === 'object' ? Object.entries(e.value as object) : undefined;
            if (!pairs) throw new WriteError(`${where}: a map state's value must be [[userKey, value], …] or an object`);
            for (const pr of pairs) {
              if (!Array.isArray(pr) || pr.length !== 2) throw new WriteError(`${where}: expected [userKey, value] pairs`);
              table.put(kg, sid, ck.build(kg, e.key, { enc: userKeyEnc!, value: pr[0] }), mapValueBytes(valueEnc, pr[1], w));
            }
          }
        }
      } else if (kind === 'LIST') {
        if (e.op === 'delete') {
          if (!table.delete(kg, sid, prefix)) throw new WriteError(`${where}: no entry for key ${describeKey(e.key)}`);
        } else if (e.op === 'append') {
          const cur = table.get(kg, sid, prefix);
          const el = enc(valueEnc, e.value);
          table.put(kg, sid, prefix, cur ? joinListElements([cur.value, el]) : el);
        } else {
          if (!Array.isArray(e.value)) throw new WriteError(`${where}: a list state's value must be a JSON array`);
          if (e.value.length === 0) table.delete(kg, sid, prefix);
          else table.put(kg, sid, prefix, joinListElements(e.value.map((x) => enc(valueEnc, x))));
        }
      } else {
        if (e.op === 'append') throw new WriteError(`${where}: "append" is for list state`);
        if (e.op === 'delete') {
          if (!table.delete(kg, sid, prefix)) throw new WriteError(`${where}: no entry for key ${describeKey(e.key)}`);
        } else if (e.value === null) table.delete(kg, sid, prefix);
        else table.put(kg, sid, prefix, enc(valueEnc, e.value));
      }
      changed++;
    } catch (err) {
      if (err instanceof EncodeError) throw new WriteError(`${where}: ${err.message}`);
      throw err;
    }
  });
  return changed;
}

function keyHash(enc: Encoder, key: unknown): number {
  if (!enc.hash) throw new WriteError(`keys of type ${enc.type} cannot be placed: Flink uses the key class's hashCode(), which is only known for primitive, String, Instant, LocalDate and Tuple keys`);
  return enc.hash(key);
}

function nested(s: SerializerSnapshot, i: number, state: string): SerializerSnapshot {
  const n = s.nested[i];
  if (!n) throw new WriteError(`state ${state}: its serializer snapshot ${s.className} has no nested serializer ${i}`);
  return n;
}

function applyOperatorEdits(op: OperatorEntry, stateName: string, edits: EditOp[], label: string): number {
  const w = new ByteWriter(256);
  let changed = 0;
  const subtasks = op.subtasks.filter((s) => s.managedOperator?.states.some((x) => x.name === stateName));
  const parsed = new Map<number, { data: ReturnType<typeof parseOperatorFile>; lists: ListStateData[]; broadcasts: BroadcastStateData[] }>();
  for (const s of subtasks) {
    const h = s.managedOperator!;
    const buf = readStream(h.data, `operator ${label} subtask ${s.index}`);
    const data = parseOperatorFile(buf, streamName(h.data), h.states);
    const lists: ListStateData[] = data.lists.map((m) => ({ meta: m, elements: [...(data.data.get(m.name)?.elements ?? [])] }));
    const broadcasts: BroadcastStateData[] = data.broadcasts.map((m) => ({ meta: m, entries: [], raw: data.data.get(m.name)?.elements[0] }));
    parsed.set(s.index, { data, lists, broadcasts });
  }
  const first = [...parsed.values()][0];
  if (first.broadcasts.some((b) => b.meta.name === stateName)) {
    changed = applyBroadcastEdits(parsed, stateName, edits, label);
  } else changed = applyListEdits(parsed, stateName, edits, label, w);
  for (const s of subtasks) {
    const p = parsed.get(s.index)!;
    (s as unknown as { newOperator?: WOperatorHandleData }).newOperator = { version: p.data.version === 5 ? 5 : 6, lists: p.lists, broadcasts: p.broadcasts };
  }
  return changed;
}

type ParsedOps = Map<number, { data: ReturnType<typeof parseOperatorFile>; lists: ListStateData[]; broadcasts: BroadcastStateData[] }>;

/** Broadcast state: every subtask's copy gets the same edits; entries are split with the reader's codecs. */
function applyBroadcastEdits(parsed: ParsedOps, stateName: string, edits: EditOp[], label: string): number {
  const w = new ByteWriter(256);
  let changed = 0;
  for (const [sub, p] of parsed) {
    const b = p.broadcasts.find((x) => x.meta.name === stateName)!;
    const ks = b.meta.serializers.get('KEY_SERIALIZER');
    const vs = b.meta.serializers.get('VALUE_SERIALIZER');
    if (!ks || !vs) throw new WriteError(`broadcast state ${stateName} lacks its serializer snapshots`);
    const kc = codecFor(ks);
    const vc = codecFor(vs);
    if (kc.opaque || vc.opaque) throw new WriteError(`broadcast state ${stateName} has Kryo/Java/unknown types (${kc.type}, ${vc.type}) and cannot be split into entries`);
    const entries = new Map<string, [Uint8Array, Uint8Array]>();
    if (b.raw) {
      const r = new ByteReader(b.raw, `operator ${label} subtask ${sub}`);
      const n = r.i32('the broadcast entry count');
      for (let i = 0; i < n; i++) {
        const k0 = r.pos;
        kc.decode(r);
        const k1 = r.pos;
        vc.decode(r);
        entries.set(keyString(b.raw.subarray(k0, k1)), [b.raw.slice(k0, k1), b.raw.slice(k1, r.pos)]);
      }
    }
    const keyEnc = encoderFor(ks);
    const valueEnc = encoderFor(vs);
    const enc = (e: Encoder, v: unknown, where: string) => {
      try {
        w.length = 0;
        e.write(v, w);
        return w.toBytes();
      } catch (err) {
        if (err instanceof EncodeError) throw new WriteError(`${where}: ${err.message}`);
        throw err;
      }
    };
    changed = 0;
    edits.forEach((e, i) => {
      const where = `edit ${i + 1}`;
      if (e.key === undefined) throw new WriteError(`${where}: broadcast state edits need a "key"`);
      if (e.op === 'append') throw new WriteError(`${where}: "append" is for list state`);
      const kb = enc(keyEnc, e.key, where);
      const ks2 = keyString(kb);
      if (e.op === 'delete') {
        if (!entries.delete(ks2)) throw new WriteError(`${where}: no entry for key ${describeKey(e.key)}`);
      } else entries.set(ks2, [kb, enc(valueEnc, e.value, where)]);
      changed++;
    });
    b.raw = undefined;
    b.entries = [...entries.values()];
  }
  return changed;
}

function applyListEdits(parsed: ParsedOps, stateName: string, edits: EditOp[], label: string, w: ByteWriter): number {
  let changed = 0;
  const first = [...parsed.values()][0];
  const meta = first.lists.find((l) => l.meta.name === stateName)!.meta;
  const valueEnc = encoderFor(meta.serializers.get('VALUE_SERIALIZER')!);
  edits.forEach((e, i) => {
    const where = `edit ${i + 1}`;
    const sub = e.subtask ?? 0;
    const p = parsed.get(sub);
    if (!p) throw new WriteError(`${where}: subtask ${sub} of operator ${label} holds no state ${stateName} (subtasks: ${[...parsed.keys()].join(', ')})`);
    const list = p.lists.find((l) => l.meta.name === stateName)!;
    const encode = (v: unknown) => {
      try {
        w.length = 0;
        valueEnc.write(v, w);
        return w.toBytes();
      } catch (err) {
        if (err instanceof EncodeError) throw new WriteError(`${where}: ${err.message}`);
        throw err;
      }
    };
    if (e.op === 'append') list.elements.push(encode(e.value));
    else {
      const idx = e.index;
      if (idx === undefined || !Number.isInteger(idx) || idx < 0 || idx >= list.elements.length) {
        throw new WriteError(`${where}: operator list state edits need an "index" between 0 and ${list.elements.length - 1} (subtask ${sub})`);
      }
      if (e.op === 'delete') list.elements.splice(idx, 1);
      else list.elements[idx] = encode(e.value);
    }
    changed++;
  });
  return changed;
}
