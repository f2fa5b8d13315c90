/**
 * The HTML shell of the editors' webviews: strict CSP with a nonce, scripts and fonts only from
 * dist/webview (the only localResourceRoot), theme colours from VS Code's CSS variables.
 */
import * as crypto from 'crypto';
import * as vscode from 'vscode';

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')] };
}

const BASE_CSS = `
  :root { --row-h: 24px; }
  body { padding: 0 16px 16px; color: var(--vscode-foreground); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); background: var(--vscode-editor-background); }
  h1 { font-size: 1.4em; font-weight: 600; margin: 14px 0 4px; }
  h2 { font-size: 1.1em; font-weight: 600; margin: 18px 0 8px; }
  .muted { color: var(--vscode-descriptionForeground); }
  .mono { font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); }
  .error { color: var(--vscode-errorForeground); white-space: pre-wrap; }
  .error-box { border: 1px solid var(--vscode-inputValidation-errorBorder, var(--vscode-errorForeground)); background: var(--vscode-inputValidation-errorBackground, transparent); padding: 8px 12px; margin: 12px 0; white-space: pre-wrap; word-break: break-word; }
  .warn { color: var(--vscode-editorWarning-foreground); }
  .facts { display: flex; flex-wrap: wrap; gap: 6px 18px; margin: 6px 0 4px; }
  .fact .k { color: var(--vscode-descriptionForeground); margin-right: 6px; }
  .fact .v { font-weight: 600; }
  .path { color: var(--vscode-descriptionForeground); font-family: var(--vscode-editor-font-family); font-size: 0.9em; word-break: break-all; }
  a, .link { color: var(--vscode-textLink-foreground); cursor: pointer; text-decoration: none; }
  a:hover, .link:hover { color: var(--vscode-textLink-activeForeground); text-decoration: underline; }
  .toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; margin: 8px 0; }
  .toolbar .sep { width: 1px; align-self: stretch; background: var(--vscode-panel-border, var(--vscode-widget-border, transparent)); margin: 0 4px; }
  .spacer { flex: 1; }
  vscode-textfield { min-width: 120px; }
  svg text { fill: var(--vscode-foreground); font-family: var(--vscode-font-family); font-size: 12px; }
  svg .axis { stroke: var(--vscode-panel-border, var(--vscode-descriptionForeground)); }
  svg .bar { cursor: pointer; }
  svg .bar:hover, svg .bar:focus { opacity: 0.8; outline: none; stroke: var(--vscode-focusBorder); stroke-width: 1px; }
  svg .label { fill: var(--vscode-foreground); }
  svg .value { fill: var(--vscode-descriptionForeground); }
  .legend { display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 6px 0; }
  .legend .sw { display: inline-block; width: 10px; height: 10px; margin-right: 5px; vertical-align: middle; }
`;

/** A webview page loading dist/webview/<script>.js with codicons and the elements' styles. */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, script: string, title: string, css = ''): string {
  const nonce = crypto.randomBytes(16).toString('base64');
  const asset = (f: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', f)).toString();
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
  ].join('; ');
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('codicon.css')}" id="vscode-codicon-stylesheet">
<style nonce="${nonce}">${BASE_CSS}${css}</style>
<title>${esc(title)}</title>
</head>
<body>
<div id="root"><p class="muted">Loading…</p></div>
<script nonce="${nonce}" src="${asset(`${script}.js`)}"></script>
</body>
</html>`;
}

export function errorText(e: unknown): string {
  if (e instanceof Error) return e.name && e.name !== 'Error' && !e.message.startsWith(e.name) ? `${e.message}` : e.message;
  return String(e);
}

/** The entries editor's grid (virtualized rows are absolutely positioned in #grid-body). */
export const ENTRIES_CSS = `
  #key-timers h3 { font-size: 1em; margin: 10px 0 4px; display: flex; gap: 8px; align-items: center; }
  .key-timer-list { margin: 0; padding-left: 18px; }
  .key-timer { margin: 2px 0; }
  .key-timer vscode-button { margin-left: 6px; }
  .key-timer.status-deleted .mono { text-decoration: line-through; }
  #kt-state { background: var(--vscode-dropdown-background); color: var(--vscode-dropdown-foreground); border: 1px solid var(--vscode-dropdown-border, transparent); padding: 2px 4px; }
  .split { display: grid; grid-template-columns: minmax(0, 3fr) minmax(260px, 2fr); gap: 12px; align-items: start; }
  @media (max-width: 800px) { .split { grid-template-columns: 1fr; } }
  .grid { border: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, transparent)); min-width: 0; }
  .grid.busy { opacity: 0.6; }
  .grid-head { display: flex; background: var(--vscode-keybindingTable-headerBackground, var(--vscode-editorWidget-background)); font-weight: 600; }
  .grid-body { position: relative; height: calc(100vh - 300px); min-height: 240px; overflow: auto; outline: none; }
  .grid-body:focus-visible { outline: 1px solid var(--vscode-focusBorder); }
  .row { position: absolute; left: 0; right: 0; height: var(--row-h); display: flex; align-items: center; cursor: default; }
  .row:nth-child(even) { background: var(--vscode-keybindingTable-rowsBackground, transparent); }
  .row:hover { background: var(--vscode-list-hoverBackground); }
  .row.selected { background: var(--vscode-list-activeSelectionBackground); color: var(--vscode-list-activeSelectionForeground); }
  .row.empty { padding-left: 8px; }
  .cell { padding: 0 8px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; line-height: var(--row-h); }
  .grid-head .cell { line-height: 26px; }
  .c-keyGroup, .c-subtask { flex: 0 0 76px; text-align: right; }
  .c-key, .c-namespace, .c-userKey { flex: 2 1 0; min-width: 80px; }
  .c-value, .c-timestamp { flex: 3 1 0; min-width: 100px; }
  .c-status { flex: 0 0 62px; font-size: 0.85em; color: var(--vscode-descriptionForeground); }
  .type { font-weight: normal; font-size: 0.85em; }
  .s-edited .c-value { color: var(--vscode-gitDecoration-modifiedResourceForeground, var(--vscode-charts-blue)); }
  .s-added { color: var(--vscode-gitDecoration-addedResourceForeground, var(--vscode-charts-green)); }
  .s-deleted .cell:not(.c-status) { text-decoration: line-through; color: var(--vscode-gitDecoration-deletedResourceForeground, var(--vscode-charts-red)); }
  .detail { min-width: 0; }
  .detail h2 { margin-top: 0; }
  pre.json { background: var(--vscode-textCodeBlock-background); padding: 8px; max-height: 40vh; overflow: auto; white-space: pre-wrap; word-break: break-word; margin: 0 0 10px; }
  vscode-textarea { width: 100%; }
  .readonly-box { border-left: 3px solid var(--vscode-editorWarning-foreground); padding: 4px 10px; margin: 8px 0; background: var(--vscode-textBlockQuote-background); }
  .ok-box { border-left: 3px solid var(--vscode-charts-green); padding: 4px 10px; margin: 8px 0; background: var(--vscode-textBlockQuote-background); }
  #add-form { border: 1px solid var(--vscode-panel-border, transparent); padding: 4px 12px 10px; margin: 8px 0; }
`;
