/**
 * The edits of one state-entries document, with undo and redo (no vscode import).
 *
 * An edit sets (or deletes, `value: null`) the value bytes of one entry, addressed by subtask,
 * key group, state id in that subtask's file and the composite key bytes. Edits form a stack:
 * the effective value of an entry is the one of its latest applied edit, else the stored one.
 * VS Code owns the undo stack (CustomDocumentEditEvent); its undo / redo callbacks call `undo()` /
 * `redo()` here, which always revert / re-apply the latest edit, in stack order.
 */

export interface EntryAddress {
  subtask: number;
  kg: number;
  stateId: number;
  /** composite key bytes (flag bit clear), hex */
  key: string;
}

export interface EntryEdit extends EntryAddress {
  /** new value bytes (hex), null = delete the entry */
  value: string | null;
  /** whether the entry exists in the source savepoint */
  existed: boolean;
  /** human label for the undo stack ("Edit value of key \"a\"") */
  label: string;
}

export function entryId(a: { subtask: number; kg: number; key: string }): string {
  return `${a.subtask}/${a.kg}/${a.key}`;
}

export function parseEntryId(id: string): { subtask: number; kg: number; key: string } | undefined {
  const m = /^(\d+)\/(\d+)\/([0-9a-f]*)$/.exec(id);
  if (!m) return undefined;
  return { subtask: Number(m[1]), kg: Number(m[2]), key: m[3] };
}

export interface EditSnapshot {
  version: 1;
  applied: EntryEdit[];
  undone: EntryEdit[];
  /** applied.length when last saved */
  savedAt: number;
}

export class EditModel {
  private applied: EntryEdit[] = [];
  private undone: EntryEdit[] = [];
  private readonly byId = new Map<string, EntryEdit[]>();
  private savedAt = 0;
  private readonly listeners = new Set<(e: EntryEdit, how: 'apply' | 'undo' | 'redo') => void>();

  /** Applies a new edit (clears the redo stack). */
  apply(e: EntryEdit): void {
    this.applied.push(e);
    this.undone = [];
    if (this.savedAt >= this.applied.length) this.savedAt = -1;
    this.index(e);
    this.fire(e, 'apply');
  }

  undo(): EntryEdit | undefined {
    const e = this.applied.pop();
    if (!e) return undefined;
    this.undone.push(e);
    const list = this.byId.get(entryId(e))!;
    list.pop();
    if (!list.length) this.byId.delete(entryId(e));
    this.fire(e, 'undo');
    return e;
  }

  redo(): EntryEdit | undefined {
    const e = this.undone.pop();
    if (!e) return undefined;
    this.applied.push(e);
    this.index(e);
    this.fire(e, 'redo');
    return e;
  }

  /** Drops every edit (revert to the source). */
  clear(): void {
    this.applied = [];
    this.undone = [];
    this.byId.clear();
    this.savedAt = 0;
  }

  markSaved(): void {
    this.savedAt = this.applied.length;
  }

  get dirty(): boolean {
    return this.savedAt !== this.applied.length;
  }

  /** number of applied edits */
  get size(): number {
    return this.applied.length;
  }

  get canUndo(): boolean {
    return this.applied.length > 0;
  }

  get canRedo(): boolean {
    return this.undone.length > 0;
  }

  /** The latest applied edit of an entry, if any. */
  current(id: string): EntryEdit | undefined {
    const list = this.byId.get(id);
    return list ? list[list.length - 1] : undefined;
  }

  /** The effective edit of every touched entry (what a save writes). */
  effective(): EntryEdit[] {
    const out: EntryEdit[] = [];
    for (const list of this.byId.values()) {
      const e = list[list.length - 1];
      // an entry added and then deleted again is no change at all
      if (!e.existed && e.value === null) continue;
      out.push(e);
    }
    return out;
  }

  /** Entries that do not exist in the source but are currently added, in key group kg. */
  addedIn(kg: number): EntryEdit[] {
    const out: EntryEdit[] = [];
    for (const list of this.byId.values()) {
      const e = list[list.length - 1];
      if (e.kg === kg && !e.existed && e.value !== null) out.push(e);
    }
    return out;
  }

  /** Key groups with added entries (for a pager that must show key groups that were empty). */
  keyGroupsWithAdds(): Set<number> {
    const s = new Set<number>();
    for (const list of this.byId.values()) {
      const e = list[list.length - 1];
      if (!e.existed && e.value !== null) s.add(e.kg);
    }
    return s;
  }

  onChange(fn: (e: EntryEdit, how: 'apply' | 'undo' | 'redo') => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  snapshot(): EditSnapshot {
    return { version: 1, applied: [...this.applied], undone: [...this.undone], savedAt: this.savedAt };
  }

  restore(s: EditSnapshot): void {
    if (!s || s.version !== 1 || !Array.isArray(s.applied)) throw new Error('not an edit backup');
    this.clear();
    for (const e of s.applied) {
      this.applied.push(e);
      this.index(e);
    }
    this.undone = Array.isArray(s.undone) ? [...s.undone] : [];
    // a restored backup is unsaved work
    this.savedAt = s.savedAt === s.applied.length ? -1 : s.savedAt;
  }

  private index(e: EntryEdit): void {
    const id = entryId(e);
    let list = this.byId.get(id);
    if (!list) {
      list = [];
      this.byId.set(id, list);
    }
    list.push(e);
  }

  private fire(e: EntryEdit, how: 'apply' | 'undo' | 'redo'): void {
    for (const fn of [...this.listeners]) fn(e, how);
  }
}
