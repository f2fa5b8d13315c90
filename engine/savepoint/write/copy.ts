/**
 * Carrying the state of a source savepoint over into a new one: state files are copied into the
 * new folder (each once), handles are converted for the metadata writer, and a handle's bytes can
 * be read for re-encoding. Used by `modify.ts` (the CLI's edits) and the editors' Save As.
 */
import * as fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { KeyGroupsHandle, OperatorEntry, OperatorHandle, StreamHandle } from '../metadata';
import { WKeyedHandle, WOperator, WOperatorHandle, WStream } from './metadata-writer';
import { SavepointOutput, WriteError } from './output';

/** Copies the state files of carried-over operators and converts their handles. */
export class Carrier {
  private copied = new Map<string, string>();
  /** state files copied so far */
  count = 0;
  constructor(readonly out: SavepointOutput) {}

  stream(h: StreamHandle | null, what: string): WStream {
    if (!h) throw new WriteError(`${what}: a state handle without data cannot be carried over`);
    if (h.type === 1) return { type: 1, name: h.name, data: h.data };
    if (h.type === 6 || h.type === 2) {
      const from = h.path;
      if (!from || !fs.existsSync(from)) throw new WriteError(`${what}: state file not found: ${from ?? (h.type === 2 ? h.uri : '')}`);
      let rel = this.copied.get(from);
      if (!rel) {
        rel = h.type === 6 && !h.relative.includes('..') ? h.relative : randomUUID();
        if ([...this.copied.values()].includes(rel)) rel = randomUUID();
        this.out.copyFile(from, rel);
        this.copied.set(from, rel);
        this.count++;
      }
      return { type: 6, relative: rel, size: fs.statSync(from).size };
    }
    throw new WriteError(`${what}: state handle type ${h.type} cannot be carried over yet`);
  }

  keyed(h: OperatorEntry['subtasks'][number]['managedKeyed'], what: string): WKeyedHandle | null {
    if (!h) return null;
    if (h.type !== 3 && h.type !== 7 && h.type !== 12) {
      throw new WriteError(`${what}: keyed state handle type ${h.type} (native/incremental or changelog state) cannot be carried over yet; take a canonical savepoint`);
    }
    const k = h as KeyGroupsHandle;
    return { type: k.type, start: k.start, offsets: k.offsets, data: this.stream(k.data, what), stateHandleId: k.stateHandleId };
  }

  operator(h: OperatorHandle | null, what: string): WOperatorHandle | null {
    if (!h) return null;
    if (h.type !== 4) throw new WriteError(`${what}: operator state handle type ${h.type} cannot be carried over yet`);
    return { states: h.states.map((s) => ({ name: s.name, mode: s.mode, offsets: s.offsets })), data: this.stream(h.data, what) };
  }

  carry(op: OperatorEntry): WOperator {
    const label = op.uid ?? op.id;
    return {
      id: op.id,
      name: op.name ?? '',
      uid: op.uid ?? '',
      parallelism: op.parallelism,
      maxParallelism: op.maxParallelism,
      coordinator: op.coordinator && op.coordinator.type === 1 ? { name: op.coordinator.name, data: op.coordinator.data } : null,
      finished: op.finished,
      finishedSubtasks: op.finishedSubtasks,
      subtasks: op.subtasks.map((s) => ({
        index: s.index,
        managedOperator: this.operator(s.managedOperator, `operator ${label} subtask ${s.index}`),
        rawOperator: this.operator(s.rawOperator, `operator ${label} subtask ${s.index}`),
        managedKeyed: this.keyed(s.managedKeyed, `operator ${label} subtask ${s.index}`),
        rawKeyed: this.keyed(s.rawKeyed, `operator ${label} subtask ${s.index}`),
      })),
    };
  }
}

/** How a state handle's bytes are named in errors: its file, or the inline handle's name. */
export function streamName(h: StreamHandle | null): string {
  if (!h) return '?';
  if (h.type === 6 || h.type === 2) return h.path ?? '?';
  if (h.type === 1) return `inline state ${h.name}`;
  return '?';
}

/** The bytes of a state handle (inline or a local file), to be parsed and re-encoded. */
export function readStream(h: StreamHandle | null, what: string): Uint8Array {
  if (!h) throw new WriteError(`${what}: no state data`);
  if (h.type === 1) return h.data;
  if ((h.type === 6 || h.type === 2) && h.path) return new Uint8Array(fs.readFileSync(h.path));
  throw new WriteError(`${what}: state handle type ${h.type} cannot be read for editing`);
}
