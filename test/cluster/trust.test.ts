/**
 * Untrusted workspaces: the cluster features start no Java and send no request. ClusterManager and
 * the Jobs view run here against a minimal stand-in for the `vscode` module (the e2e runner
 * starts code-server with workspace trust disabled, so this cannot be checked there).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Module from 'node:module';

// ---- a minimal `vscode` ------------------------------------------------------------------------
class EventEmitter<T> {
  private listeners: ((e: T) => void)[] = [];
  event = (l: (e: T) => void) => {
    this.listeners.push(l);
    return { dispose: () => (this.listeners = this.listeners.filter((x) => x !== l)) };
  };
  fire(e: T) {
    for (const l of this.listeners) l(e);
  }
  dispose() {
    this.listeners = [];
  }
}
const shown: string[] = [];
const statusBar = { text: '', tooltip: '', visible: false, command: '', name: '', show() { this.visible = true; }, hide() { this.visible = false; }, dispose() {} };
const settings: Record<string, unknown> = {};
const fake = {
  EventEmitter,
  StatusBarAlignment: { Left: 1, Right: 2 },
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
  ThemeIcon: class { constructor(readonly id: string, readonly color?: unknown) {} },
  ThemeColor: class { constructor(readonly id: string) {} },
  MarkdownString: class { value = ''; constructor(v = '') { this.value = v; } appendMarkdown(s: string) { this.value += s; return this; } },
  TreeItem: class { description?: string; tooltip?: unknown; iconPath?: unknown; command?: unknown; contextValue?: string; id?: string; constructor(readonly label: string, readonly collapsibleState: number) {} },
  Uri: { parse: (s: string) => ({ toString: () => s }), file: (p: string) => ({ fsPath: p, scheme: 'file' }) },
  workspace: {
    isTrusted: false,
    workspaceFolders: undefined as unknown,
    getConfiguration: () => ({ get: (k: string, d?: unknown) => (k in settings ? settings[k] : d) }),
    onDidChangeConfiguration: () => ({ dispose() {} }),
    onDidGrantWorkspaceTrust: () => ({ dispose() {} }),
  },
  window: {
    createStatusBarItem: () => statusBar,
    createOutputChannel: () => ({ appendLine() {}, show() {}, dispose() {} }),
    showWarningMessage: (m: string) => {
      shown.push(m);
      return Promise.resolve(undefined);
    },
    showErrorMessage: (m: string) => {
      shown.push(m);
      return Promise.resolve(undefined);
    },
  },
  commands: { executeCommand: () => Promise.resolve(undefined) },
  env: {},
};
const M = Module as unknown as { _load: (req: string, ...rest: unknown[]) => unknown };
const origLoad = M._load;
M._load = function (req: string, ...rest: unknown[]) {
  if (req === 'vscode') return fake;
  return origLoad.call(this, req, ...rest);
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ClusterManager, UntrustedWorkspaceError } = require('../../extension/cluster/clusters') as typeof import('../../extension/cluster/clusters');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { JobsTreeProvider } = require('../../extension/cluster/jobsView') as typeof import('../../extension/cluster/jobsView');
M._load = origLoad; // the modules above hold the stand-in; nothing else sees it

describe('cluster: untrusted workspaces', () => {
  let dir: string;
  let state: Map<string, unknown>;
  const context = () => ({
    extensionPath: dir,
    globalStorageUri: { fsPath: join(dir, 'global') },
    workspaceState: { get: (k: string) => state.get(k), update: async (k: string, v: unknown) => void state.set(k, v) },
    secrets: { get: async () => undefined, store: async () => undefined, delete: async () => undefined },
    subscriptions: [],
  });

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'fsp-trust-'));
    state = new Map();
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts no Java, creates no client, hides the status bar; the Jobs view explains why', async () => {
    fake.workspace.isTrusted = false;
    settings.clusters = [{ name: 'prod', url: 'https://flink.example.com' }];
    const m = new ClusterManager(context() as never);
    try {
      assert.equal(statusBar.visible, false);
      await assert.rejects(m.startBundledEngine({ jar: '/nope/engine.jar', java: '/nope/java' }), UntrustedWorkspaceError);
      assert.equal(m.engineInfo().state, 'stopped', 'nothing was started');
      await assert.rejects(m.java(), UntrustedWorkspaceError);
      await assert.rejects(m.client(), UntrustedWorkspaceError);
      await assert.rejects(m.client(m.find('prod')!), UntrustedWorkspaceError, 'remote clusters too: no jar leaves the machine');
      assert.ok(shown.some((s) => /needs a trusted workspace/.test(s)), 'the user is told');
      const view = new JobsTreeProvider(m);
      const roots = await view.getChildren();
      assert.equal(roots.length, 1);
      assert.match(String(view.getTreeItem(roots[0]).label), /Trust this workspace/);
      view.dispose();
    } finally {
      m.dispose();
    }
  });

  it('once trusted, the status bar shows the active cluster and the Jobs view offers to start the engine', async () => {
    fake.workspace.isTrusted = true;
    const m = new ClusterManager(context() as never);
    try {
      assert.equal(statusBar.visible, true);
      assert.match(statusBar.text, /Flink: local \(stopped\)/);
      const view = new JobsTreeProvider(m);
      const labels = (await view.getChildren()).map((n) => String(view.getTreeItem(n).label));
      assert.deepEqual(labels, ['Start the local Flink engine', 'Run a job…']);
      await m.setActive('prod');
      assert.match(statusBar.text, /Flink: prod/);
      assert.equal((await m.client())?.baseUrl, 'https://flink.example.com');
      view.dispose();
    } finally {
      m.dispose();
    }
  });
});
