/**
 * The savepoint overview: a read-only custom editor for `_metadata` files (viewType
 * `flinkSavepoints.overview`). Header facts, the operators table, and an SVG chart of state size
 * by operator and by state whose bars open the entries editor. A file the reader rejects shows its
 * SavepointFormatError message in the editor.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { OverviewApi, OverviewEvents, OverviewInit, OverviewModel, OverviewState } from '../../webview/protocol';
import { RpcServer } from '../../webview/protocol';
import { errorText, webviewHtml, webviewOptions } from './html';

export const OVERVIEW_VIEW_TYPE = 'flinkSavepoints.overview';
export const OPEN_ENTRIES_COMMAND = 'flinkSavepoints.openEntries';

class OverviewDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri) {}
  dispose(): void {}
}

// uid resolution for V4 (Flink 1.x) savepoints, whose metadata has no uids: operator ID → uid from the
// workspace's job code (the Savepoints tree's uidsByOperatorId). Set by extension/uids/index.ts.
let uidResolver: (() => Promise<Map<string, string>>) | undefined;
export function setOverviewUidResolver(fn: (() => Promise<Map<string, string>>) | undefined): void {
  uidResolver = fn;
}

type Engine = typeof import('../../engine/savepoint/index');
type Access = typeof import('./stateAccess');

export class OverviewEditorProvider implements vscode.CustomReadonlyEditorProvider<OverviewDocument> {
  /** open panels by document path (tests) */
  readonly panels = new Map<string, vscode.WebviewPanel>();
  /** the models the panels were given (tests) */
  readonly models = new Map<string, OverviewInit>();

  constructor(private readonly extensionUri: vscode.Uri) {}

  openCustomDocument(uri: vscode.Uri): OverviewDocument {
    return new OverviewDocument(uri);
  }

  resolveCustomEditor(doc: OverviewDocument, panel: vscode.WebviewPanel): void {
    panel.webview.options = webviewOptions(this.extensionUri);
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, 'overview', `Savepoint ${path.basename(path.dirname(doc.uri.fsPath))}`);
    this.panels.set(doc.uri.fsPath, panel);
    let disposed = false;
    const server: RpcServer<OverviewApi, OverviewEvents> = new RpcServer<OverviewApi, OverviewEvents>((m) => panel.webview.postMessage(m), {
      init: async () => {
        const init = await this.load(doc.uri);
        this.models.set(doc.uri.fsPath, init);
        if (init.ok) void this.loadStates(init.model, (d) => !disposed && server.emit('states', d));
        return init;
      },
      openEntries: async ({ operator, state }) => {
        await vscode.commands.executeCommand(OPEN_ENTRIES_COMMAND, { savepoint: path.dirname(doc.uri.fsPath), operator, state });
      },
      copy: async ({ text }) => {
        await vscode.env.clipboard.writeText(text);
        vscode.window.setStatusBarMessage(`Copied ${text.length > 40 ? text.slice(0, 40) + '…' : text}`, 3000);
      },
    });
    const subs = [
      panel.webview.onDidReceiveMessage((m) => void server.handle(m)),
      panel.onDidDispose(() => {
        disposed = true;
        if (this.panels.get(doc.uri.fsPath) === panel) this.panels.delete(doc.uri.fsPath);
        for (const s of subs) s.dispose();
      }),
    ];
  }

  private async load(uri: vscode.Uri): Promise<OverviewInit> {
    const file = uri.fsPath;
    try {
      const engine: Engine = await import('../../engine/savepoint/index');
      const sp = await engine.openSavepoint(path.dirname(file));
      const snap = sp.snapshotType ?? '';
      // uids from the workspace code for operators whose metadata has none (see setOverviewUidResolver)
      const wsUids = sp.operators.some((o) => !o.uid) && uidResolver ? await uidResolver().catch(() => new Map<string, string>()) : new Map<string, string>();
      const model: OverviewModel = {
        path: sp.metadataPath,
        dir: sp.dir,
        checkpointId: sp.checkpointId.toString(),
        version: sp.version,
        format: sp.format,
        snapshotType: sp.snapshotType,
        type: /checkpoint/i.test(snap) && !/savepoint/i.test(snap) ? 'checkpoint' : 'savepoint',
        totalSize: sp.totalSize,
        operators: sp.operators.map((o) => ({
          id: o.id,
          uid: o.uid ?? wsUids.get(o.id.toLowerCase()),
          name: o.name,
          parallelism: o.parallelism,
          maxParallelism: o.maxParallelism,
          finished: o.finished,
          size: o.size,
        })),
      };
      return { ok: true, model };
    } catch (e) {
      return { ok: false, error: errorText(e), path: file };
    }
  }

  /** Lists the states of every operator and measures them, operator by operator, in the background. */
  private async loadStates(model: OverviewModel, emit: (d: OverviewEvents['states']) => void): Promise<void> {
    let engine: Engine;
    let access: Access;
    let sp: Awaited<ReturnType<Engine['openSavepoint']>>;
    try {
      engine = await import('../../engine/savepoint/index');
      access = await import('./stateAccess');
      sp = await engine.openSavepoint(model.dir);
    } catch (e) {
      for (const o of model.operators) emit({ operator: o.id, error: errorText(e) });
      return;
    }
    for (const o of model.operators) {
      try {
        const op = engine.findOperator(sp, o.id)!;
        const why = access.unreadableKeyedReason(op);
        let states: OverviewState[] = [];
        try {
          states = (await engine.listStates(sp, o.id)).map((s) => ({ ...s }));
        } catch (e) {
          if (!why) throw e;
        }
        let sizes = new Map<string, { bytes: number; count?: number }>();
        try {
          sizes = await access.stateSizes(sp, o.id);
        } catch {
          /* sizes are optional */
        }
        for (const s of states) {
          const z = sizes.get(s.name);
          if (z) {
            s.size = z.bytes;
            s.count = z.count;
          }
        }
        emit({ operator: o.id, states, error: why });
      } catch (e) {
        emit({ operator: o.id, error: errorText(e) });
      }
      await new Promise((r) => setTimeout(r, 0));
    }
  }
}
