/**
 * The custom editors: the savepoint overview (`_metadata`) and the state entries editor.
 * `registerEditors(context)` registers both, the `flink-state:` file system (so the entries
 * editor's virtual URIs are real resources for the workbench) and the editors' commands.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { ENTRIES_VIEW_TYPE, EntriesEditorProvider, parseStateUri, STATE_SCHEME, stateUri } from './entriesEditor';
import { OPEN_ENTRIES_COMMAND, OVERVIEW_VIEW_TYPE, OverviewEditorProvider } from './overviewEditor';
import type { StateRef } from './model';
import { errorText } from './html';

export { ENTRIES_VIEW_TYPE, OVERVIEW_VIEW_TYPE, OPEN_ENTRIES_COMMAND, stateUri };

export const SAVE_AS_COMMAND = 'flinkSavepoints.saveAsNewSavepoint';
export const OPEN_OVERVIEW_COMMAND = 'flinkSavepoints.openOverview';
/** Internal: the e2e tests' handle on the editors (not contributed). */
export const TEST_COMMAND = 'flinkSavepoints.editors._test';

/** A state reference from a command argument: {savepoint, operator, state} or a Savepoints-tree state node. */
export function stateRefFrom(arg: unknown): StateRef | undefined {
  if (!arg || typeof arg !== 'object') return undefined;
  const a = arg as Record<string, unknown>;
  if (typeof a.savepoint === 'string' && typeof a.operator === 'string' && typeof a.state === 'string') {
    return { savepoint: a.savepoint, operator: a.operator, state: a.state };
  }
  // the Savepoints tree's StateNode: {kind: 'state', parent: {op: {id}, parent: {dir}}, state: {name}}
  const node = a as { kind?: string; state?: { name?: string }; parent?: { op?: { id?: string }; parent?: { dir?: string } } };
  if (node.kind === 'state' && node.state?.name !== undefined && node.parent?.op?.id && node.parent.parent?.dir) {
    return { savepoint: node.parent.parent.dir, operator: node.parent.op.id, state: node.state.name };
  }
  return undefined;
}

function savepointDirFrom(arg: unknown): string | undefined {
  if (arg instanceof vscode.Uri) return path.basename(arg.fsPath) === '_metadata' ? path.dirname(arg.fsPath) : arg.fsPath;
  if (arg && typeof arg === 'object') {
    const a = arg as { kind?: string; dir?: string; savepoint?: string };
    if (a.kind === 'savepoint' && typeof a.dir === 'string') return a.dir;
    if (typeof a.savepoint === 'string') return a.savepoint;
  }
  return undefined;
}

/** Asks for a savepoint folder, an operator and a state. */
async function pickState(): Promise<StateRef | undefined> {
  const folder = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Open Savepoint', title: 'Savepoint or checkpoint folder' });
  if (!folder?.length) return undefined;
  const engine = await import('../../engine/savepoint/index');
  const sp = await engine.openSavepoint(folder[0].fsPath);
  const items: (vscode.QuickPickItem & { ref: StateRef })[] = [];
  for (const o of sp.operators) {
    let states: { name: string; kind: string }[] = [];
    try {
      states = await engine.listStates(sp, o.id);
    } catch {
      continue;
    }
    for (const s of states) items.push({ label: s.name, description: `${o.uid ?? o.name ?? o.id} · ${s.kind}`, ref: { savepoint: sp.dir, operator: o.id, state: s.name } });
  }
  const pick = await vscode.window.showQuickPick(items, { title: 'State to open', matchOnDescription: true });
  return pick?.ref;
}

class StateFileSystem implements vscode.FileSystemProvider {
  private readonly emitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.emitter.event;
  private readonly t0 = Date.now();

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  stat(uri: vscode.Uri): vscode.FileStat {
    try {
      parseStateUri(uri);
    } catch {
      throw vscode.FileSystemError.FileNotFound(uri);
    }
    return { type: vscode.FileType.File, ctime: this.t0, mtime: this.t0, size: 0, permissions: undefined };
  }

  readDirectory(): [string, vscode.FileType][] {
    return [];
  }

  createDirectory(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  readFile(uri: vscode.Uri): Uint8Array {
    const ref = parseStateUri(uri);
    return Buffer.from(JSON.stringify(ref, null, 2), 'utf8');
  }

  writeFile(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(`${uri.toString()}: savepoints are never written in place; use Save As New Savepoint`);
  }

  delete(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  rename(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }
}

export function registerEditors(context: vscode.ExtensionContext): vscode.Disposable {
  const overview = new OverviewEditorProvider(context.extensionUri);
  const entries = new EntriesEditorProvider(context.extensionUri);
  const subs: vscode.Disposable[] = [
    vscode.workspace.registerFileSystemProvider(STATE_SCHEME, new StateFileSystem(), { isCaseSensitive: true }),
    vscode.window.registerCustomEditorProvider(OVERVIEW_VIEW_TYPE, overview, {
      webviewOptions: { retainContextWhenHidden: false },
      supportsMultipleEditorsPerDocument: true,
    }),
    vscode.window.registerCustomEditorProvider(ENTRIES_VIEW_TYPE, entries, {
      webviewOptions: { retainContextWhenHidden: true },
      supportsMultipleEditorsPerDocument: false,
    }),
    vscode.commands.registerCommand(OPEN_ENTRIES_COMMAND, async (arg?: unknown) => {
      try {
        const ref = stateRefFrom(arg) ?? (await pickState());
        if (!ref) return undefined;
        const uri = stateUri(ref);
        await vscode.commands.executeCommand('vscode.openWith', uri, ENTRIES_VIEW_TYPE);
        return uri;
      } catch (e) {
        void vscode.window.showErrorMessage(`Cannot open the state: ${errorText(e)}`);
        return undefined;
      }
    }),
    vscode.commands.registerCommand(OPEN_OVERVIEW_COMMAND, async (arg?: unknown) => {
      let dir = savepointDirFrom(arg);
      if (!dir) {
        const f = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Open Savepoint' });
        dir = f?.[0]?.fsPath;
      }
      if (!dir) return;
      await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(path.join(dir, '_metadata')), OVERVIEW_VIEW_TYPE);
    }),
    vscode.commands.registerCommand(SAVE_AS_COMMAND, async (arg?: unknown) => {
      const doc = arg instanceof vscode.Uri ? entries.documents.get(arg.toString()) : entries.activeDocument;
      if (!doc) {
        void vscode.window.showInformationMessage('Open a state in the entries editor first (Open Entries on a state of the Savepoints view).');
        return undefined;
      }
      try {
        return await entries.saveAsInteractive(doc);
      } catch (e) {
        void vscode.window.showErrorMessage(`Save As New Savepoint failed: ${errorText(e)}`);
        return undefined;
      }
    }),
    vscode.commands.registerCommand(TEST_COMMAND, () => testApi(overview, entries)),
  ];
  return vscode.Disposable.from(...subs);
}

/** What the extension-host tests use (same extension host, so functions pass through executeCommand). */
function testApi(overview: OverviewEditorProvider, entries: EntriesEditorProvider) {
  const doc = (uri: string | vscode.Uri) => {
    const d = entries.documents.get(uri.toString());
    if (!d) throw new Error(`no entries document ${uri.toString()}`);
    return d;
  };
  return {
    overviewModel: (file: string) => overview.models.get(file),
    overviewPanels: () => [...overview.panels.keys()],
    entriesDocuments: () => [...entries.documents.keys()],
    info: (uri: string) => doc(uri).model?.info ?? { error: doc(uri).error },
    page: (uri: string, cursor = { kg: 0, skip: 0 }, filter?: string) => doc(uri).model!.page(cursor, filter),
    lookup: (uri: string, key: string) => doc(uri).model!.lookup(key),
    edit: async (uri: string, id: string, value: string) => {
      const d = doc(uri);
      return entries.applyEdit(d, await d.model!.editValue(id, value));
    },
    validate: async (uri: string, id: string, value: string) => {
      try {
        await doc(uri).model!.editValue(id, value);
        return undefined;
      } catch (e) {
        return errorText(e);
      }
    },
    editCount: (uri: string) => doc(uri).model!.edits.size,
    dirty: (uri: string) => doc(uri).model!.edits.dirty,
    saveAs: (uri: string, target: string) => entries.writeTo(doc(uri), target),
    /** the keyed entries of a state as the public reader reads them (dump lines) */
    readBack: async (savepoint: string, operator: string, state: string) => {
      const engine = await import('../../engine/savepoint/index');
      const sp = await engine.openSavepoint(savepoint);
      const out: string[] = [];
      for await (const e of engine.entries(sp, operator, { state })) out.push(e.line);
      return out;
    },
  };
}
