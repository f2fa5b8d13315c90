/**
 * "Save As New Savepoint": writes the source savepoint with the editor's entry edits applied into
 * a NEW folder (no vscode import). The source is only read. Built on the writer's parts
 * (engine/savepoint/write: SavepointOutput, parseKeyedFile / encodeKeyedFile, metadataBytes).
 *
 * Edits address entries by raw composite key bytes (what the editor read), not by re-encoding the
 * key from JSON, so an edit can never land on a neighbouring key: any key type and any namespace
 * (windows) works. Untouched files are copied; only the keyed files of subtasks with edits are
 * re-encoded (uncompressed).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { findOperator, Savepoint } from '../../engine/savepoint/index';
import { KeyGroupsHandle, OperatorEntry, OperatorHandle, StreamHandle } from '../../engine/savepoint/metadata';
import { encodeKeyedFile, parseKeyedFile, uncompressedHeader } from '../../engine/savepoint/write/keyed-file';
import { metadataBytes, WKeyedHandle, WOperator, WOperatorHandle, WStream } from '../../engine/savepoint/write/metadata-writer';
import { SavepointOutput, WriteError } from '../../engine/savepoint/write/output';

export { WriteError };

export interface RawEdit {
  subtask: number;
  kg: number;
  /** the state's name; its id is looked up in the subtask's own file */
  state: string;
  key: Uint8Array;
  /** null = delete */
  value: Uint8Array | null;
}

export interface SaveResult {
  dir: string;
  /** entries put or deleted */
  changed: number;
  /** data files re-encoded / copied */
  rewritten: number;
  copied: number;
  warnings: string[];
}

class Copier {
  private readonly copied = new Map<string, string>();
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
        rel = h.type === 6 && !h.relative.includes('..') && !h.relative.includes('/') ? h.relative : crypto.randomUUID();
        if ([...this.copied.values()].includes(rel)) rel = crypto.randomUUID();
        this.out.copyFile(from, rel);
        this.copied.set(from, rel);
        this.count++;
      }
      return { type: 6, relative: rel, size: fs.statSync(from).size };
    }
    throw new WriteError(`${what}: state handle type ${h.type} cannot be carried over`);
  }

  keyed(h: OperatorEntry['subtasks'][number]['managedKeyed'], what: string): WKeyedHandle | null {
    if (!h) return null;
    if (h.type !== 3 && h.type !== 7 && h.type !== 12) {
      throw new WriteError(`${what}: keyed state handle type ${h.type} (native/incremental or changelog state) cannot be carried over; take a canonical savepoint`);
    }
    const k = h as KeyGroupsHandle;
    return { type: k.type, start: k.start, offsets: k.offsets, data: this.stream(k.data, what), stateHandleId: k.stateHandleId };
  }

  operator(h: OperatorHandle | null, what: string): WOperatorHandle | null {
    if (!h) return null;
    if (h.type !== 4) throw new WriteError(`${what}: operator state handle type ${h.type} cannot be carried over`);
    return { states: h.states.map((s) => ({ name: s.name, mode: s.mode, offsets: s.offsets })), data: this.stream(h.data, what) };
  }
}

function readStream(h: StreamHandle | null, what: string): { buf: Uint8Array; name: string } {
  if (!h) throw new WriteError(`${what}: no state data`);
  if (h.type === 1) return { buf: h.data, name: `inline state ${h.name}` };
  if ((h.type === 6 || h.type === 2) && h.path) return { buf: new Uint8Array(fs.readFileSync(h.path)), name: h.path };
  throw new WriteError(`${what}: state handle type ${h.type} cannot be read for editing`);
}

/** Writes `sp` with `edits` to operator `opId` into the new folder `target` (which must not exist). */
export function saveEditedSavepoint(sp: Savepoint, opId: string, edits: RawEdit[], target: string): SaveResult {
  const md = sp.metadata;
  const op = findOperator(sp, opId);
  if (!op) throw new WriteError(`no operator ${opId} in ${sp.metadataPath}`);
  const version = md.version;
  if (version < 3 || version > 6) throw new WriteError(`metadata version ${version} cannot be written (3–6)`);
  const warnings: string[] = [];
  if (md.masterStates.length) warnings.push(`${md.masterStates.length} master hook state(s) are not carried over`);
  for (const o of md.operators) {
    for (const s of o.subtasks) {
      if (s.channelStateSize > 0) throw new WriteError(`operator ${o.uid ?? o.id} subtask ${s.index} holds in-flight data of an unaligned checkpoint, which cannot be rewritten; take a savepoint`);
    }
  }
  const bySubtask = new Map<number, RawEdit[]>();
  for (const e of edits) {
    const list = bySubtask.get(e.subtask) ?? [];
    list.push(e);
    bySubtask.set(e.subtask, list);
  }
  const out = new SavepointOutput(target, [sp.dir]);
  try {
    const copier = new Copier(out);
    let changed = 0;
    let rewritten = 0;
    const operators: WOperator[] = md.operators.map((o) => {
      const label = o.uid ?? o.id;
      if (o.coordinator && o.coordinator.type !== 1) throw new WriteError(`operator ${label}: coordinator state handle type ${o.coordinator.type} cannot be carried over`);
      return {
        id: o.id,
        name: o.name ?? '',
        uid: o.uid ?? '',
        parallelism: o.parallelism,
        maxParallelism: o.maxParallelism,
        coordinator: o.coordinator && o.coordinator.type === 1 ? { name: o.coordinator.name, data: o.coordinator.data } : null,
        finished: o.finished,
        finishedSubtasks: o.finishedSubtasks,
        subtasks: o.subtasks.map((s) => {
          const what = `operator ${label} subtask ${s.index}`;
          const mine = o === op ? bySubtask.get(s.index) : undefined;
          let managedKeyed: WKeyedHandle | null;
          if (mine && mine.length) {
            const h = s.managedKeyed;
            if (!h || (h.type !== 7 && h.type !== 3 && h.type !== 12)) throw new WriteError(`${what}: no canonical keyed state to edit`);
            const k = h as KeyGroupsHandle;
            const { buf, name } = readStream(k.data, what);
            const parsed = parseKeyedFile(buf, name, k.start, k.offsets);
            for (const e of mine) {
              const sid = parsed.states.findIndex((m) => m.name === e.state);
              if (sid < 0) throw new WriteError(`${what}: its keyed file does not declare state ${JSON.stringify(e.state)}`);
              if (e.kg < parsed.start || e.kg > parsed.end) throw new WriteError(`${what}: key group ${e.kg} is outside its range ${parsed.start}–${parsed.end}`);
              if (e.value === null) {
                if (parsed.table.delete(e.kg, sid, e.key)) changed++;
              } else {
                parsed.table.put(e.kg, sid, e.key, e.value);
                changed++;
              }
            }
            const f = encodeKeyedFile(uncompressedHeader(parsed.header), parsed.start, parsed.end, parsed.table, false);
            const file = out.writeDataFile(f.chunks);
            rewritten++;
            managedKeyed = { type: 7, start: parsed.start, offsets: f.offsets, data: { type: 6, relative: file.relative, size: file.size } };
          } else managedKeyed = copier.keyed(s.managedKeyed, what);
          return {
            index: s.index,
            managedOperator: copier.operator(s.managedOperator, what),
            rawOperator: copier.operator(s.rawOperator, what),
            managedKeyed,
            rawKeyed: copier.keyed(s.rawKeyed, what),
          };
        }),
      };
    });
    const unknownSubtasks = [...bySubtask.keys()].filter((i) => !op.subtasks.some((s) => s.index === i));
    if (unknownSubtasks.length) throw new WriteError(`operator ${op.uid ?? op.id} has no subtask ${unknownSubtasks.join(', ')}`);
    out.commit(metadataBytes({ version: version as 3 | 4 | 5 | 6, checkpointId: md.checkpointId, operators }));
    return { dir: out.target, changed, rewritten, copied: copier.count, warnings };
  } catch (e) {
    out.abort();
    throw e;
  }
}
