/**
 * WorkspaceIndex: the classes of other files, so that `new DedupFunction()` can be resolved to a
 * class declared elsewhere (and to its superclasses, transitively).
 */
import { FileModel, CHECKPOINT_INTERFACES } from './model';
import { parse, parseSync, isLoaded } from './parser';
import type { Lang } from './types';

interface IndexedClass { name: string; supers: string[]; usesState: boolean; path: string }

export class WorkspaceIndex {
  private byPath = new Map<string, IndexedClass[]>();
  private byName = new Map<string, IndexedClass[]>();
  private memo = new Map<string, { reason: string } | null>();

  /** (Re)index a file. Parses the text; resolves once the grammar is loaded. */
  async update(path: string, text: string, lang: Lang): Promise<void> {
    const tree = await parse(text, lang);
    try {
      this.updateFromModel(path, new FileModel(tree, lang));
    } finally {
      tree.delete();
    }
  }

  /** Synchronous variant; only after the language has been loaded (e.g. after one analyzeSource call). */
  updateSync(path: string, text: string, lang: Lang): void {
    if (!isLoaded(lang)) throw new Error(`language ${lang} not loaded`);
    const tree = parseSync(text, lang);
    try {
      this.updateFromModel(path, new FileModel(tree, lang));
    } finally {
      tree.delete();
    }
  }

  updateFromModel(path: string, m: FileModel): void {
    this.removeQuiet(path);
    const list: IndexedClass[] = [];
    for (const [name, c] of m.classes) {
      list.push({ name, supers: c.supers, usesState: m.hasStateCall(c.body), path });
    }
    this.byPath.set(path, list);
    for (const c of list) {
      let l = this.byName.get(c.name);
      if (!l) this.byName.set(c.name, (l = []));
      l.push(c);
    }
    this.memo.clear();
  }

  remove(path: string): void {
    this.removeQuiet(path);
    this.memo.clear();
  }

  private removeQuiet(path: string): void {
    const old = this.byPath.get(path);
    if (!old) return;
    this.byPath.delete(path);
    for (const c of old) {
      const l = this.byName.get(c.name);
      if (!l) continue;
      const rest = l.filter((x) => x.path !== path);
      if (rest.length) this.byName.set(c.name, rest);
      else this.byName.delete(c.name);
    }
  }

  get size(): number {
    return this.byPath.size;
  }

  hasClass(name: string): boolean {
    return this.byName.has(name);
  }

  /** Why instances of the class keep Flink state, or undefined. */
  statefulClass(name: string, seen: Set<string> = new Set()): { reason: string } | undefined {
    const memo = this.memo.get(name);
    if (memo !== undefined) return memo ?? undefined;
    if (seen.has(name)) return undefined;
    seen.add(name);
    let r: { reason: string } | undefined;
    for (const c of this.byName.get(name) ?? []) {
      if (c.usesState) { r = { reason: `${name}: function uses managed state` }; break; }
      const itf = c.supers.find((s) => CHECKPOINT_INTERFACES.has(s));
      if (itf) { r = { reason: `${name}: implements ${itf}` }; break; }
      for (const s of c.supers) {
        const x = this.statefulClass(s, seen);
        if (x) { r = { reason: `${name} extends ${x.reason}` }; break; }
      }
      if (r) break;
    }
    this.memo.set(name, r ?? null);
    return r;
  }
}
