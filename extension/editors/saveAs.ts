/**
 * "Save As New Savepoint": writes the source savepoint with the editor's entry edits applied into
 * a NEW folder (no vscode import). The source is only read. Built on the writer's parts
 * (engine/savepoint/write: SavepointOutput, Carrier, parseKeyedFile, applyRawKeyedEdits / writeKeyedFile, metadataBytes).
 *
 * Edits address entries by raw composite key bytes (what the editor read), not by re-encoding the
 * key from JSON, so an edit can never land on a neighbouring key: any key type and any namespace
 * (windows) works. Untouched files are copied (the writer's Carrier); only the keyed files of
 * subtasks with edits are re-encoded (uncompressed), with the writer's applyRawKeyedEdits.
 */
import { findOperator, Savepoint } from '../../engine/savepoint/index';
import { KeyGroupsHandle } from '../../engine/savepoint/metadata';
import { parseKeyedFile } from '../../engine/savepoint/write/keyed-file';
import { Carrier, readStream, streamName } from '../../engine/savepoint/write/copy';
import { applyRawKeyedEdits, RawKeyedEdit, writeKeyedFile } from '../../engine/savepoint/write/modify';
import { metadataBytes, WKeyedHandle, WOperator } from '../../engine/savepoint/write/metadata-writer';
import { SavepointOutput, WriteError } from '../../engine/savepoint/write/output';

export { WriteError };

export interface RawEdit extends RawKeyedEdit {
  subtask: number;
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
    const carrier = new Carrier(out);
    let changed = 0;
    let rewritten = 0;
    const operators: WOperator[] = md.operators.map((o) => {
      const label = o.uid ?? o.id;
      if (o.coordinator && o.coordinator.type !== 1) throw new WriteError(`operator ${label}: coordinator state handle type ${o.coordinator.type} cannot be carried over`);
      if (o !== op) return carrier.carry(o);
      const w = carrier.carry({ ...o, subtasks: [] });
      w.subtasks = o.subtasks.map((s) => {
        const what = `operator ${label} subtask ${s.index}`;
        const mine = bySubtask.get(s.index);
        let managedKeyed: WKeyedHandle | null;
        if (mine && mine.length) {
          const h = s.managedKeyed;
          if (!h || (h.type !== 7 && h.type !== 3 && h.type !== 12)) throw new WriteError(`${what}: no canonical keyed state to edit`);
          const k = h as KeyGroupsHandle;
          const parsed = parseKeyedFile(readStream(k.data, what), streamName(k.data), k.start, k.offsets);
          changed += applyRawKeyedEdits(parsed, mine, what);
          managedKeyed = writeKeyedFile(out, parsed);
          rewritten++;
        } else managedKeyed = carrier.keyed(s.managedKeyed, what);
        return {
          index: s.index,
          managedOperator: carrier.operator(s.managedOperator, what),
          rawOperator: carrier.operator(s.rawOperator, what),
          managedKeyed,
          rawKeyed: carrier.keyed(s.rawKeyed, what),
        };
      });
      return w;
    });
    const unknownSubtasks = [...bySubtask.keys()].filter((i) => !op.subtasks.some((s) => s.index === i));
    if (unknownSubtasks.length) throw new WriteError(`operator ${op.uid ?? op.id} has no subtask ${unknownSubtasks.join(', ')}`);
    out.commit(metadataBytes({ version: version as 3 | 4 | 5 | 6, checkpointId: md.checkpointId, operators }));
    return { dir: out.target, changed, rewritten, copied: carrier.count, warnings };
  } catch (e) {
    out.abort();
    throw e;
  }
}
