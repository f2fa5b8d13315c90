/**
 * Savepoint-aware uid checks (VS Code glue; the logic is in ./core.ts):
 *  - a savepoint selected for the uid checks (Savepoints view selection, "Use Savepoint for uid Checks",
 *    or the `flinkSavepoints.lint.savepoint` setting) puts a code lens on every `.uid("…")`: the operator
 *    ID and what that savepoint holds for it, or "not in savepoint: new operator";
 *  - "Check Against Savepoint": a read-only Markdown report of dropped / matched / new operators;
 *  - "Explain Operator ID": uid (code via murmur3, metadata V5+), code location, states;
 *  - hovers and links on operator IDs in Flink logs and the terminal, Flink's restore errors included;
 *  - the overview editor names V4 operators by workspace uids (setOverviewUidResolver).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { Lang, savepointEngine } from '../engine';
import { SELECTOR, UidLint, analyzeText, langOf } from '../lint';
import { logError, output } from '../log';
import type { Node, OperatorNode, SavepointNode, SavepointTreeProvider } from '../savepointTree';
import { setOverviewUidResolver } from '../editors/overviewEditor';
import {
  CheckResult, CodeUid, Explanation, SavepointSummary, checkAgainstSavepoint, explanationSummary, findOperatorIds,
  findRestoreErrors, holdingText, isOperatorId, lensTitle, lensTooltip, operatorIdFromUid, operatorIdOf, parseOperatorInput, renderCheckReport,
  renderExplanation, resolveSavepointSetting, savepointLabel, summarizeSavepoint, SavepointReader,
} from './core';

export const USE_SAVEPOINT_COMMAND = 'flinkSavepoints.useSavepointForUidChecks';
export const CHECK_COMMAND = 'flinkSavepoints.checkAgainstSavepoint';
export const EXPLAIN_COMMAND = 'flinkSavepoints.explainOperatorId';
export const REVEAL_COMMAND = 'flinkSavepoints.revealOperator';
export const SETTING = 'flinkSavepoints.lint.savepoint';
const REPORT_SCHEME = 'flink-savepoints-report';
const SOURCE_GLOB = '**/*.{java,scala,kt,py}';
const SOURCE_EXCLUDE = '{**/node_modules/**,**/target/**,**/build/**,**/.*/**}';
/** log files and plain text (log files without a language extension are plaintext) */
export const LOG_SELECTOR: vscode.DocumentSelector = [
  { language: 'flink-log' }, { language: 'log' }, { language: 'plaintext' }, { pattern: '**/*.{log,out,err}' },
];

export interface UidFeatureDeps {
  tree: SavepointTreeProvider;
  view: vscode.TreeView<Node>;
  lint: UidLint;
}

interface KnownOperator { code: CodeUid[]; savepoints: { dir: string; uid?: string; name?: string }[] }

function dirOfNode(n: unknown): string | undefined {
  if (n instanceof vscode.Uri) return path.basename(n.fsPath) === '_metadata' ? path.dirname(n.fsPath) : n.fsPath;
  if (typeof n === 'string') return resolveSavepointSetting(n, vscode.workspace.workspaceFolders?.[0]?.uri.fsPath);
  let cur = n as Node | undefined;
  while (cur && typeof cur === 'object' && cur.kind !== 'savepoint') cur = (cur as { parent?: Node }).parent;
  return cur && cur.kind === 'savepoint' ? cur.dir : undefined;
}

function idFromArg(a: unknown): string | undefined {
  if (typeof a === 'string') return a;
  if (a && typeof a === 'object') {
    const o = a as { id?: unknown; op?: { id?: unknown } };
    if (typeof o.id === 'string') return o.id;
    if (typeof o.op?.id === 'string') return o.op.id;
  }
  return undefined;
}

/** The features' state; one instance per activation. */
export class UidFeatures implements vscode.Disposable, vscode.CodeLensProvider, vscode.HoverProvider, vscode.DocumentLinkProvider,
  vscode.TextDocumentContentProvider {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly lensChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.lensChanged.event;
  private readonly reportChanged = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.reportChanged.event;
  private readonly reports = new Map<string, string>();
  private reportSeq = 0;
  private readonly status = vscode.window.createStatusBarItem('flinkSavepoints.uidSavepoint', vscode.StatusBarAlignment.Left, 50);
  /** savepoint chosen in the view or by command; the setting applies while this is unset */
  private chosen: string | undefined;
  private readonly data = new Map<string, { mtime: number; p: Promise<SavepointSummary> }>();
  private uids: Promise<CodeUid[]> | undefined;
  private uidsAt = 0;
  private knownAt = 0;
  private known: Promise<Map<string, KnownOperator>> | undefined;

  constructor(private readonly deps: UidFeatureDeps) {
    const { tree, view, lint } = deps;
    // No FileSystemWatcher of our own for job sources (with one, the e2e test "a savepoint copied into the
    // workspace appears", which needs the `**/_metadata` watcher's events, failed 2 of 2 runs; that test is
    // also flaky without these features). Saves, edits, file operations in VS Code, a view refresh and a
    // one-minute time-to-live keep the workspace uids current.
    const dropCode = () => { this.uids = undefined; this.known = undefined; };
    const isSource = (u: vscode.Uri) => !!langFromPath(u.fsPath);
    this.status.name = 'Flink: savepoint for uid checks';
    this.status.command = CHECK_COMMAND;
    this.disposables.push(
      this.lensChanged, this.reportChanged, this.status,
      vscode.workspace.onDidSaveTextDocument((d) => { if (langOf(d)) dropCode(); }),
      vscode.workspace.onDidChangeTextDocument((e) => { if (e.contentChanges.length && langOf(e.document)) dropCode(); }),
      vscode.workspace.onDidCreateFiles((e) => { if (e.files.some(isSource)) dropCode(); }),
      vscode.workspace.onDidDeleteFiles((e) => { if (e.files.some(isSource)) dropCode(); }),
      vscode.workspace.onDidRenameFiles((e) => { if (e.files.some((f) => isSource(f.oldUri) || isSource(f.newUri))) dropCode(); }),
      tree.onDidChangeTreeData(() => { dropCode(); this.data.clear(); this.lensChanged.fire(); }),
      lint.onDidChangeCodeLenses(() => this.lensChanged.fire()),
      view.onDidChangeSelection((e) => {
        const dir = dirOfNode(e.selection[0]);
        const n = e.selection[0];
        const readable = n && (n.kind !== 'savepoint' || n.sp);
        if (dir && readable && dir !== this.chosen) this.select(dir);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(SETTING)) { this.chosen = undefined; this.update(); }
      }),
    );
    this.update();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  // ---- the selected savepoint ----

  /** The savepoint the uid lenses compare against, or undefined. */
  selected(): string | undefined {
    if (this.chosen) return this.chosen;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const v = vscode.workspace.getConfiguration(undefined, folder ?? null).get<string>(SETTING, '');
    return resolveSavepointSetting(v, folder?.fsPath);
  }

  select(dir: string | undefined): void {
    this.chosen = dir;
    this.update();
  }

  private update(): void {
    const dir = this.selected();
    void vscode.commands.executeCommand('setContext', 'flinkSavepoints.uidSavepointSelected', !!dir);
    if (dir) {
      this.status.text = `$(database) ${savepointLabel(dir)}`;
      this.status.tooltip = `uid checks compare against ${dir}\nClick: Check Against Savepoint`;
      this.status.show();
    } else this.status.hide();
    this.lensChanged.fire();
  }

  // ---- data ----

  /** The savepoint's operators and their states (cached while _metadata is unchanged). */
  savepoint(dir: string): Promise<SavepointSummary> {
    let mtime = 0;
    try {
      mtime = fs.statSync(path.join(dir, '_metadata')).mtimeMs;
    } catch {
      /* openSavepoint reports it */
    }
    const have = this.data.get(dir);
    if (have && have.mtime === mtime) return have.p;
    const p = savepointEngine().then((engine) => summarizeSavepoint(engine as unknown as SavepointReader<unknown>, dir));
    p.catch(() => this.data.delete(dir));
    this.data.set(dir, { mtime, p });
    return p;
  }

  /** Every `.uid("…")` in the workspace's job code (open editors' current text included). */
  codeUids(): Promise<CodeUid[]> {
    // files changed outside VS Code (git checkout, a build) are picked up after a minute
    if (this.uids && Date.now() - this.uidsAt > 60_000) this.uids = undefined;
    if (!this.uids) {
      this.uidsAt = Date.now();
      this.uids = (async () => {
        const out: CodeUid[] = [];
        const files = await vscode.workspace.findFiles(SOURCE_GLOB, SOURCE_EXCLUDE, 2000);
        const open = new Map(vscode.workspace.textDocuments.filter((d) => d.uri.scheme === 'file').map((d) => [d.uri.fsPath, d]));
        for (const uri of files) {
          const lang = langFromPath(uri.fsPath);
          if (!lang) continue;
          try {
            const doc = open.get(uri.fsPath);
            let text: string;
            if (doc) text = doc.getText();
            else {
              const bytes = await vscode.workspace.fs.readFile(uri);
              if (bytes.length > 2_000_000) continue;
              text = Buffer.from(bytes).toString('utf8');
            }
            if (!text.includes('uid')) continue;
            const a = await analyzeText(text, lang, uri.fsPath, {});
            for (const u of a?.uids ?? []) {
              if (u.uid) out.push({ uid: u.uid, file: uri.fsPath, line: u.range.start.line, character: u.range.start.character, method: u.method, stateful: u.stateful, operatorId: u.operatorId });
            }
          } catch (e) {
            output().debug(`uid scan: skipping ${uri.fsPath}: ${e instanceof Error ? e.message : e}`);
          }
        }
        return out;
      })();
      this.uids.catch(() => { this.uids = undefined; });
    }
    return this.uids;
  }

  /** Operator IDs known from workspace code and from the listed savepoints (for hovers and links). */
  knownOperators(): Promise<Map<string, KnownOperator>> {
    if (this.known && Date.now() - this.knownAt > 60_000) this.known = undefined;
    if (!this.known) {
      this.knownAt = Date.now();
      this.known = (async () => {
        const map = new Map<string, KnownOperator>();
        const get = (id: string) => {
          let k = map.get(id);
          if (!k) map.set(id, (k = { code: [], savepoints: [] }));
          return k;
        };
        for (const u of await this.codeUids().catch(() => [] as CodeUid[])) get(operatorIdOf(u)).code.push(u);
        for (const n of await this.deps.tree.savepoints().catch(() => [] as SavepointNode[])) {
          for (const o of n.sp?.operators ?? []) get(o.id.toLowerCase()).savepoints.push({ dir: n.dir, uid: o.uid, name: o.name });
        }
        const sel = this.selected();
        if (sel && ![...map.values()].some((k) => k.savepoints.some((s) => s.dir === sel))) {
          const sp = await this.savepoint(sel).catch(() => undefined);
          for (const o of sp?.operators ?? []) get(o.id).savepoints.push({ dir: sel, uid: o.uid, name: o.name });
        }
        return map;
      })();
    }
    return this.known;
  }

  /** All savepoint folders to search: the selected one first, then the Savepoints view's. */
  private async savepointDirs(): Promise<string[]> {
    const dirs: string[] = [];
    const sel = this.selected();
    if (sel) dirs.push(sel);
    for (const n of await this.deps.tree.savepoints().catch(() => [] as SavepointNode[])) if (n.sp && !dirs.includes(n.dir)) dirs.push(n.dir);
    return dirs;
  }

  // ---- code lenses ----

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const dir = this.selected();
    if (!dir || !langOf(doc)) return [];
    if (!vscode.workspace.getConfiguration('flinkSavepoints.lint', doc.uri).get<boolean>('codeLens', true)) return [];
    const entry = await this.deps.lint.analyze(doc);
    const sites = entry?.analysis?.uids ?? [];
    if (!sites.length) return [];
    let sp: SavepointSummary;
    try {
      sp = await this.savepoint(dir);
    } catch (e) {
      const first = sites[0].range.start;
      return [new vscode.CodeLens(new vscode.Range(first.line, 0, first.line, 0), {
        title: `$(error) cannot read savepoint ${savepointLabel(dir)}`, command: USE_SAVEPOINT_COMMAND, tooltip: e instanceof Error ? e.message : String(e),
      })];
    }
    const byId = new Map(sp.operators.map((o) => [o.id, o]));
    const label = savepointLabel(dir);
    return sites.filter((s) => s.uid).map((s) => {
      const id = operatorIdOf(s);
      const op = byId.get(id);
      const at = new vscode.Position(s.range.start.line, s.range.start.character);
      return new vscode.CodeLens(new vscode.Range(at, at), {
        title: lensTitle(id, op, label),
        tooltip: lensTooltip(s.uid, id, op, dir),
        command: REVEAL_COMMAND,
        arguments: [{ savepoint: dir, id, inSavepoint: !!op }],
      });
    });
  }

  // ---- commands ----

  async useSavepoint(arg?: unknown): Promise<string | undefined> {
    let dir = dirOfNode(arg);
    if (!dir) {
      const roots = (await this.deps.tree.savepoints()).filter((n) => n.sp);
      const items: (vscode.QuickPickItem & { dir?: string })[] = roots.map((n) => ({
        label: savepointLabel(n.dir), description: n.dir, detail: `${n.sp!.operators.length} operators`, dir: n.dir,
        picked: n.dir === this.selected(),
      }));
      items.push({ label: '$(close) None', description: 'no savepoint code lenses' });
      const pick = await vscode.window.showQuickPick(items, { title: 'Savepoint for the uid checks', matchOnDescription: true });
      if (!pick) return this.selected();
      dir = pick.dir;
    }
    this.select(dir);
    if (dir) vscode.window.setStatusBarMessage(`uid checks compare against ${savepointLabel(dir)}`, 3000);
    return dir;
  }

  async check(arg?: unknown): Promise<{ result: CheckResult; text: string; uri: vscode.Uri } | undefined> {
    let dir = dirOfNode(arg) ?? this.selected();
    if (!dir) dir = await this.useSavepoint();
    if (!dir) return undefined;
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Checking against ${savepointLabel(dir)}` }, async () => {
      const [sp, uids] = await Promise.all([this.savepoint(dir!), this.codeUids()]);
      const result = checkAgainstSavepoint(uids, sp);
      const files = new Set(uids.map((u) => u.file)).size;
      const text = renderCheckReport(result, { root: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath, files });
      const uri = await this.showReport(`Check ${savepointLabel(dir!).replace(/\//g, '-')}.md`, text);
      return { result, text, uri };
    });
  }

  async explain(arg?: unknown, opts: { restoreError?: string; show?: boolean } = {}): Promise<{ explanation: Explanation; text: string; uri?: vscode.Uri } | undefined> {
    let input = idFromArg(arg);
    if (arg && typeof arg === 'object' && typeof (arg as { restoreError?: unknown }).restoreError === 'string') opts = { ...opts, restoreError: (arg as { restoreError: string }).restoreError };
    if (!input) {
      const ed = vscode.window.activeTextEditor;
      if (ed) {
        // the selection (an ID or a uid), else the operator ID at the cursor, else the `.uid("…")` at the cursor
        const sel = ed.document.getText(ed.selection).trim();
        const wr = ed.document.getWordRangeAtPosition(ed.selection.active, /[0-9a-fA-F]{32}/);
        if (sel && !sel.includes('\n') && sel.length <= 200) input = sel;
        else if (wr) input = ed.document.getText(wr);
        else if (langOf(ed.document)) {
          const at = ed.selection.active;
          const sites = (await this.deps.lint.analyze(ed.document))?.analysis?.uids ?? [];
          const site = sites.find((u) => new vscode.Range(u.range.start.line, u.range.start.character, u.range.end.line, u.range.end.character).contains(at));
          if (site) input = site.uid;
        }
      }
    }
    if (!input) {
      input = await vscode.window.showInputBox({
        title: 'Explain Operator ID', prompt: 'Operator ID (32 hex digits) or a uid',
        validateInput: (v) => { const r = parseOperatorInput(v); return 'error' in r ? r.error : undefined; },
      });
      if (!input) return undefined;
    }
    const parsed = parseOperatorInput(input);
    if ('error' in parsed) {
      void vscode.window.showErrorMessage(parsed.error);
      return undefined;
    }
    const id = parsed.id;
    const code = (await this.codeUids()).filter((u) => operatorIdOf(u) === id);
    const sel = this.selected();
    const dirs = await this.savepointDirs();
    const savepoints: Explanation['savepoints'] = [];
    for (const dir of dirs) {
      try {
        const sp = await this.savepoint(dir);
        const op = sp.operators.find((o) => o.id === id);
        if (op) savepoints.push({ dir, op, selected: dir === sel });
      } catch {
        /* unreadable savepoints are shown in the view */
      }
    }
    const explanation: Explanation = { id, typedUid: parsed.uid, code, savepoints, searched: dirs.length };
    const text = renderExplanation(explanation, { root: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath, restoreError: opts.restoreError });
    let uri: vscode.Uri | undefined;
    if (opts.show !== false) {
      uri = await this.showReport(`Operator ${id}.md`, text);
      const actions = code.length ? ['Go to .uid(…)', 'Copy ID'] : ['Copy ID'];
      void vscode.window.showInformationMessage(explanationSummary(explanation), ...actions).then(async (a) => {
        if (a === 'Copy ID') await vscode.env.clipboard.writeText(id);
        else if (a) await this.goTo(code[0]);
      });
    }
    return { explanation, text, uri };
  }

  async goTo(u: CodeUid): Promise<void> {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(u.file));
    const pos = new vscode.Position(u.line, u.character);
    await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos) });
  }

  /** Lens click: reveal the operator in the Savepoints view (when there) and copy its ID. */
  async reveal(arg: { savepoint?: string; id?: string; inSavepoint?: boolean } | undefined): Promise<string | undefined> {
    const id = arg?.id;
    if (!id) return undefined;
    await vscode.env.clipboard.writeText(id);
    if (!arg.savepoint || arg.inSavepoint === false) {
      vscode.window.setStatusBarMessage(`Copied operator ID ${id} (not in the savepoint)`, 3000);
      return undefined;
    }
    const roots = await this.deps.tree.savepoints();
    const spNode = roots.find((n) => path.resolve(n.dir) === path.resolve(arg.savepoint!));
    if (!spNode) {
      vscode.window.setStatusBarMessage(`Copied operator ID ${id} (the savepoint is not in the Savepoints view)`, 3000);
      return undefined;
    }
    const ops = (await this.deps.tree.getChildren(spNode)).filter((n): n is OperatorNode => n.kind === 'operator');
    const op = ops.find((o) => o.op.id.toLowerCase() === id);
    if (!op) return undefined;
    try {
      await this.deps.view.reveal(op, { select: true, focus: true, expand: false });
    } catch (e) {
      logError(`cannot reveal operator ${id}`, e);
    }
    vscode.window.setStatusBarMessage(`Copied operator ID ${id}`, 3000);
    return op.op.id;
  }

  // ---- read-only report documents ----

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.reports.get(uri.toString()) ?? '';
  }

  private async showReport(name: string, text: string): Promise<vscode.Uri> {
    const uri = vscode.Uri.from({ scheme: REPORT_SCHEME, path: `/${name}`, query: String(++this.reportSeq) });
    this.reports.set(uri.toString(), text);
    if (this.reports.size > 20) this.reports.delete(this.reports.keys().next().value!);
    const doc = await vscode.workspace.openTextDocument(uri);
    if (doc.languageId !== 'markdown') await vscode.languages.setTextDocumentLanguage(doc, 'markdown').then(undefined, () => undefined);
    await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside, preserveFocus: false });
    return uri;
  }

  // ---- operator IDs in logs and terminals ----

  /** IDs on a line worth a link/hover: known operators, and every ID of a restore error. */
  async idsOnLine(line: string): Promise<{ id: string; offset: number; restoreError?: string }[]> {
    const errors = findRestoreErrors(line);
    const candidates = findOperatorIds(line);
    if (!candidates.length) return [];
    const known = await this.knownOperators();
    const out: { id: string; offset: number; restoreError?: string }[] = [];
    for (const c of candidates) {
      const err = errors.find((e) => e.offset === c.offset);
      if (err || known.has(c.id)) out.push({ id: c.id, offset: c.offset, restoreError: err?.message });
    }
    return out;
  }

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.Hover | undefined> {
    const range = doc.getWordRangeAtPosition(pos, /[0-9a-fA-F]{32}/);
    if (!range) return undefined;
    const line = doc.lineAt(pos.line).text;
    const hit = (await this.idsOnLine(line)).find((h) => h.offset === range.start.character);
    if (!hit) return undefined;
    return new vscode.Hover(await this.hoverMarkdown(hit.id, hit.restoreError), range);
  }

  async hoverMarkdown(id: string, restoreError?: string): Promise<vscode.MarkdownString> {
    const known = (await this.knownOperators()).get(id);
    const md = new vscode.MarkdownString('', true);
    md.isTrusted = { enabledCommands: [EXPLAIN_COMMAND] };
    md.appendMarkdown(`**Flink operator** \`${id}\`\n\n`);
    if (restoreError) {
      md.appendMarkdown('$(error) The savepoint holds state for this operator, but no operator of the new job has this ID. '
        + 'Give the operator its old `.uid(…)` again, or restore with `--allowNonRestoredState` (drops this state).\n\n');
    }
    const uids = new Set<string>([...(known?.code ?? []).map((c) => c.uid), ...(known?.savepoints ?? []).flatMap((s) => (s.uid ? [s.uid] : []))]);
    md.appendMarkdown(`uid: ${uids.size ? [...uids].map((u) => `\`${u}\``).join(', ') : 'unknown'}\n\n`);
    for (const c of (known?.code ?? []).slice(0, 5)) {
      const target = vscode.Uri.file(c.file).with({ fragment: `L${c.line + 1},${c.character + 1}` });
      md.appendMarkdown(`$(code) [${path.basename(c.file)}:${c.line + 1}](${target.toString()})\n\n`);
    }
    const sel = this.selected();
    const spDirs = [...new Set([...(sel ? [sel] : []), ...(known?.savepoints ?? []).map((s) => s.dir)])];
    for (const dir of spDirs.slice(0, 4)) {
      const op = await this.savepoint(dir).then((sp) => sp.operators.find((o) => o.id === id), () => undefined);
      if (!op) continue;
      const states = op.states?.length ? ` — ${op.states.slice(0, 8).map((s) => `\`${s.name}\``).join(', ')}${op.states.length > 8 ? ', …' : ''}` : '';
      md.appendMarkdown(`$(database) ${savepointLabel(dir)}: ${holdingText(op)}${states}\n\n`);
    }
    md.appendMarkdown(`[Explain Operator ID](command:${EXPLAIN_COMMAND}?${encodeURIComponent(JSON.stringify([restoreError ? { id, restoreError } : id]))})`);
    return md;
  }

  async provideDocumentLinks(doc: vscode.TextDocument): Promise<vscode.DocumentLink[]> {
    if (langOf(doc) || doc.uri.scheme === REPORT_SCHEME || doc.uri.scheme === 'output') return [];
    const text = doc.getText();
    if (text.length > 20_000_000 || !/[0-9a-fA-F]{32}/.test(text)) return [];
    const errors = findRestoreErrors(text);
    const known = await this.knownOperators();
    const links: vscode.DocumentLink[] = [];
    for (const c of findOperatorIds(text)) {
      const err = errors.find((e) => e.offset === c.offset);
      if (!err && !known.has(c.id)) continue;
      const arg = err ? { id: c.id, restoreError: err.message } : c.id;
      const link = new vscode.DocumentLink(
        new vscode.Range(doc.positionAt(c.offset), doc.positionAt(c.offset + c.length)),
        vscode.Uri.parse(`command:${EXPLAIN_COMMAND}?${encodeURIComponent(JSON.stringify([arg]))}`),
      );
      link.tooltip = err ? 'Restore error: explain this operator ID' : 'Explain Operator ID';
      links.push(link);
      if (links.length >= 2000) break;
    }
    return links;
  }

  terminalLinks(): vscode.TerminalLinkProvider<vscode.TerminalLink & { id: string; restoreError?: string }> {
    return {
      provideTerminalLinks: async (ctx) => (await this.idsOnLine(ctx.line)).map((h) => Object.assign(
        new vscode.TerminalLink(h.offset, 32, h.restoreError ? 'Restore error: Explain Operator ID' : 'Explain Operator ID'),
        { id: h.id, restoreError: h.restoreError },
      )),
      handleTerminalLink: async (link) => { await this.explain(link.restoreError ? { id: link.id, restoreError: link.restoreError } : link.id); },
    };
  }
}

function langFromPath(p: string): Lang | undefined {
  if (p.endsWith('.java')) return 'java';
  if (p.endsWith('.scala')) return 'scala';
  if (p.endsWith('.kt')) return 'kotlin';
  if (p.endsWith('.py')) return 'python';
  return undefined;
}

/** Registers the savepoint-aware uid features; called once from activate(). */
export function registerUidFeatures(deps: UidFeatureDeps): vscode.Disposable & { features: UidFeatures } {
  const f = new UidFeatures(deps);
  // the overview editor names operators of V4 (Flink 1.x) savepoints by the workspace's uids, like the tree
  setOverviewUidResolver(() => deps.tree.uidsByOperatorId());
  const subs: vscode.Disposable[] = [
    f,
    vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, f),
    vscode.languages.registerCodeLensProvider(SELECTOR, f),
    vscode.languages.registerHoverProvider(LOG_SELECTOR, f),
    vscode.languages.registerDocumentLinkProvider(LOG_SELECTOR, f),
    vscode.window.registerTerminalLinkProvider(f.terminalLinks()),
    vscode.commands.registerCommand(USE_SAVEPOINT_COMMAND, (arg?: unknown) => f.useSavepoint(arg)),
    vscode.commands.registerCommand(CHECK_COMMAND, (arg?: unknown) => f.check(arg)),
    vscode.commands.registerCommand(EXPLAIN_COMMAND, (arg?: unknown, opts?: { show?: boolean }) => f.explain(arg, opts ?? {})),
    vscode.commands.registerCommand(REVEAL_COMMAND, (arg?: { savepoint?: string; id?: string; inSavepoint?: boolean }) => f.reveal(arg)),
  ];
  return { features: f, dispose: () => { setOverviewUidResolver(undefined); for (const s of subs) s.dispose(); } };
}
