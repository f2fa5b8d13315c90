/**
 * Read-only custom editor for a savepoint's `_metadata`: a webview (webview/savepoint.ts) with the
 * operators and the states of the selected one. Messages are typed in webview/protocol.ts.
 */
import * as crypto from 'crypto';
import * as path from 'path';
import * as vscode from 'vscode';
import { FromWebview, OperatorView, SAVEPOINT_EDITOR_VIEW_TYPE, SavepointView, ToWebview, isFromWebview } from '../webview/protocol';
import { Savepoint, savepointEngine } from './engine';
import { logError } from './log';
import { SavepointTreeProvider } from './savepointTree';

class SavepointDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri) {}
  dispose(): void { /* nothing held */ }
}

export class SavepointEditorProvider implements vscode.CustomReadonlyEditorProvider<SavepointDocument> {
  static readonly viewType = SAVEPOINT_EDITOR_VIEW_TYPE;
  /** open panels, for tests */
  readonly panels = new Set<vscode.WebviewPanel>();

  constructor(private readonly context: vscode.ExtensionContext, private readonly tree: SavepointTreeProvider) {}

  static register(context: vscode.ExtensionContext, tree: SavepointTreeProvider): SavepointEditorProvider {
    const p = new SavepointEditorProvider(context, tree);
    context.subscriptions.push(vscode.window.registerCustomEditorProvider(SAVEPOINT_EDITOR_VIEW_TYPE, p, {
      webviewOptions: { retainContextWhenHidden: false },
      supportsMultipleEditorsPerDocument: true,
    }));
    return p;
  }

  openCustomDocument(uri: vscode.Uri): SavepointDocument {
    return new SavepointDocument(uri);
  }

  resolveCustomEditor(doc: SavepointDocument, panel: vscode.WebviewPanel): void {
    const dist = vscode.Uri.joinPath(this.context.extensionUri, 'dist');
    panel.webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(dist, 'webview')] };
    panel.webview.html = this.html(panel.webview);
    this.panels.add(panel);
    const dir = path.dirname(doc.uri.fsPath);
    let sp: Savepoint | undefined;
    const send = (m: ToWebview) => panel.webview.postMessage(m);

    const load = async () => {
      try {
        const engine = await savepointEngine();
        sp = await engine.openSavepoint(dir);
        const uids = await this.tree.uidsByOperatorId();
        const operators: OperatorView[] = sp.operators.map((o) => {
          const ws = uids.get(o.id.toLowerCase());
          return {
            id: o.id, uid: o.uid ?? ws, uidSource: o.uid ? 'savepoint' : ws ? 'workspace' : undefined, name: o.name,
            parallelism: o.parallelism, maxParallelism: o.maxParallelism, finished: o.finished,
            subtaskCount: o.subtaskCount, coordinatorBytes: o.coordinatorBytes, size: o.size,
          };
        });
        const view: SavepointView = {
          name: path.basename(dir), dir, version: sp.version, checkpointId: sp.checkpointId.toString(),
          format: sp.format, snapshotType: sp.snapshotType, totalSize: sp.totalSize, operators,
          restricted: !vscode.workspace.isTrusted,
        };
        await send({ type: 'savepoint', savepoint: view });
      } catch (e) {
        logError(`savepoint editor: ${dir}`, e);
        await send({ type: 'error', message: e instanceof Error ? e.message : String(e) });
      }
    };

    const onMessage = async (m: FromWebview) => {
      switch (m.type) {
        case 'ready': case 'refresh': await load(); break;
        case 'loadStates': {
          if (!sp) return;
          try {
            const engine = await savepointEngine();
            const states = await engine.listStates(sp, m.operatorId);
            await send({ type: 'states', operatorId: m.operatorId, states: states.map((s) => ({ ...s })) });
          } catch (e) {
            await send({ type: 'error', operatorId: m.operatorId, message: e instanceof Error ? e.message : String(e) });
          }
          break;
        }
        case 'copy':
          await vscode.env.clipboard.writeText(m.text);
          vscode.window.setStatusBarMessage(`Copied ${m.what}`, 3000);
          break;
        case 'revealInExplorer':
          await vscode.commands.executeCommand('revealInExplorer', doc.uri);
          break;
      }
    };
    panel.webview.onDidReceiveMessage((m: unknown) => { if (isFromWebview(m)) void onMessage(m); });
    panel.onDidDispose(() => this.panels.delete(panel));
  }

  private html(webview: vscode.Webview): string {
    const nonce = crypto.randomBytes(16).toString('base64');
    const asset = (f: string) => webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview', f)).toString();
    const csp = [
      "default-src 'none'",
      `script-src 'nonce-${nonce}'`,
      `style-src ${webview.cspSource} 'nonce-${nonce}'`,
      `font-src ${webview.cspSource}`,
      `img-src ${webview.cspSource} data:`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('codicon.css')}" id="vscode-codicon-stylesheet">
<style nonce="${nonce}">
  body { padding: 0 20px 20px; color: var(--vscode-foreground); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); }
  header { display: flex; align-items: center; justify-content: space-between; gap: 12px; }
  h1 { font-size: 1.5em; font-weight: 600; margin: 16px 0 6px; }
  h2 { font-size: 1.1em; font-weight: 600; margin: 20px 0 8px; }
  .actions { display: flex; gap: 6px; }
  .badges { display: flex; align-items: center; gap: 8px; color: var(--vscode-descriptionForeground); }
  .path { color: var(--vscode-descriptionForeground); font-family: var(--vscode-editor-font-family); font-size: 0.9em; margin-top: 4px; word-break: break-all; }
  .mono { font-family: var(--vscode-editor-font-family); }
  .muted { color: var(--vscode-descriptionForeground); }
  .error { color: var(--vscode-errorForeground); white-space: pre-wrap; }
  .note { color: var(--vscode-editorWarning-foreground); }
  #operators vscode-table-row { cursor: pointer; }
  #operators vscode-table-row.selected { background: var(--vscode-list-inactiveSelectionBackground); color: var(--vscode-list-inactiveSelectionForeground); }
  vscode-table { max-height: 45vh; }
</style>
<title>Savepoint</title>
</head>
<body>
<div id="root"><vscode-progress-ring></vscode-progress-ring></div>
<script nonce="${nonce}" src="${asset('savepoint.js')}"></script>
</body>
</html>`;
  }
}
