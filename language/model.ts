/**
 * One pass over a syntax tree collecting calls, declarations, functions and classes (FileModel).
 */
import type { Node, Tree } from 'web-tree-sitter';
import { ADAPTERS, Adapter, CallInfo, ClassInfo, DeclInfo, FuncInfo } from './adapters';
import type { Lang } from './types';

export interface Decl extends DeclInfo {
  /** index from which the declaration is visible */
  visibleFrom: number;
  scopeStart: number;
  scopeEnd: number;
  scopeDepth: number;
  func?: FuncRec;
}
export interface FuncRec extends FuncInfo { returns: Node[] }
export interface ClassRec extends ClassInfo { }

/** camelCase form of a (possibly snake_case) name: key_by → keyBy */
export function norm(name: string): string {
  if (!name.includes('_')) return name;
  return name.replace(/_+([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

export const STATE_CALLS = new Set([
  'getState', 'getListState', 'getMapState', 'getReducingState', 'getAggregatingState', 'getBroadcastState',
  'getOperatorStateStore', 'getUnionListState', 'getKeyedStateStore',
]);
export const CHECKPOINT_INTERFACES = new Set(['CheckpointedFunction', 'ListCheckpointed', 'CheckpointedRestoring']);

export class FileModel {
  readonly a: Adapter;
  readonly calls: CallInfo[] = [];
  readonly callByRecv = new Map<number, CallInfo>();
  readonly callByNode = new Map<number, CallInfo>();
  readonly decls = new Map<string, Decl[]>();
  readonly declByValue = new Map<number, Decl>();
  readonly funcs = new Map<string, FuncRec[]>();
  readonly classes = new Map<string, ClassRec>();
  readonly anonClasses = new Map<number, ClassRec>();
  /** start indexes of managed-state calls (getState, get_list_state, …) */
  readonly stateCalls: number[] = [];
  /** calls by (normalized) name */
  readonly callsByName = new Map<string, CallInfo[]>();

  constructor(readonly tree: Tree, readonly lang: Lang) {
    this.a = ADAPTERS[lang];
    this.walk(tree.rootNode);
  }

  private walk(root: Node): void {
    const a = this.a;
    type Scope = { start: number; end: number; depth: number; func?: FuncRec; isClass: boolean; lambda: boolean };
    const rootScope: Scope = { start: 0, end: Number.MAX_SAFE_INTEGER, depth: 0, isClass: false, lambda: false };
    /** handles one interesting node; returns the scopes for its children, or null to skip its subtree */
    const visit = (n: Node, scopes: Scope[]): Scope[] | null => {
      if (a.isComment(n)) return null;
      let inner = scopes;
      const top = scopes[scopes.length - 1];
      const fi = a.func(n);
      const ci = fi ? null : a.cls(n);
      const call = a.call(n);
      if (call) {
        this.calls.push(call);
        this.callByNode.set(n.id, call);
        if (call.recv) this.callByRecv.set(call.recv.id, call);
        const nn = norm(call.name);
        if (STATE_CALLS.has(nn)) this.stateCalls.push(n.startIndex);
        let l = this.callsByName.get(nn);
        if (!l) this.callsByName.set(nn, (l = []));
        l.push(call);
      }
      const ds = fi || ci ? null : a.decls(n);
      if (ds) {
        for (const d of ds) {
          if (!d.name) continue;
          let scope = top;
          if (d.name.startsWith('self.')) {
            for (let i = scopes.length - 1; i >= 0; i--) if (scopes[i].isClass) { scope = scopes[i]; break; }
          }
          const field = d.kind === 'field' || d.name.startsWith('self.') || (top.isClass && d.kind !== 'assign');
          const decl: Decl = { ...d, kind: field && d.kind === 'local' ? 'field' : d.kind, visibleFrom: field ? scope.start : n.endIndex,
            scopeStart: scope.start, scopeEnd: scope.end, scopeDepth: scope.depth, func: scope.func };
          this.addDecl(decl);
          if (d.value) this.declByValue.set(d.value.id, decl);
        }
      }
      if (fi) {
        const fr: FuncRec = { ...fi, returns: [] };
        let l = this.funcs.get(fi.name);
        if (!l) this.funcs.set(fi.name, (l = []));
        l.push(fr);
        const s: Scope = { start: n.startIndex, end: n.endIndex, depth: scopes.length, func: fr, isClass: false, lambda: false };
        inner = [...scopes, s];
        fi.params.forEach((p, i) => {
          if (!p.name) return;
          this.addDecl({ name: p.name, type: p.type, node: p.node, kind: 'param', paramIndex: i, visibleFrom: s.start,
            scopeStart: s.start, scopeEnd: s.end, scopeDepth: s.depth, func: fr });
        });
        if (fi.exprBody) fr.returns.push(fi.exprBody);
      } else if (ci) {
        const cr: ClassRec = { ...ci };
        if (ci.name) this.classes.set(ci.name, cr);
        else this.anonClasses.set(n.id, cr);
        inner = [...scopes, { start: n.startIndex, end: n.endIndex, depth: scopes.length, isClass: true, lambda: false }];
      } else if (a.isLambda(n)) {
        inner = [...scopes, { start: n.startIndex, end: n.endIndex, depth: scopes.length, isClass: false, lambda: true }];
      } else {
        const r = a.returned(n);
        if (r && top.func && !top.lambda) top.func.returns.push(r);
      }
      return inner;
    };
    // iterative walk with a TreeCursor: only interesting node types are materialised as Node objects
    const cursor = root.walk();
    const stack: { depth: number; scopes: Scope[] }[] = [{ depth: -1, scopes: [rootScope] }];
    let depth = 0;
    try {
      for (;;) {
        let descend = true;
        if (cursor.nodeIsNamed && a.interesting.has(cursor.nodeType)) {
          const cur = stack[stack.length - 1].scopes;
          const next = visit(cursor.currentNode, cur);
          if (next === null) descend = false;
          else if (next !== cur) stack.push({ depth, scopes: next });
        }
        if (descend && cursor.gotoFirstChild()) {
          depth++;
          continue;
        }
        for (;;) {
          while (stack.length > 1 && stack[stack.length - 1].depth >= depth) stack.pop();
          if (cursor.gotoNextSibling()) break;
          if (!cursor.gotoParent()) return;
          depth--;
        }
      }
    } finally {
      cursor.delete();
    }
  }

  private addDecl(d: Decl): void {
    let l = this.decls.get(d.name);
    if (!l) this.decls.set(d.name, (l = []));
    l.push(d);
  }

  /** declaration an identifier named `name` at index `pos` refers to */
  lookup(name: string, pos: number): Decl | undefined {
    const l = this.decls.get(name);
    if (!l) return undefined;
    let best: Decl | undefined;
    for (const d of l) {
      if (pos < d.scopeStart || pos >= d.scopeEnd || pos < d.visibleFrom) continue;
      if (!best || d.scopeDepth > best.scopeDepth || (d.scopeDepth === best.scopeDepth && d.visibleFrom >= best.visibleFrom)) best = d;
    }
    return best;
  }

  /** does the class body contain a managed-state call? */
  hasStateCall(body: Node | null): boolean {
    if (!body) return false;
    const s = body.startIndex, e = body.endIndex;
    for (const p of this.stateCalls) if (p >= s && p < e) return true;
    return false;
  }
}
