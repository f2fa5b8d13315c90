/**
 * The state entries editor (viewType `flinkSavepoints.entries`): a CustomEditorProvider with one
 * CustomDocument per (savepoint, operator, state), addressed by a virtual URI
 *
 *   flink-state:/<savepoint folder>/<state name>?savepoint=<folder>&operator=<id>&state=<name>
 *
 * (the path is only for the tab title; the query is what counts). Paged by key group, lookup by
 * key, filter, validated edits with undo / redo through VS Code's edit stack, hot-exit backups,
 * and "Save As New Savepoint…" — saving never writes in place: Save routes to Save As, which
 * writes a NEW savepoint folder through the writer.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { EntriesApi, EntriesEvents, EntriesInit, Handlers, Row } from '../../webview/protocol';
import { RpcServer } from '../../webview/protocol';
import type { EditSnapshot, EntryEdit } from './editModel';
import type { StateModel, StateRef } from './model';
import { ENTRIES_CSS, errorText, webviewHtml, webviewOptions } from './html';

export const ENTRIES_VIEW_TYPE = 'flinkSavepoints.entries';
export const STATE_SCHEME = 'flink-state';

export function stateUri(ref: StateRef): vscode.Uri {
  const dir = path.basename(ref.savepoint) === '_metadata' ? path.dirname(ref.savepoint) : ref.savepoint;
  const q = new URLSearchParams({ savepoint: dir, operator: ref.operator, state: ref.state });
  const p = `${dir.replace(/\\/g, '/')}/${ref.state}`;
  return vscode.Uri.from({ scheme: STATE_SCHEME, path: p.startsWith('/') ? p : `/${p}`, query: q.toString() });
}

export function parseStateUri(uri: vscode.Uri): StateRef {
  const q = new URLSearchParams(uri.query);
  const savepoint = q.get('savepoint');
  const operator = q.get('operator');
  const state = q.get('state');
  if (!savepoint || !operator || state === null) throw new Error(`not a state entries URI: ${uri.toString()}`);
  return { savepoint, operator, state };
}

type ModelModule = typeof import('./model');
let modelModule: Promise<ModelModule> | undefined;
const models = () => (modelModule ??= import('./model'));

export class StateDocument implements vscode.CustomDocument {
  model?: StateModel;
  /** when the last edit, undo or redo happened (Date.now()), to tell auto-save from a user's save */
  lastEditAt = 0;
  error?: string;
  readonly servers = new Set<RpcServer<EntriesApi, EntriesEvents>>();
  private countRun?: { cancelled: boolean };
  lastCount?: number;

  constructor(
    readonly uri: vscode.Uri,
    readonly ref: StateRef,
  ) {}

  emit<K extends keyof EntriesEvents & string>(event: K, data: EntriesEvents[K]): void {
    for (const s of this.servers) s.emit(event, data);
  }

  startCount(): void {
    if (!this.model || this.countRun || this.lastCount !== undefined) return;
    const run = { cancelled: false };
    this.countRun = run;
    void this.model
      .count(() => run.cancelled, (n) => this.emit('count', { count: n, done: false }))
      .then((n) => {
        if (n === undefined) return;
        this.lastCount = n;
        this.emit('count', { count: n, done: true });
      })
      .catch(() => undefined)
      .finally(() => {
        if (this.countRun === run) this.countRun = undefined;
      });
  }

  /** Counts change with adds / deletes: recount lazily. */
  invalidateCount(): void {
    if (this.countRun) this.countRun.cancelled = true;
    this.countRun = undefined;
    this.lastCount = undefined;
  }

  dispose(): void {
    this.invalidateCount();
    this.servers.clear();
    void this.model?.close();
  }
}

interface Backup {
  ref: StateRef;
  edits: EditSnapshot;
}

export class EntriesEditorProvider implements vscode.CustomEditorProvider<StateDocument> {
  private readonly changed = new vscode.EventEmitter<vscode.CustomDocumentEditEvent<StateDocument>>();
  readonly onDidChangeCustomDocument = this.changed.event;
  /** open documents by URI string (commands, tests) */
  readonly documents = new Map<string, StateDocument>();
  private readonly panels = new Map<vscode.WebviewPanel, StateDocument>();
  private active?: StateDocument;
  /** a key to look up when the editor of this URI (string) initializes ("Open Timers") */
  private readonly pendingLookups = new Map<string, string>();

  constructor(private readonly extensionUri: vscode.Uri) {}

  get activeDocument(): StateDocument | undefined {
    return this.active;
  }

  async openCustomDocument(uri: vscode.Uri, ctx: vscode.CustomDocumentOpenContext): Promise<StateDocument> {
    const ref = parseStateUri(uri);
    const doc = new StateDocument(uri, ref);
    try {
      const { StateModel } = await models();
      doc.model = await StateModel.open(ref);
      if (ctx.backupId) {
        const raw = await vscode.workspace.fs.readFile(vscode.Uri.parse(ctx.backupId));
        const b = JSON.parse(Buffer.from(raw).toString('utf8')) as Backup;
        doc.model.edits.restore(b.edits);
      }
    } catch (e) {
      doc.error = errorText(e);
    }
    this.documents.set(uri.toString(), doc);
    return doc;
  }

  resolveCustomEditor(doc: StateDocument, panel: vscode.WebviewPanel): void {
    panel.webview.options = webviewOptions(this.extensionUri);
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, 'entries', `${doc.ref.state} entries`, ENTRIES_CSS);
    const server = new RpcServer<EntriesApi, EntriesEvents>((m) => panel.webview.postMessage(m), this.handlers(doc), errorText);
    doc.servers.add(server);
    this.panels.set(panel, doc);
    if (panel.active) this.active = doc;
    const subs = [
      panel.webview.onDidReceiveMessage((m) => void server.handle(m)),
      panel.onDidChangeViewState((e) => {
        if (e.webviewPanel.active) this.active = doc;
        else if (this.active === doc) this.active = undefined;
        void vscode.commands.executeCommand('setContext', 'flinkSavepoints.entriesEditorActive', !!this.active);
      }),
      panel.onDidDispose(() => {
        doc.servers.delete(server);
        this.panels.delete(panel);
        if (this.active === doc) this.active = undefined;
        if (![...this.panels.values()].includes(doc)) {
          this.documents.delete(doc.uri.toString());
          this.timersChanged(doc); // its pending timer edits are gone from the timers beside the keys
        }
        for (const s of subs) s.dispose();
      }),
    ];
  }

  private requireModel(doc: StateDocument): StateModel {
    if (!doc.model) throw new Error(doc.error ?? 'the state could not be opened');
    return doc.model;
  }

  private handlers(doc: StateDocument): Handlers<EntriesApi> {
    return {
      init: async (): Promise<EntriesInit> => {
        if (!doc.model) return { ok: false, error: doc.error ?? 'the state could not be opened' };
        const key = this.pendingLookups.get(doc.uri.toString());
        this.pendingLookups.delete(doc.uri.toString());
        return { ok: true, info: { ...doc.model.info, dirty: doc.model.edits.dirty, edits: doc.model.edits.size }, ...(key !== undefined ? { lookup: key } : {}) };
      },
      page: async ({ cursor, filter }) => {
        const m = this.requireModel(doc);
        const p = await m.page(cursor, filter);
        if (doc.lastCount !== undefined) setTimeout(() => doc.emit('count', { count: doc.lastCount!, done: true }), 0);
        else doc.startCount();
        return p;
      },
      seek: ({ keyGroup }) => this.requireModel(doc).seek(keyGroup),
      lookup: ({ key }) => this.requireModel(doc).lookup(key),
      detail: async ({ id }) => ({ json: await this.requireModel(doc).detail(id) }),
      edit: ({ id, value }) => this.tryEdit(doc, () => this.requireModel(doc).editValue(id, value)),
      delete: ({ id }) => this.tryEdit(doc, () => this.requireModel(doc).deleteEntry(id)),
      revert: ({ id }) => this.tryEdit(doc, () => this.requireModel(doc).revertEntry(id)),
      add: ({ key, userKey, value, timestamp, namespace }) => this.tryEdit(doc, () => this.requireModel(doc).addEntry(key, userKey, value, { timestamp, namespace })),
      saveAs: async () => ({ dir: await this.saveAsInteractive(doc) }),
      count: async () => ({ count: (await this.requireModel(doc).count()) ?? 0 }),
      keyTimers: async ({ id }) => (await this.requireModel(doc).timersOfRow(id, (state) => this.timerDocOf(doc, state)?.model)) ?? null,
      addKeyTimer: ({ id, state, timestamp, namespace }) =>
        this.routeTimerEdit(doc, id, state, (m, key) => m.addEntry(key, undefined, '', { timestamp, namespace })),
      deleteKeyTimer: ({ id, state, timestamp, namespace }) =>
        this.routeTimerEdit(doc, id, state, async (m, key) => (await models()).deleteTimerOfKey(m, key, timestamp, namespace)),
      openTimers: async ({ state, key }) => {
        try {
          await this.openTimers(doc, state, key);
          return { ok: true };
        } catch (e) {
          return { ok: false, error: errorText(e) };
        }
      },
    };
  }

  /** The open document of a timer state of `doc`'s savepoint and operator, if any. */
  private timerDocOf(doc: StateDocument, state: string): StateDocument | undefined {
    const m = doc.model;
    if (!m) return undefined;
    for (const d of this.documents.values()) {
      if (d !== doc && d.model && d.ref.state === state && d.model.sp.dir === m.sp.dir && d.model.info.operator === m.info.operator) return d;
    }
    return undefined;
  }

  /**
   * Opens a timer state of the same operator in its own entries editor (beside, keeping the focus
   * when `beside`), looked up on `key`; returns its document.
   */
  async openTimers(doc: StateDocument, state: string, key: string, beside = false): Promise<StateDocument> {
    const { parseTimerStateName } = await models();
    if (!parseTimerStateName(state)) throw new Error(`${state} is not a timer state`);
    const open = this.timerDocOf(doc, state);
    const uri = open?.uri ?? stateUri({ savepoint: doc.ref.savepoint, operator: doc.ref.operator, state });
    const show: vscode.TextDocumentShowOptions = beside ? { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true, preview: false } : { preview: false };
    if (open?.servers.size) {
      await vscode.commands.executeCommand('vscode.openWith', uri, ENTRIES_VIEW_TYPE, show);
      open.emit('lookupKey', { key });
      return open;
    }
    this.pendingLookups.set(uri.toString(), key);
    await vscode.commands.executeCommand('vscode.openWith', uri, ENTRIES_VIEW_TYPE, show);
    const d = this.timerDocOf(doc, state) ?? this.documents.get(uri.toString());
    if (!d) throw new Error(`the editor of ${state} did not open`);
    return d;
  }

  /**
   * A timer edit for the key of `doc`'s row `id`, made by and applied to the timer state's OWN
   * document (opened beside): its edit model, VS Code undo / redo and Save As.
   */
  private async routeTimerEdit(doc: StateDocument, id: string, state: string, make: (timerModel: StateModel, key: string) => Promise<EntryEdit>): Promise<{ ok: boolean; error?: string; row?: Row }> {
    let target: StateDocument;
    let key: string;
    try {
      const row = await this.requireModel(doc).row(id);
      if (!row || row.key === undefined) throw new Error('the entry is gone');
      key = row.key;
      target = await this.openTimers(doc, state, key, true);
    } catch (e) {
      return { ok: false, error: errorText(e) };
    }
    const r = await this.tryEdit(target, () => make(this.requireModel(target), key));
    if (r.ok) target.emit('lookupKey', { key });
    return r;
  }

  /** After a timer state's document changed: the other editors of its operator re-read the timers beside their keys. */
  private timersChanged(doc: StateDocument): void {
    const m = doc.model;
    if (!m || m.info.kind !== 'TIMER') return;
    for (const d of this.documents.values()) {
      if (d !== doc && d.model && d.model.sp.dir === m.sp.dir && d.model.info.operator === m.info.operator) d.emit('keyTimersChanged', { state: m.ref.state });
    }
  }

  private async tryEdit(doc: StateDocument, make: () => Promise<EntryEdit>): Promise<{ ok: boolean; error?: string; row?: Row }> {
    let edit: EntryEdit;
    try {
      edit = await make();
    } catch (e) {
      return { ok: false, error: errorText(e) };
    }
    const row = await this.applyEdit(doc, edit);
    return { ok: true, row };
  }

  /** Applies an edit to the document and pushes it onto VS Code's undo stack. */
  async applyEdit(doc: StateDocument, edit: EntryEdit): Promise<Row | undefined> {
    const m = this.requireModel(doc);
    m.edits.apply(edit);
    doc.lastEditAt = Date.now();
    this.changed.fire({
      document: doc,
      label: edit.label,
      undo: async () => {
        m.edits.undo();
        doc.lastEditAt = Date.now();
        await this.notify(doc, edit);
      },
      redo: async () => {
        m.edits.redo();
        doc.lastEditAt = Date.now();
        await this.notify(doc, edit);
      },
    });
    return this.notify(doc, edit);
  }

  private async notify(doc: StateDocument, edit: EntryEdit): Promise<Row | undefined> {
    const m = doc.model!;
    const { entryId } = await import('./editModel');
    const id = entryId(edit);
    const row = await m.row(id);
    if (!edit.existed) doc.invalidateCount();
    doc.emit('changed', { rows: row ? [row] : [], removed: row ? [] : [id], dirty: m.edits.dirty, edits: m.edits.size });
    this.timersChanged(doc);
    return row;
  }

  async saveCustomDocument(doc: StateDocument): Promise<void> {
    // Never write in place: Save is Save As New Savepoint (Ctrl/Cmd+S runs that command directly, see
    // contributes.json). A save VS Code starts by itself (files.autoSave, on by default in VS Code for
    // the Web and code-server) is declined quietly: no dialog pops up, nothing is written, the
    // document stays dirty until the user saves it as a new savepoint.
    if (isAutoSave(doc)) throw new vscode.CancellationError();
    const dir = await this.saveAsInteractive(doc);
    if (!dir) throw new vscode.CancellationError();
  }

  async saveCustomDocumentAs(doc: StateDocument, destination: vscode.Uri): Promise<void> {
    // the folder of the new savepoint (a chosen `_metadata` means its folder)
    if (destination.scheme !== 'file') throw new Error(`a new savepoint is written to a local folder, not ${destination.scheme}:`);
    let target = destination.fsPath;
    if (path.basename(target) === '_metadata') target = path.dirname(target);
    await this.writeTo(doc, target);
  }

  async revertCustomDocument(doc: StateDocument): Promise<void> {
    doc.model?.edits.clear();
    doc.invalidateCount();
    doc.emit('reload', { dirty: false, edits: 0 });
    this.timersChanged(doc);
  }

  async backupCustomDocument(doc: StateDocument, ctx: vscode.CustomDocumentBackupContext): Promise<vscode.CustomDocumentBackup> {
    const backup: Backup = { ref: doc.ref, edits: doc.model ? doc.model.edits.snapshot() : { version: 1, applied: [], undone: [], savedAt: 0 } };
    await vscode.workspace.fs.writeFile(ctx.destination, Buffer.from(JSON.stringify(backup), 'utf8'));
    return {
      id: ctx.destination.toString(),
      delete: () => void Promise.resolve(vscode.workspace.fs.delete(ctx.destination)).catch(() => undefined),
    };
  }

  /** Asks for the new savepoint's folder and writes it; undefined when cancelled. */
  async saveAsInteractive(doc: StateDocument): Promise<string | undefined> {
    const m = this.requireModel(doc);
    if (m.info.readOnly && m.edits.size === 0) {
      void vscode.window.showInformationMessage(`${m.info.readOnly}: there is nothing to save.`);
      return undefined;
    }
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Writing a new savepoint needs a trusted workspace.');
      return undefined;
    }
    const src = m.sp.dir;
    const picked = await vscode.window.showSaveDialog({
      title: 'Save As New Savepoint — choose a NEW folder (the source savepoint is never modified)',
      saveLabel: 'Write New Savepoint',
      defaultUri: vscode.Uri.file(`${src.replace(/[\\/]+$/, '')}-edited`),
    });
    if (!picked) return undefined;
    let target = picked.fsPath;
    if (path.basename(target) === '_metadata') target = path.dirname(target);
    const dir = await this.writeTo(doc, target);
    void vscode.window.showInformationMessage(`New savepoint written to ${dir}`, 'Open Overview', 'Reveal in Explorer').then((a) => {
      if (a === 'Open Overview') void vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(path.join(dir, '_metadata')), 'flinkSavepoints.overview');
      else if (a === 'Reveal in Explorer') void vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(path.join(dir, '_metadata')));
    });
    return dir;
  }

  /** Writes the new savepoint (no dialogs). */
  async writeTo(doc: StateDocument, target: string): Promise<string> {
    const m = this.requireModel(doc);
    const r = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Writing new savepoint ${path.basename(target)}…` },
      async () => m.saveAs(target),
    );
    for (const w of r.warnings) void vscode.window.showWarningMessage(w);
    doc.emit('saved', { dir: r.dir });
    return r.dir;
  }
}

/** True when a save of `doc` is most likely VS Code's auto-save rather than the user's request. */
function isAutoSave(doc: StateDocument): boolean {
  const files = vscode.workspace.getConfiguration('files', doc.uri);
  const mode = files.get<string>('autoSave', 'off');
  if (mode === 'off') return false;
  if (mode === 'afterDelay') return Date.now() - doc.lastEditAt < files.get<number>('autoSaveDelay', 1000) + 2000;
  return true; // onFocusChange / onWindowChange: saves happen as focus moves away
}
