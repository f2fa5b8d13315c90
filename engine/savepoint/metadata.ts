/**
 * The `_metadata` file (savepoint-format.md §4): versions 2–7, operators, subtask states and every
 * state-handle type, plus the Java-serialized CheckpointProperties trailer of V4+.
 */
import * as path from 'node:path';
import { Limits, SavepointFormatError } from './errors';
import { ByteReader, toHex } from './io';
import { localPathOf, resolveRelative } from './files';
import { JavaObject, JavaValue, readJavaObject } from './javaser';

export const METADATA_MAGIC = 0x4960672d;

export type StreamHandle =
  | { type: 1; name: string; data: Uint8Array; dataOffset: number; size: number }
  | { type: 2; uri: string; path?: string; size: number }
  | { type: 6; relative: string; path: string; size: number }
  | { type: 3; start: number; count: number; offsets: number[]; delegate: StreamHandle | null; size: number }
  | { type: 15; startPos: number; size: number; scope: number; physical: string; logicalId: string; path?: string }
  | { type: 16; size: 0 };

export interface KeyGroupsHandle {
  type: 3 | 7 | 12;
  start: number;
  count: number;
  offsets: number[];
  data: StreamHandle | null;
  stateHandleId?: string;
  size: number;
}

export interface OtherKeyedHandle {
  type: 5 | 8 | 9 | 10 | 11 | 13 | 14;
  start: number;
  count: number;
  size: number;
  /** incremental and native RocksDB handles (5, 11): the meta data, shared and private files */
  files?: { name: string; handle: StreamHandle }[];
}

export type KeyedHandle = KeyGroupsHandle | OtherKeyedHandle;

export interface OperatorStateMeta {
  name: string;
  mode: number; // 0 SPLIT_DISTRIBUTE, 1 UNION, 2 BROADCAST
  offsets: number[];
}

export interface OperatorHandle {
  type: 4 | 17;
  states: OperatorStateMeta[];
  data: StreamHandle | null;
  size: number;
  /**
   * Type 17 with the is-empty flag: a file-merging checkpoint's placeholder that holds no operator
   * state (Flink's restore skips it; its data is the empty segment, type 16).
   */
  empty?: boolean;
}

export interface SubtaskState {
  index: number;
  managedOperator: OperatorHandle | null;
  rawOperator: OperatorHandle | null;
  managedKeyed: KeyedHandle | null;
  rawKeyed: KeyedHandle | null;
  channelStateSize: number;
}

export interface OperatorEntry {
  /** 32 lowercase hex digits. */
  id: string;
  name?: string;
  uid?: string;
  parallelism: number;
  maxParallelism: number;
  coordinator: StreamHandle | null;
  finished: boolean;
  subtasks: SubtaskState[];
  finishedSubtasks: number[];
}

export interface MasterState {
  name: string;
  version: number;
  size: number;
}

export interface Metadata {
  file: string;
  dir: string;
  version: number;
  checkpointId: bigint;
  masterStates: MasterState[];
  operators: OperatorEntry[];
  format?: string;
  snapshotType?: string;
}

class Parser {
  constructor(
    readonly r: ByteReader,
    readonly dir: string,
    readonly version: number,
  ) {}

  streamHandle(depth = 0): StreamHandle | null {
    const r = this.r;
    const at = r.offset;
    const type = r.u8('a stream handle type');
    switch (type) {
      case 0:
        return null;
      case 1: {
        const name = r.utf('the inline handle name');
        const lenAt = r.offset;
        const n = r.i32('the inline data length');
        if (n < 0) r.fail('a non-negative inline data length', String(n), lenAt);
        const dataOffset = r.offset;
        const data = r.bytes(n, 'inline state bytes');
        return { type: 1, name, data, dataOffset, size: n };
      }
      case 2: {
        const size = this.size('the file state size');
        const uri = r.utf('the file path');
        return { type: 2, uri, path: localPathOf(uri), size };
      }
      case 6: {
        const pAt = r.offset;
        const relative = r.utf('the relative file path');
        const size = this.size('the relative file state size');
        const p = resolveRelative(this.dir, relative);
        if (p === undefined) return r.fail('a relative path inside the savepoint directory', JSON.stringify(relative), pAt);
        return { type: 6, relative, path: p, size };
      }
      case 3: {
        if (depth > 4) r.fail('a less deeply nested key-groups stream handle', undefined, at);
        const { start, count, offsets } = this.keyGroupOffsets();
        const delegate = this.streamHandle(depth + 1);
        return { type: 3, start, count, offsets, delegate, size: delegate?.size ?? 0 };
      }
      case 15: {
        const startPos = this.size('the segment start position');
        const size = this.size('the segment size');
        const scope = r.i32('the segment scope');
        const physical = r.utf('the physical file path');
        const logicalId = r.utf('the logical file id');
        return { type: 15, startPos, size, scope, physical, logicalId, path: localPathOf(physical) };
      }
      case 16:
        return { type: 16, size: 0 };
      default:
        return r.fail('a stream handle type (0, 1, 2, 3, 6, 15, 16)', String(type), at);
    }
  }

  size(what: string): number {
    const at = this.r.offset;
    const v = this.r.i64n(what);
    if (v < 0) this.r.fail(`a non-negative ${what}`, String(v), at);
    return v;
  }

  keyGroupOffsets(): { start: number; count: number; offsets: number[] } {
    const r = this.r;
    const sAt = r.offset;
    const start = r.i32('the start key group');
    if (start < 0 || start > 32768) r.fail('a start key group between 0 and 32768', String(start), sAt);
    const count = r.count('the number of key groups', 8, 32768);
    const offsets: number[] = [];
    for (let i = 0; i < count; i++) offsets.push(r.i64n('a key-group offset'));
    return { start, count, offsets };
  }

  keyedHandle(): KeyedHandle | null {
    const r = this.r;
    const at = r.offset;
    const type = r.u8('a keyed state handle type');
    switch (type) {
      case 0:
        return null;
      case 3:
      case 7:
      case 12: {
        const { start, count, offsets } = this.keyGroupOffsets();
        const data = this.streamHandle();
        const h: KeyGroupsHandle = { type, start, count, offsets, data, size: data?.size ?? 0 };
        if (type === 12) h.stateHandleId = r.utf('the state handle id');
        return h;
      }
      case 5:
      case 11: {
        r.i64('the checkpoint id');
        r.utf('the backend id');
        const start = r.i32('the start key group');
        const count = r.i32('the number of key groups');
        if (type === 11) r.i64('the checkpointed size');
        const files: { name: string; handle: StreamHandle }[] = [];
        const meta = this.streamHandle();
        if (meta) files.push({ name: 'the meta data', handle: meta });
        let size = meta?.size ?? 0;
        for (let list = 0; list < 2; list++) {
          const n = r.count('the number of RocksDB files', 3);
          for (let i = 0; i < n; i++) {
            const name = r.utf('a local file name');
            const h = this.streamHandle();
            size += h?.size ?? 0;
            if (h) files.push({ name, handle: h });
          }
        }
        if (type === 11) r.utf('the state handle id');
        return { type, start, count, size, files };
      }
      case 8:
      case 14: {
        const start = r.i32('the start key group');
        const count = r.i32('the number of key groups');
        const size = this.size('the checkpointed size');
        for (let part = 0; part < 2; part++) {
          const n = r.count('the number of changelog handles', 1);
          for (let i = 0; i < n; i++) {
            if (this.depth++ > 8) r.fail('less deeply nested changelog handles', undefined, at);
            this.keyedHandle();
            this.depth--;
          }
        }
        r.i64('the materialization id');
        if (type === 14) r.i64('the checkpoint id');
        r.utf('the state handle id');
        return { type, start, count, size };
      }
      case 9: {
        const start = r.i32('the start key group');
        const count = r.i32('the number of key groups');
        r.i64('the from sequence number');
        r.i64('the to sequence number');
        const n = r.count('the number of state changes', 8);
        let size = 0;
        for (let i = 0; i < n; i++) {
          r.i32('a change key group');
          size += r.lenBytes('a state change').length;
        }
        r.utf('the state handle id');
        return { type, start, count, size };
      }
      case 10:
      case 13: {
        const start = r.i32('the start key group');
        const count = r.i32('the number of key groups');
        const n = r.count('the number of changelog stream handles', 9);
        for (let i = 0; i < n; i++) {
          r.i64('a changelog offset');
          this.streamHandle();
        }
        const size = this.size('the changelog state size');
        r.i64('the checkpointed size');
        r.utf('the state handle id');
        if (type === 13) r.utf('the storage identifier');
        return { type, start, count, size };
      }
      default:
        return r.fail('a keyed state handle type (0, 3, 5, 7–14)', String(type), at);
    }
  }

  private depth = 0;

  operatorHandle(): OperatorHandle | null {
    const r = this.r;
    const at = r.offset;
    const type = r.u8('an operator state handle type');
    if (type === 0) return null;
    if (type !== 4 && type !== 17) r.fail('an operator state handle type (0, 4, 17)', String(type), at);
    const n = r.count('the number of operator states', 7);
    const states: OperatorStateMeta[] = [];
    for (let i = 0; i < n; i++) {
      const name = r.utf('an operator state name');
      const mAt = r.offset;
      const mode = r.u8('a distribution mode');
      if (mode > 2) r.fail('a distribution mode (0, 1, 2)', String(mode), mAt);
      const k = r.count('the number of offsets', 8);
      const offsets: number[] = [];
      for (let j = 0; j < k; j++) offsets.push(r.i64n('an operator state offset'));
      states.push({ name, mode, offsets });
    }
    let empty = false;
    if (type === 17) {
      r.utf('the task-owned directory');
      r.utf('the shared directory');
      empty = r.bool('the is-empty flag');
    }
    const data = this.streamHandle();
    const h: OperatorHandle = { type: type as 4 | 17, states, data, size: data?.size ?? 0 };
    if (empty) h.empty = true;
    return h;
  }

  channelStates(): number {
    const r = this.r;
    const n = r.count('the number of channel state handles', 5);
    let size = 0;
    for (let i = 0; i < n; i++) {
      let kind = 1;
      if (this.version >= 6) {
        const at = r.offset;
        kind = r.u8('a channel state handle type');
        if (kind < 1 || kind > 4) r.fail('a channel state handle type (1–4)', String(kind), at);
      }
      if (kind <= 2) {
        r.i32('the subtask index');
        r.i32('the channel info');
        r.i32('the channel info');
        const k = r.count('the number of channel offsets', 8);
        r.skip(8 * k, 'channel offsets');
        size += this.size('the channel state size');
        this.streamHandle();
      } else {
        r.i32('the subtask index');
        size += this.size('the channel state size');
        this.streamHandle();
        r.lenBytes('the merged channel offsets');
      }
    }
    return size;
  }

  subtaskState(index: number): SubtaskState {
    const r = this.r;
    let managedOperator: OperatorHandle | null = null;
    let rawOperator: OperatorHandle | null = null;
    if (r.i32('the managed operator state flag') !== 0) managedOperator = this.operatorHandle();
    if (r.i32('the raw operator state flag') !== 0) rawOperator = this.operatorHandle();
    const managedKeyed = this.keyedHandle();
    const rawKeyed = this.keyedHandle();
    let channelStateSize = 0;
    if (this.version >= 3) {
      channelStateSize += this.channelStates();
      channelStateSize += this.channelStates();
    }
    if (this.version >= 7) {
      const at = r.offset;
      const marker = r.u8('the reference checkpoint id marker');
      if (marker === 1) r.i64('the reference checkpoint id');
      else if (marker !== 0) r.fail('a reference checkpoint id marker (0 or 1)', String(marker), at);
    }
    return { index, managedOperator, rawOperator, managedKeyed, rawKeyed, channelStateSize };
  }

  operator(): OperatorEntry {
    const r = this.r;
    let name: string | undefined;
    let uid: string | undefined;
    if (this.version >= 5) {
      name = r.utf('the operator name') || undefined;
      uid = r.utf('the operator uid') || undefined;
    }
    const idBytes = r.bytes(16, 'the operator id');
    const id = toHex(idBytes);
    const pAt = r.offset;
    const parallelism = r.i32('the parallelism');
    const maxParallelism = r.i32('the max parallelism');
    if (parallelism < 0 || maxParallelism < 0 || maxParallelism > 32768) {
      r.fail('a parallelism and a max parallelism between 0 and 32768', `${parallelism}/${maxParallelism}`, pAt);
    }
    let coordinator: StreamHandle | null = null;
    if (this.version === 2) {
      r.i32('the chain length');
    } else {
      const hAt = r.offset;
      coordinator = this.streamHandle();
      if (coordinator && coordinator.type !== 1) r.fail('a null or inline coordinator state handle', `type ${coordinator.type}`, hAt);
    }
    const cAt = r.offset;
    const count = r.i32('the subtask count');
    const subtasks: SubtaskState[] = [];
    const finishedSubtasks: number[] = [];
    let finished = false;
    if (count === -1 && this.version >= 3) {
      finished = true;
    } else {
      if (count < 0 || count > r.remaining / 4) {
        r.fail(`a subtask count between 0 and ${Math.floor(r.remaining / 4)}`, String(count), cAt);
      }
      for (let i = 0; i < count; i++) {
        const iAt = r.offset;
        const idx = r.i32('a subtask index');
        if (idx < 0) {
          if (idx === -0x80000000) r.fail('a subtask index', String(idx), iAt);
          finishedSubtasks.push(-idx - 1);
          continue;
        }
        if (idx >= 32768) r.fail('a subtask index below 32768', String(idx), iAt);
        if (this.version === 2) {
          r.i64('the legacy duration');
          const legacy = r.i32('the legacy state count');
          if (legacy !== 0) r.fail('no legacy state (count 0)', String(legacy));
        }
        subtasks.push(this.subtaskState(idx));
      }
    }
    return { id, name, uid, parallelism, maxParallelism, coordinator, finished, subtasks, finishedSubtasks };
  }
}

function readProperties(r: ByteReader): { format?: string; snapshotType?: string } {
  if (r.remaining === 0) return {};
  const v = readJavaObject(r);
  if (!isObject(v)) return {};
  const type = v.fields.checkpointType;
  if (!isObject(type)) return {};
  const out: { format?: string; snapshotType?: string } = {};
  const fmt = type.fields.formatType;
  if (fmt && typeof fmt === 'object' && 'kind' in fmt && fmt.kind === 'enum') out.format = fmt.name;
  const name = type.fields.name;
  if (typeof name === 'string') out.snapshotType = name;
  return out;
}

function isObject(v: JavaValue): v is JavaObject {
  return !!v && typeof v === 'object' && 'kind' in v && v.kind === 'object';
}

/**
 * Parses a whole `_metadata` buffer. `file` names it in errors; relative handles resolve against
 * its directory.
 */
export function parseMetadata(buf: Uint8Array, file: string): Metadata {
  const r = new ByteReader(buf, file);
  const magic = r.i32('the metadata magic number');
  if (magic >>> 0 !== METADATA_MAGIC) r.fail('the metadata magic number 0x4960672D', `0x${(magic >>> 0).toString(16)}`, 0);
  const version = r.i32('the metadata version');
  if (version < 2 || version > 7) r.fail('a metadata version between 2 and 7', String(version), 4);
  const dir = path.dirname(path.resolve(file));
  const p = new Parser(r, dir, version);
  const idAt = r.offset;
  const checkpointId = r.i64('the checkpoint id');
  if (checkpointId < 0n) r.fail('a non-negative checkpoint id', checkpointId.toString(), idAt);
  const masterStates: MasterState[] = [];
  const nm = r.count('the master state count', 8);
  for (let i = 0; i < nm; i++) {
    const mAt = r.offset;
    const magic2 = r.i32('the master state magic');
    if (magic2 >>> 0 !== 0xc96b1696) r.fail('the master state magic 0xC96B1696', `0x${(magic2 >>> 0).toString(16)}`, mAt);
    const lAt = r.offset;
    const len = r.i32('the master state length');
    if (len <= 0) r.fail('a positive master state length', String(len), lAt);
    const inner = r.slice(len, 'the master state');
    const v = inner.i32('the master state version');
    const name = inner.utf('the master state name');
    const payload = inner.lenBytes('the master state payload');
    inner.expectEnd('the master state');
    masterStates.push({ name, version: v, size: payload.length });
  }
  const no = r.count('the operator count', 16 + 8 + 4, Limits.maxCount);
  const operators: OperatorEntry[] = [];
  for (let i = 0; i < no; i++) operators.push(p.operator());
  let props: { format?: string; snapshotType?: string } = {};
  if (version >= 4) {
    props = readProperties(r);
  }
  return { file, dir, version, checkpointId, masterStates, operators, ...props };
}

export function isSavepointFormatError(e: unknown): e is SavepointFormatError {
  return e instanceof SavepointFormatError;
}
