import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { OperatorInfo, Savepoint, StateInfo, murmur, savepointEngine } from './engine';
import { formatBytes, logError, output } from './log';

export type SavepointNode = {
  kind: 'savepoint';
  dir: string;
  label: string;
  sp?: Savepoint;
  error?: string;
};
export type OperatorNode = { kind: 'operator'; parent: SavepointNode; op: OperatorInfo; uid?: string; uidSource?: 'savepoint' | 'workspace' };
/** `measured`: bytes and entry count of the state (extension/editors/stateAccess.ts stateSizes), once known */
export type StateNode = { kind: 'state'; parent: OperatorNode; state: StateInfo; measured?: { bytes: number; count?: number } };
export type MessageNode = { kind: 'message' | 'error'; parent?: SavepointNode | OperatorNode; text: string; detail?: string };
export type Node = SavepointNode | OperatorNode | StateNode | MessageNode;

/** Resolve `flinkSavepoints.savepointFolders` entries (absolute, ~, or relative to the first workspace folder). */
function configuredFolders(): string[] {
  const cfg = vscode.workspace.getConfiguration('flinkSavepoints');
  const list = cfg.get<string[]>('savepointFolders', []) ?? [];
  const base = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  return list
    .filter((s) => typeof s === 'string' && s.trim())
    .map((s) => {
      let p = s.trim();
      if (p.startsWith('~')) p = path.join(process.env.HOME ?? '', p.slice(1));
      if (!path.isAbsolute(p) && base) p = path.join(base, p);
      return path.normalize(p);
    });
}

/** Folders holding `_metadata` below `root` (root itself included), at most `depth` levels down. */
function scanFolder(root: string, depth = 4, out: string[] = []): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(root, { withFileTypes: true });
  } catch {
    return out;
  }
  if (entries.some((e) => e.isFile() && e.name === '_metadata')) {
    out.push(root);
    return out;
  }
  if (depth <= 0) return out;
  for (const e of entries) {
    if (e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.')) scanFolder(path.join(root, e.name), depth - 1, out);
  }
  return out;
}

export class SavepointTreeProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined | void>();
  readonly onDidChangeTreeData = this.changed.event;
  private roots: Promise<SavepointNode[]> | undefined;
  private readonly states = new Map<string, Promise<StateInfo[]>>();
  /** per savepoint+operator: measured state sizes (undefined while measuring; an empty map when not measurable) */
  private readonly sizes = new Map<string, Map<string, { bytes: number; count?: number }> | undefined>();
  /** keyed state above this many bytes is not measured (the operator's states show no size) */
  sizeBudgetBytes = 64 * 1024 * 1024;
  private readonly measuring = new Map<string, object>();
  private workspaceUids: Map<string, string> | undefined;
  /** savepoint folders of the last load (for cheap checks on deletions) */
  private knownDirs: string[] = [];
  private timer: NodeJS.Timeout | undefined;

  /** Command run when a savepoint item is clicked (gets the SavepointNode). */
  openCommand = 'flinkSavepoints.openSavepoint';

  /** Optional source of uids declared in the workspace's job code (for naming operators). */
  uidProvider?: () => Promise<string[]>;

  refresh(): void {
    this.roots = undefined;
    this.states.clear();
    this.sizes.clear();
    this.measuring.clear();
    this.workspaceUids = undefined;
    this.changed.fire();
  }

  /** Debounced refresh for file watcher bursts. */
  refreshSoon(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(), 300);
  }

  /** Whether deleting `p` removes a listed savepoint (p is one of them or a parent folder). */
  isAffectedByDeletion(p: string): boolean {
    return this.knownDirs.some((d) => d === p || d.startsWith(p.endsWith(path.sep) ? p : p + path.sep));
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.changed.dispose();
  }

  async savepoints(): Promise<SavepointNode[]> {
    if (!this.roots) this.roots = this.load();
    return this.roots;
  }

  private async discover(): Promise<string[]> {
    const dirs = new Set<string>();
    if (vscode.workspace.workspaceFolders?.length) {
      const found = await vscode.workspace.findFiles('**/_metadata', '**/node_modules/**', 500);
      for (const uri of found) if (uri.scheme === 'file') dirs.add(path.dirname(uri.fsPath));
    }
    for (const folder of configuredFolders()) for (const d of scanFolder(folder)) dirs.add(d);
    return [...dirs].sort((a, b) => a.localeCompare(b));
  }

  private async load(): Promise<SavepointNode[]> {
    const dirs = await this.discover();
    this.knownDirs = dirs;
    output().info(`found ${dirs.length} savepoint folder(s)`);
    return Promise.all(dirs.map((dir) => this.open(dir)));
  }

  private async open(dir: string): Promise<SavepointNode> {
    const node: SavepointNode = { kind: 'savepoint', dir, label: path.basename(dir) };
    try {
      const engine = await savepointEngine();
      node.sp = await engine.openSavepoint(dir);
    } catch (e) {
      node.error = e instanceof Error ? e.message : String(e);
      logError(`cannot read savepoint ${dir}`, e);
    }
    return node;
  }

  async uidsByOperatorId(): Promise<Map<string, string>> {
    if (this.workspaceUids) return this.workspaceUids;
    const map = new Map<string, string>();
    try {
      const uids = this.uidProvider ? await this.uidProvider() : [];
      if (uids.length) {
        const m = await murmur();
        for (const uid of uids) map.set(m.operatorIdFromUid(uid).toLowerCase(), uid);
      }
    } catch (e) {
      logError('cannot collect uids from the workspace', e);
    }
    this.workspaceUids = map;
    return map;
  }

  async getChildren(element?: Node): Promise<Node[]> {
    try {
      if (!element) {
        const roots = await this.savepoints();
        return roots;
      }
      if (element.kind === 'savepoint') {
        if (element.error || !element.sp) {
          return [{ kind: 'error', parent: element, text: element.error ?? 'cannot read savepoint' }];
        }
        const known = await this.uidsByOperatorId();
        return element.sp.operators.map((op): OperatorNode => {
          const fromWs = known.get(op.id.toLowerCase());
          return {
            kind: 'operator', parent: element, op,
            uid: op.uid ?? fromWs,
            uidSource: op.uid ? 'savepoint' : fromWs ? 'workspace' : undefined,
          };
        });
      }
      if (element.kind === 'operator') {
        const sp = element.parent.sp!;
        const key = `${sp.dir}\0${element.op.id}`;
        let p = this.states.get(key);
        if (!p) {
          p = savepointEngine().then((e) => e.listStates(sp, element.op.id));
          this.states.set(key, p);
        }
        try {
          const list = await p;
          if (!list.length) return [{ kind: 'message', parent: element, text: 'no state' }];
          const measured = this.sizes.get(key);
          if (!this.sizes.has(key)) this.measure(key, element);
          return list.map((state): StateNode => {
            const n: StateNode = { kind: 'state', parent: element, state };
            const m = measured?.get(state.name);
            if (m) n.measured = m;
            return n;
          });
        } catch (e) {
          logError(`cannot list states of ${element.op.id}`, e);
          return [{ kind: 'error', parent: element, text: e instanceof Error ? e.message : String(e) }];
        }
      }
      return [];
    } catch (e) {
      logError('savepoints view', e);
      return [{ kind: 'error', text: e instanceof Error ? e.message : String(e) }];
    }
  }

  /** Measures the states of an operator in the background; refreshes its children when done. */
  private measure(key: string, element: OperatorNode): void {
    this.sizes.set(key, undefined);
    const token = {};
    this.measuring.set(key, token);
    const sp = element.parent.sp!;
    const done = (m: Map<string, { bytes: number; count?: number }>) => {
      // a refresh() in between dropped this measurement: do not put a stale one back
      if (this.measuring.get(key) !== token) return;
      this.measuring.delete(key);
      this.sizes.set(key, m);
      if (m.size) this.changed.fire(element);
    };
    // keyed state of a NATIVE savepoint is backend-specific (e.g. RocksDB SST files): not measured
    if (sp.format?.toUpperCase() === 'NATIVE') {
      done(new Map());
      return;
    }
    // the size function is vscode-free and loaded on first use (not at activation)
    import('./editors/stateAccess')
      .then((m) => m.stateSizes(sp, element.op.id, this.sizeBudgetBytes))
      .then(done, (e) => {
        logError(`cannot measure the states of ${element.op.id}`, e);
        done(new Map());
      });
  }

  /** Measured sizes of an operator's states (tests): undefined until measured. */
  measuredSizes(dir: string, opId: string): Map<string, { bytes: number; count?: number }> | undefined {
    return this.sizes.get(`${dir}\0${opId}`);
  }

  getParent(element: Node): Node | undefined {
    return element.kind === 'savepoint' ? undefined : element.parent;
  }

  getTreeItem(n: Node): vscode.TreeItem {
    switch (n.kind) {
      case 'savepoint': {
        const item = savepointItem(n);
        if (n.sp) item.command = { command: this.openCommand, title: 'Open Savepoint', arguments: [n] };
        return item;
      }
      case 'operator': return operatorItem(n);
      case 'state': return stateItem(n);
      default: {
        const item = new vscode.TreeItem(n.text, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon(n.kind === 'error' ? 'error' : 'info',
          n.kind === 'error' ? new vscode.ThemeColor('errorForeground') : undefined);
        item.tooltip = n.detail ?? n.text;
        item.contextValue = n.kind;
        return item;
      }
    }
  }
}

function md(lines: [string, string | number | bigint | boolean | undefined][], title: string): vscode.MarkdownString {
  const m = new vscode.MarkdownString(`**${title}**\n\n`);
  m.supportThemeIcons = true;
  m.appendMarkdown('| | |\n|---|---|\n');
  for (const [k, v] of lines) {
    if (v === undefined || v === '') continue;
    m.appendMarkdown(`| ${k} | \`${String(v).replace(/[|`]/g, ' ')}\` |\n`);
  }
  return m;
}

function savepointItem(n: SavepointNode): vscode.TreeItem {
  const item = new vscode.TreeItem(n.label, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `sp:${n.dir}`;
  item.resourceUri = vscode.Uri.file(n.dir);
  if (n.error || !n.sp) {
    item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
    item.description = 'cannot read savepoint';
    item.tooltip = md([['path', n.dir], ['error', n.error]], n.label);
    item.contextValue = 'savepoint.error';
    item.collapsibleState = vscode.TreeItemCollapsibleState.Expanded;
    return item;
  }
  const sp = n.sp;
  const type = sp.snapshotType?.toLowerCase().includes('checkpoint') ? 'checkpoint' : 'savepoint';
  item.iconPath = new vscode.ThemeIcon('database');
  item.description = [sp.format, formatBytes(sp.totalSize)].filter(Boolean).join(' · ');
  item.tooltip = md([
    ['type', sp.snapshotType ?? type],
    ['format', sp.format],
    ['metadata version', sp.version],
    ['checkpoint id', sp.checkpointId],
    ['operators', sp.operators.length],
    ['total size', formatBytes(sp.totalSize)],
    ['path', sp.dir],
  ], n.label);
  item.contextValue = 'savepoint';
  return item;
}

function operatorItem(n: OperatorNode): vscode.TreeItem {
  const op = n.op;
  const label = n.uid ?? op.name ?? op.id;
  const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `op:${n.parent.dir}:${op.id}`;
  const parts: string[] = [];
  if (!n.uid) parts.push(op.name ? op.id : 'uid unknown');
  parts.push(`p=${op.parallelism} max=${op.maxParallelism}`);
  if (op.finished) parts.push('finished');
  parts.push(formatBytes(op.size));
  item.description = parts.join(' · ');
  item.iconPath = new vscode.ThemeIcon(op.finished ? 'pass' : n.uid ? 'symbol-method' : 'symbol-event');
  item.tooltip = md([
    ['operator ID', op.id],
    ['uid', n.uid ? `${n.uid}${n.uidSource === 'workspace' ? ' (matched from workspace code)' : ''}` : 'unknown'],
    ['name', op.name],
    ['parallelism', op.parallelism],
    ['max parallelism', op.maxParallelism],
    ['subtask states', op.subtaskCount],
    ['finished', op.finished],
    ['coordinator state', op.coordinatorBytes === undefined ? undefined : formatBytes(op.coordinatorBytes)],
    ['state size', formatBytes(op.size)],
  ], label);
  item.contextValue = n.uid ? 'operator.uid' : 'operator';
  return item;
}

function stateItem(n: StateNode): vscode.TreeItem {
  const s = n.state;
  const item = new vscode.TreeItem(s.name, vscode.TreeItemCollapsibleState.None);
  item.id = `st:${n.parent.parent.dir}:${n.parent.op.id}:${s.backend}:${s.name}`;
  const ns = s.namespaceType && s.namespaceType !== 'VoidNamespace' ? ` @ ${s.namespaceType}` : '';
  const types = s.kind === 'TIMER'
    ? `${s.keyType ?? '?'}${ns}` // timers have a key and a namespace, no value
    : s.userKeyType
      ? `${s.keyType ?? '?'} → ${s.userKeyType} → ${s.valueType ?? '?'}`
      : s.keyType ? `${s.keyType}${ns} → ${s.valueType ?? '?'}` : s.valueType ?? '';
  item.description = [s.kind, types, n.measured ? formatBytes(n.measured.bytes) : undefined].filter(Boolean).join(' · ');
  item.iconPath = new vscode.ThemeIcon(stateIcon(s.kind));
  item.tooltip = md([
    ['state', s.name],
    ['kind', s.kind],
    ['backend', s.backend],
    ['key type', s.keyType],
    ['namespace type', s.namespaceType],
    ['user key type', s.userKeyType],
    ['value type', s.valueType],
    ['size', n.measured ? formatBytes(n.measured.bytes) : s.size === undefined ? undefined : formatBytes(s.size)],
    ['entries', n.measured?.count],
  ], s.name);
  item.contextValue = 'state';
  return item;
}

function stateIcon(kind: string): string {
  const k = kind.toLowerCase();
  if (k.includes('map')) return 'symbol-namespace';
  if (k.includes('list') || k.includes('union')) return 'symbol-array';
  if (k.includes('broadcast')) return 'broadcast';
  if (k.includes('timer')) return 'watch';
  return 'symbol-variable';
}

/**
 * Watches folders that were just created for a `_metadata` file appearing in them (up to two levels
 * down: `<target>/savepoint-…/_metadata`). File watchers may report a new folder without the files
 * written into it right after, and Flink writes `_metadata` last, so each new folder is looked at a
 * few times over half a minute. Cheap: one stat per folder per look; build-output folders are ignored.
 */
export class NewSavepointFolders {
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private static readonly LOOKS_MS = [300, 1500, 5000, 15000, 30000];
  private static readonly IGNORED = /[\\/](node_modules|\.git|target|build|dist|out)([\\/]|$)/;

  constructor(private readonly onFound: () => void) {}

  created(p: string): void {
    if (path.basename(p) === '_metadata') {
      this.onFound();
      return;
    }
    if (NewSavepointFolders.IGNORED.test(p)) return;
    let isDir = false;
    try {
      isDir = fs.statSync(p).isDirectory();
    } catch {
      return;
    }
    if (!isDir) return;
    const look = (i: number) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        if (hasMetadataWithin(p, 2)) this.onFound();
        else if (i + 1 < NewSavepointFolders.LOOKS_MS.length) look(i + 1);
      }, NewSavepointFolders.LOOKS_MS[i]);
      this.timers.add(t);
    };
    look(0);
  }

  dispose(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

function hasMetadataWithin(dir: string, depth: number): boolean {
  try {
    if (fs.existsSync(path.join(dir, '_metadata'))) return true;
    if (depth <= 1) return false;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory() && hasMetadataWithin(path.join(dir, e.name), depth - 1)) return true;
    }
  } catch {
    // the folder went away again
  }
  return false;
}
