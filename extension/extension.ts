/**
 * Savepoints for Apache Flink: thin VS Code glue. Activation only registers views, commands and
 * providers; the savepoint reader and the uid analysis are loaded on first use.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { lazyModulesLoaded, setBundleDir } from './engine';
import { UidLint, SELECTOR, workspaceUids } from './lint';
import { disposeOutput, logError, output } from './log';
import { ClusterApi, registerClusterFeatures } from './cluster/index';
import { OPEN_OVERVIEW_COMMAND, registerEditors } from './editors/index';
import { NewSavepointFolders, Node, OperatorNode, SavepointNode, SavepointTreeProvider } from './savepointTree';
import { registerUidFeatures } from './uids/index';
import { registerCompareFeatures } from './compare/index';
import { registerVerifyFeatures } from './verify/index';

export const VIEW_ID = 'flinkSavepoints.savepoints';

/** Returned from activate(); used by the e2e tests and by other extensions. */
export interface FlinkSavepointsApi {
  readonly savepoints: SavepointTreeProvider;
  readonly lint: UidLint;
  /** cluster features (Flink Jobs view, engine, savepoint/restore commands), when they registered */
  readonly cluster?: ClusterApi;
  getChildren(node?: Node): Promise<Node[]>;
  getTreeItem(node: Node): vscode.TreeItem;
  refresh(): void;
  /** how long activate() took, in milliseconds */
  readonly activationMs: number;
  /** the lazily loaded modules that activate() had requested when it returned (expected: none) */
  readonly loadedDuringActivation: readonly string[];
}

export function activate(context: vscode.ExtensionContext): FlinkSavepointsApi {
  const t0 = Date.now();
  setBundleDir(path.join(context.extensionPath, 'dist'));

  const tree = new SavepointTreeProvider();
  tree.uidProvider = workspaceUids;
  const view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: tree, showCollapseAll: true });
  const watcher = vscode.workspace.createFileSystemWatcher('**/_metadata');
  // deleting a savepoint's folder reports the folder, not its _metadata
  const deletions = vscode.workspace.createFileSystemWatcher('**', true, true, false);
  // a new folder whose files are written right away (Flink: folder, state files, _metadata last) can
  // reach the file watcher as the folder's creation only: look into new folders for a _metadata
  const creations = vscode.workspace.createFileSystemWatcher('**', false, true, true);
  const newFolders = new NewSavepointFolders(() => tree.refreshSoon());
  const lint = new UidLint();
  // the savepoint overview + state entries editors, and the cluster features: each guarded, so a
  // failure there never takes the Savepoints view and the uid checks down
  try {
    context.subscriptions.push(registerEditors(context));
    tree.openCommand = OPEN_OVERVIEW_COMMAND;
  } catch (e) {
    logError('custom editors could not be registered', e);
  }
  let cluster: ClusterApi | undefined;
  try {
    const c = registerClusterFeatures(context, { log: output() });
    context.subscriptions.push(c);
    cluster = c.api;
  } catch (e) {
    logError('cluster features could not be registered', e);
  }

  // savepoint-aware uid lenses, Check Against Savepoint, Explain Operator ID, operator-ID hovers/links
  // in logs and terminals, workspace uids in the overview editor (extension/uids/)
  try {
    context.subscriptions.push(registerUidFeatures({ tree, view, lint }));
  } catch (e) {
    logError('savepoint uid features could not be registered', e);
  }
  // Compare with Another Savepoint… (extension/compare/)
  try {
    context.subscriptions.push(registerCompareFeatures({ tree, view }));
  } catch (e) {
    logError('savepoint comparison could not be registered', e);
  }
  // Verify Savepoint (Decode Every Entry) (extension/verify/)
  try {
    context.subscriptions.push(registerVerifyFeatures({ tree, view, workerScript: path.join(context.extensionPath, 'dist', 'fsp.js') }));
  } catch (e) {
    logError('savepoint verification could not be registered', e);
  }

  context.subscriptions.push(
    tree, view, watcher, lint,
    watcher.onDidCreate(() => tree.refreshSoon()),
    watcher.onDidDelete(() => tree.refreshSoon()),
    watcher.onDidChange(() => tree.refreshSoon()),
    deletions,
    deletions.onDidDelete((uri) => { if (tree.isAffectedByDeletion(uri.fsPath)) tree.refreshSoon(); }),
    creations,
    creations.onDidCreate((uri) => newFolders.created(uri.fsPath)),
    newFolders,
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('flinkSavepoints.savepointFolders')) tree.refresh();
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => tree.refresh()),
    vscode.languages.registerCodeLensProvider(SELECTOR, lint),
    vscode.languages.registerCodeActionsProvider(SELECTOR, lint, UidLint.metadata),

    vscode.commands.registerCommand('flinkSavepoints.refresh', () => tree.refresh()),
    vscode.commands.registerCommand('flinkSavepoints.openSavepoint', async (n?: Node | vscode.Uri) => {
      const dir = n instanceof vscode.Uri ? (n.fsPath.endsWith('_metadata') ? path.dirname(n.fsPath) : n.fsPath) : savepointDir(n ?? pickSelected<Node>(view));
      if (!dir) return;
      await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(path.join(dir, '_metadata')), 'flinkSavepoints.overview');
    }),
    vscode.commands.registerCommand('flinkSavepoints.copyOperatorId', async (n?: OperatorNode) => {
      const op = n ?? pickSelected<OperatorNode>(view, 'operator');
      if (!op) return;
      await vscode.env.clipboard.writeText(op.op.id);
      vscode.window.setStatusBarMessage(`Copied operator ID ${op.op.id}`, 3000);
    }),
    vscode.commands.registerCommand('flinkSavepoints.copyUid', async (n?: OperatorNode) => {
      const op = n ?? pickSelected<OperatorNode>(view, 'operator');
      if (!op?.uid) {
        void vscode.window.showInformationMessage('The uid of this operator is not known (the savepoint stores only the hashed operator ID).');
        return;
      }
      await vscode.env.clipboard.writeText(op.uid);
      vscode.window.setStatusBarMessage(`Copied uid ${op.uid}`, 3000);
    }),
    vscode.commands.registerCommand('flinkSavepoints.revealInExplorer', async (n?: Node) => {
      const dir = savepointDir(n ?? pickSelected<Node>(view));
      if (!dir) return;
      const uri = vscode.Uri.file(dir);
      if (vscode.workspace.getWorkspaceFolder(uri)) await vscode.commands.executeCommand('revealInExplorer', uri);
      else await vscode.commands.executeCommand('revealFileInOS', uri);
    }),
    vscode.commands.registerCommand('flinkSavepoints.revealInOS', async (n?: Node) => {
      const dir = savepointDir(n ?? pickSelected<Node>(view));
      if (dir) await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(path.join(dir, '_metadata')));
    }),
    vscode.commands.registerCommand('flinkSavepoints.copyPath', async (n?: Node) => {
      const dir = savepointDir(n ?? pickSelected<Node>(view));
      if (dir) await vscode.env.clipboard.writeText(dir);
    }),
    vscode.commands.registerCommand('flinkSavepoints.addSavepointFolder', async () => {
      const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: true, openLabel: 'Add savepoint folder' });
      if (!picked?.length) return;
      const cfg = vscode.workspace.getConfiguration('flinkSavepoints');
      const list = new Set(cfg.get<string[]>('savepointFolders', []));
      for (const u of picked) list.add(u.fsPath);
      const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
      await cfg.update('savepointFolders', [...list], target);
    }),
    vscode.commands.registerCommand('flinkSavepoints.fixAllInFile', (uri?: vscode.Uri) => lint.fixAllInFile(uri)),
    vscode.commands.registerCommand('flinkSavepoints.showOutput', () => output().show(true)),
  );
  context.subscriptions.push({ dispose: disposeOutput });

  const activationMs = Date.now() - t0;
  const loadedDuringActivation = lazyModulesLoaded();
  output().info(`activated in ${activationMs} ms (${vscode.env.appName} ${vscode.version}, trusted=${vscode.workspace.isTrusted})`);

  return {
    savepoints: tree,
    lint,
    cluster,
    getChildren: (n) => tree.getChildren(n),
    getTreeItem: (n) => tree.getTreeItem(n),
    refresh: () => tree.refresh(),
    activationMs,
    loadedDuringActivation,
  };
}

export function deactivate(): void {
  /* disposables are released through context.subscriptions */
}

function pickSelected<T extends Node>(view: vscode.TreeView<Node>, kind?: Node['kind']): T | undefined {
  const sel = view.selection[0];
  if (!sel || (kind && sel.kind !== kind)) return undefined;
  return sel as T;
}

function savepointDir(n?: Node): string | undefined {
  if (!n) return undefined;
  let cur: Node | undefined = n;
  while (cur && cur.kind !== 'savepoint') cur = cur.parent;
  return (cur as SavepointNode | undefined)?.dir;
}
