/**
 * The `_metadata` file (savepoint-format.md §4), versions 3–6: checkpoint id, no master states,
 * operators with subtask states, handles of types 0, 1, 3/7/12, 4, 6; V4+ end with the
 * Java-serialized `null` CheckpointProperties (AC ED 00 05 70), as the State Processor API writes.
 */
import { ByteWriter } from '../writer-io';
import { fromHex } from '../io';
import { KeyGroupsHandle, METADATA_MAGIC, Metadata, OperatorHandle, StreamHandle } from '../metadata';
import { randomUUID } from 'node:crypto';

export type WStream = { type: 1; name: string; data: Uint8Array } | { type: 6; relative: string; size: number };

export interface WKeyedHandle {
  type: 3 | 7 | 12;
  start: number;
  offsets: number[];
  data: WStream;
  stateHandleId?: string;
}

export interface WOperatorHandle {
  states: { name: string; mode: number; offsets: number[] }[];
  data: WStream;
}

export interface WSubtask {
  index: number;
  managedOperator?: WOperatorHandle | null;
  rawOperator?: WOperatorHandle | null;
  managedKeyed?: WKeyedHandle | null;
  rawKeyed?: WKeyedHandle | null;
}

export interface WOperator {
  /** 32 lowercase hex digits. */
  id: string;
  /** V5+: stored next to the id ('' = none). */
  name?: string;
  uid?: string;
  parallelism: number;
  maxParallelism: number;
  coordinator?: { name: string; data: Uint8Array } | null;
  /** Stored as fully finished (subtask count −1). */
  finished?: boolean;
  subtasks: WSubtask[];
  finishedSubtasks?: number[];
}

export interface WMetadata {
  version: 3 | 4 | 5 | 6;
  checkpointId?: bigint;
  operators: WOperator[];
  /** V4+: the Java-serialized CheckpointProperties to end with (default: the `null` trailer). */
  trailer?: Uint8Array;
}

/** Java serialization of `null`: stream magic, version, TC_NULL. */
export const NULL_PROPERTIES_TRAILER = Uint8Array.from([0xac, 0xed, 0x00, 0x05, 0x70]);

function streamHandle(w: ByteWriter, h: WStream | null | undefined): void {
  if (!h) {
    w.u8(0);
    return;
  }
  if (h.type === 1) {
    w.u8(1);
    w.utf(h.name);
    w.lenBytes(h.data);
  } else {
    w.u8(6);
    w.utf(h.relative);
    w.i64(h.size);
  }
}

function keyedHandle(w: ByteWriter, h: WKeyedHandle | null | undefined): void {
  if (!h) {
    w.u8(0);
    return;
  }
  w.u8(h.type);
  w.i32(h.start);
  w.i32(h.offsets.length);
  for (const o of h.offsets) w.i64(o);
  streamHandle(w, h.data);
  if (h.type === 12) w.utf(h.stateHandleId ?? cryptoRandomUuid());
}

function operatorHandle(w: ByteWriter, h: WOperatorHandle): void {
  w.u8(4);
  w.i32(h.states.length);
  for (const s of h.states) {
    w.utf(s.name);
    w.u8(s.mode);
    w.i32(s.offsets.length);
    for (const o of s.offsets) w.i64(o);
  }
  streamHandle(w, h.data);
}

export function metadataBytes(m: WMetadata): Uint8Array {
  const w = new ByteWriter(4096);
  w.i32(METADATA_MAGIC | 0);
  w.i32(m.version);
  w.i64(m.checkpointId ?? 0n);
  w.i32(0); // master states
  w.i32(m.operators.length);
  for (const op of m.operators) {
    if (!/^[0-9a-f]{32}$/.test(op.id)) throw new Error(`bad operator id ${op.id}`);
    if (m.version >= 5) {
      w.utf(op.name ?? '');
      w.utf(op.uid ?? '');
    }
    w.bytes(fromHex(op.id));
    w.i32(op.parallelism);
    w.i32(op.maxParallelism);
    if (op.coordinator) {
      w.u8(1);
      w.utf(op.coordinator.name);
      w.lenBytes(op.coordinator.data);
    } else w.u8(0);
    if (op.finished) {
      w.i32(-1);
      continue;
    }
    const fin = op.finishedSubtasks ?? [];
    w.i32(op.subtasks.length + fin.length);
    for (const i of fin) w.i32(-(i + 1));
    for (const s of op.subtasks) {
      w.i32(s.index);
      for (const h of [s.managedOperator, s.rawOperator]) {
        if (h) {
          w.i32(1);
          operatorHandle(w, h);
        } else w.i32(0);
      }
      keyedHandle(w, s.managedKeyed);
      keyedHandle(w, s.rawKeyed);
      w.i32(0); // input channel state
      w.i32(0); // result subpartition state
    }
  }
  if (m.version >= 4) w.bytes(m.trailer ?? NULL_PROPERTIES_TRAILER);
  return w.toBytes();
}

export function cryptoRandomUuid(): string {
  return randomUUID();
}

/**
 * A parsed `_metadata` as the writer's input, handle for handle: inline (1) and relative (6) stream
 * handles, canonical and full key-group handles (3, 7, 12), partitionable operator handles. Throws
 * for anything else (native/incremental or changelog state, absolute paths), which the writer does
 * not reproduce. `version` overrides the source's metadata version.
 */
export function asWriterMetadata(m: Metadata, version: WMetadata['version'] = m.version as WMetadata['version']): WMetadata {
  const stream = (h: StreamHandle | null): WStream => {
    if (h?.type === 1) return { type: 1, name: h.name, data: h.data };
    if (h?.type === 6) return { type: 6, relative: h.relative, size: h.size };
    throw new Error(`stream handle type ${h?.type} is not written`);
  };
  const keyed = (h: { type: number } | null): WKeyedHandle | null => {
    if (!h) return null;
    if (h.type !== 3 && h.type !== 7 && h.type !== 12) throw new Error(`keyed handle type ${h.type} is not written`);
    const k = h as KeyGroupsHandle;
    return { type: k.type, start: k.start, offsets: k.offsets, data: stream(k.data), stateHandleId: k.stateHandleId };
  };
  const op = (h: OperatorHandle | null): WOperatorHandle | null => (h ? { states: h.states, data: stream(h.data) } : null);
  return {
    version,
    checkpointId: m.checkpointId,
    operators: m.operators.map((o) => ({
      id: o.id,
      name: o.name ?? '',
      uid: o.uid ?? '',
      parallelism: o.parallelism,
      maxParallelism: o.maxParallelism,
      coordinator: o.coordinator?.type === 1 ? { name: o.coordinator.name, data: o.coordinator.data } : null,
      finished: o.finished,
      finishedSubtasks: o.finishedSubtasks,
      subtasks: o.subtasks.map((s) => ({ index: s.index, managedOperator: op(s.managedOperator), rawOperator: op(s.rawOperator), managedKeyed: keyed(s.managedKeyed), rawKeyed: keyed(s.rawKeyed) })),
    })),
  };
}
