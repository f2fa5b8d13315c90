import * as vscode from 'vscode';
import { Edit, FileAnalysis, Finding, LANGUAGE_IDS, Lang, Rng, language } from './engine';
import { logError, output } from './log';

export const RULES = ['stateful-operator-without-uid', 'duplicate-uid', 'operator-without-uid', 'non-constant-uid', 'pyflink-watermark-uid'] as const;
export const RULE_DEFAULTS: Record<string, string> = {
  'stateful-operator-without-uid': 'warning',
  'duplicate-uid': 'error',
  'operator-without-uid': 'off',
  'non-constant-uid': 'information',
  'pyflink-watermark-uid': 'information',
};
const SOURCE = 'Flink Savepoints';
// VS Code has no built-in Scala or Kotlin language: without Metals / a Kotlin extension such files are
// plain text, so they are also selected by file name.
export const SELECTOR: vscode.DocumentSelector = [
  ...Object.keys(LANGUAGE_IDS).map((l) => ({ language: l })),
  { pattern: '**/*.{scala,sc,kt,kts}' },
];

/** The analysis language of a document: by language id, else (plain text) by file extension. */
export function langOf(doc: vscode.TextDocument): Lang | undefined {
  const byId = LANGUAGE_IDS[doc.languageId];
  if (byId) return byId;
  if (doc.languageId !== 'plaintext') return undefined;
  const p = doc.uri.path;
  if (/\.(scala|sc)$/.test(p)) return 'scala';
  if (/\.(kt|kts)$/.test(p)) return 'kotlin';
  return undefined;
}

function toRange(r: Rng): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}
function toEdit(e: Edit): vscode.TextEdit {
  return new vscode.TextEdit(toRange(e.range), e.newText);
}

function ruleSettings(): Record<string, string> {
  const cfg = vscode.workspace.getConfiguration('flinkSavepoints.lint.rules');
  const out: Record<string, string> = {};
  for (const r of RULES) out[r] = cfg.get<string>(r, RULE_DEFAULTS[r]) ?? RULE_DEFAULTS[r];
  return out;
}

function severity(s: string): vscode.DiagnosticSeverity | undefined {
  switch (s) {
    case 'error': return vscode.DiagnosticSeverity.Error;
    case 'warning': return vscode.DiagnosticSeverity.Warning;
    case 'information': case 'info': return vscode.DiagnosticSeverity.Information;
    case 'hint': return vscode.DiagnosticSeverity.Hint;
    default: return undefined;
  }
}

interface Entry { version: number; generation: number; analysis?: FileAnalysis; findings: Finding[] }

/** Runs the uid analysis on job source files and publishes diagnostics, code lenses and quick fixes. */
export class UidLint implements vscode.CodeLensProvider, vscode.CodeActionProvider, vscode.Disposable {
  static readonly fixAllKind = vscode.CodeActionKind.SourceFixAll.append('flinkSavepoints');
  static readonly metadata: vscode.CodeActionProviderMetadata = {
    providedCodeActionKinds: [vscode.CodeActionKind.QuickFix, UidLint.fixAllKind],
  };

  readonly diagnostics = vscode.languages.createDiagnosticCollection('flinkSavepoints');
  private readonly cache = new Map<string, Entry>();
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<Entry | undefined>>();
  private readonly lensChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.lensChanged.event;
  private readonly disposables: vscode.Disposable[] = [];
  private index: Promise<unknown> | undefined;
  /** bumped when settings change: results computed under older settings are dropped */
  private generation = 0;

  constructor() {
    this.disposables.push(
      this.diagnostics,
      this.lensChanged,
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => { if (e.contentChanges.length) this.schedule(e.document); }),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri)),
      vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('flinkSavepoints.lint')) this.reanalyzeAll(); }),
    );
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  dispose(): void {
    for (const t of this.pending.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
  }

  private enabled(): boolean {
    return vscode.workspace.getConfiguration('flinkSavepoints.lint').get<boolean>('enabled', true);
  }

  private forget(uri: vscode.Uri): void {
    this.cache.delete(uri.toString());
    this.diagnostics.delete(uri);
  }

  reanalyzeAll(): void {
    this.generation++;
    this.cache.clear();
    this.diagnostics.clear();
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
    this.lensChanged.fire();
  }

  schedule(doc: vscode.TextDocument, delay = vscode.workspace.getConfiguration('flinkSavepoints.lint').get<number>('debounceMs', 400)): void {
    if (!langOf(doc) || doc.uri.scheme === 'output') return;
    const key = doc.uri.toString();
    const t = this.pending.get(key);
    if (t) clearTimeout(t);
    this.pending.set(key, setTimeout(() => {
      this.pending.delete(key);
      void this.analyze(doc);
    }, delay));
  }

  /** Analysis of the document's current version (runs it when needed). */
  async analyze(doc: vscode.TextDocument): Promise<Entry | undefined> {
    const lang = langOf(doc);
    if (!lang || doc.isClosed) return undefined;
    const key = doc.uri.toString();
    const have = this.cache.get(key);
    if (have && have.version === doc.version && have.generation === this.generation) return have;
    const run = this.running.get(key);
    if (run) {
      const r = await run;
      if (r && r.version === doc.version && r.generation === this.generation) return r;
    }
    const p = this.compute(doc, lang);
    this.running.set(key, p);
    try {
      return await p;
    } finally {
      if (this.running.get(key) === p) this.running.delete(key);
    }
  }

  private async compute(doc: vscode.TextDocument, lang: Lang): Promise<Entry | undefined> {
    const version = doc.version;
    const generation = this.generation;
    const key = doc.uri.toString();
    if (!this.enabled()) {
      this.diagnostics.delete(doc.uri);
      const e: Entry = { version, generation, findings: [] };
      this.cache.set(key, e);
      return e;
    }
    const rules = ruleSettings();
    let analysis: FileAnalysis | undefined;
    try {
      const ws = await this.workspaceIndex();
      const text = doc.getText();
      if (ws) await (ws as { update(p: string, t: string, l: Lang): Promise<void> }).update(doc.uri.fsPath, text, lang).catch(() => undefined);
      analysis = await analyzeText(text, lang, doc.uri.fsPath, rules, ws);
    } catch (e) {
      logError(`uid analysis failed for ${doc.uri.fsPath}`, e);
      return undefined;
    }
    // stale (edited meanwhile, or settings changed): a newer run is scheduled
    if (doc.version !== version || generation !== this.generation || doc.isClosed) return undefined;
    const findings = (analysis?.findings ?? []).filter((f) => rules[f.ruleId] !== 'off');
    const diags: vscode.Diagnostic[] = [];
    for (const f of findings) {
      const sev = severity(rules[f.ruleId] ?? f.severity);
      if (sev === undefined) continue;
      const d = new vscode.Diagnostic(toRange(f.range), f.message, sev);
      d.source = SOURCE;
      d.code = f.ruleId;
      diags.push(d);
    }
    this.diagnostics.set(doc.uri, diags);
    const entry: Entry = { version, generation, analysis, findings };
    this.cache.set(key, entry);
    this.lensChanged.fire();
    return entry;
  }

  /** Classes of the workspace's job sources, so a stateful function declared in another file is recognised. */
  private workspaceIndex(): Promise<unknown> {
    if (!this.index) {
      this.index = (async () => {
        const t0 = Date.now();
        const m = await language();
        if (typeof m.WorkspaceIndex !== 'function') return undefined;
        const ws = new m.WorkspaceIndex();
        const files = await vscode.workspace.findFiles(SOURCE_GLOB, SOURCE_EXCLUDE, 2000);
        for (const uri of files) {
          const lang = langOfPath(uri.fsPath);
          if (!lang) continue;
          try {
            const bytes = await vscode.workspace.fs.readFile(uri);
            if (bytes.length < 2_000_000) await ws.update(uri.fsPath, Buffer.from(bytes).toString('utf8'), lang);
          } catch (e) {
            output().debug(`index: skipping ${uri.fsPath}: ${e instanceof Error ? e.message : e}`);
          }
        }
        output().info(`indexed ${files.length} job source file(s) in ${Date.now() - t0} ms`);
        return ws;
      })().catch((e) => { logError('workspace index', e); return undefined; });
    }
    return this.index;
  }

  // ---- code lenses ----
  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (!vscode.workspace.getConfiguration('flinkSavepoints.lint').get<boolean>('codeLens', true)) return [];
    const entry = await this.analyze(doc);
    const pipelines = entry?.analysis?.pipelines ?? [];
    return pipelines.filter((p) => p.operators > 0).map((p) => {
      const parts = [`uids ${p.withUid}/${p.operators}`];
      if (p.statefulWithoutUid) parts.push(`${p.statefulWithoutUid} stateful without uid`);
      const title = parts.join(' · ');
      const range = toRange(p.range);
      const lensRange = new vscode.Range(range.start, range.start);
      return new vscode.CodeLens(lensRange, p.statefulWithoutUid
        ? { title, command: 'flinkSavepoints.fixAllInFile', arguments: [doc.uri], tooltip: 'Add .uid(…) to every stateful operator without one in this file' }
        : { title, command: '', tooltip: p.label });
    });
  }

  // ---- quick fixes ----
  async provideCodeActions(doc: vscode.TextDocument, range: vscode.Range | vscode.Selection, ctx: vscode.CodeActionContext): Promise<vscode.CodeAction[]> {
    const entry = await this.analyze(doc);
    if (!entry) return [];
    const actions: vscode.CodeAction[] = [];
    const wantsFixAll = ctx.only?.contains(UidLint.fixAllKind) || ctx.only?.intersects(vscode.CodeActionKind.SourceFixAll);
    const ours = ctx.diagnostics.filter((d) => d.source === SOURCE);
    if (!wantsFixAll) {
      for (const d of ours) {
        const f = entry.findings.find((x) => x.fix && x.ruleId === d.code && toRange(x.range).isEqual(d.range));
        if (!f?.fix) continue;
        const a = new vscode.CodeAction(f.fix.title || `Add .uid("${f.fix.uid}")`, vscode.CodeActionKind.QuickFix);
        a.diagnostics = [d];
        a.isPreferred = true;
        a.edit = new vscode.WorkspaceEdit();
        a.edit.replace(doc.uri, toRange(f.fix.edit.range), f.fix.edit.newText);
        actions.push(a);
        if (f.fix.editWithName && f.fix.editWithName.newText !== f.fix.edit.newText) {
          const b = new vscode.CodeAction(`${f.fix.title || `Add .uid("${f.fix.uid}")`} and .name(…)`, vscode.CodeActionKind.QuickFix);
          b.diagnostics = [d];
          b.edit = new vscode.WorkspaceEdit();
          b.edit.replace(doc.uri, toRange(f.fix.editWithName.range), f.fix.editWithName.newText);
          actions.push(b);
        }
      }
    }
    const fixAll = entry.analysis?.fixAll ?? [];
    if (fixAll.length && (wantsFixAll || actions.length)) {
      const kind = wantsFixAll ? UidLint.fixAllKind : vscode.CodeActionKind.QuickFix;
      const a = new vscode.CodeAction(`Fix all in file: add .uid(…) to ${fixAll.length} operator${fixAll.length === 1 ? '' : 's'}`, kind);
      a.edit = new vscode.WorkspaceEdit();
      a.edit.set(doc.uri, fixAll.map(toEdit));
      a.diagnostics = ours.filter((d) => d.code === 'stateful-operator-without-uid' || d.code === 'operator-without-uid');
      actions.push(a);
    }
    return actions;
  }

  /** Command: apply every uid fix of the file. */
  async fixAllInFile(uri?: vscode.Uri): Promise<boolean> {
    const doc = uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
    if (!doc) return false;
    const entry = await this.analyze(doc);
    const edits = entry?.analysis?.fixAll ?? [];
    if (!edits.length) {
      void vscode.window.showInformationMessage('Every stateful operator in this file already has a uid.');
      return false;
    }
    const we = new vscode.WorkspaceEdit();
    we.set(doc.uri, edits.map(toEdit));
    return vscode.workspace.applyEdit(we);
  }
}

/** Calls `language/index.ts`. */
const SOURCE_GLOB = '**/*.{java,scala,kt,py}';
const SOURCE_EXCLUDE = '{**/node_modules/**,**/target/**,**/build/**,**/.*/**}';

export async function analyzeText(text: string, lang: Lang, filePath: string, rules: Record<string, string>, ws?: unknown): Promise<FileAnalysis | undefined> {
  const m = await language();
  const opts = { rules, path: filePath };
  const res = await m.analyzeSource(text, lang, ws, opts);
  return res as FileAnalysis;
}

/** uids declared anywhere in the workspace's job sources (for naming savepoint operators). */
/** The constant uids set in the workspace's job files. */
export async function workspaceUids(): Promise<string[]> {
  return [...new Set((await workspaceUidSites()).filter((s) => s.uid !== s.operatorId).map((s) => s.uid))];
}

/**
 * The uid sites of the workspace's job files for cross-checks: uids, and the operator IDs that
 * `.setUidHash(…)` gives (Flink restores state under those first).
 */
export async function workspaceUidSites(): Promise<{ uid: string; operatorId?: string }[]> {
  const files = await vscode.workspace.findFiles(SOURCE_GLOB, SOURCE_EXCLUDE, 2000);
  const uids = new Map<string, { uid: string; operatorId?: string }>();
  const rules = ruleSettings();
  for (const uri of files) {
    const lang = langOfPath(uri.fsPath);
    if (!lang) continue;
    try {
      const bytes = await vscode.workspace.fs.readFile(uri);
      if (bytes.length > 2_000_000) continue;
      const text = Buffer.from(bytes).toString('utf8');
      if (!text.includes('uid')) continue;
      const a = await analyzeText(text, lang, uri.fsPath, rules);
      for (const u of a?.uids ?? []) if (u.uid) uids.set(`${u.uid}\u0000${u.operatorId ?? ''}`, { uid: u.uid, operatorId: u.operatorId });
    } catch (e) {
      output().debug(`skipping ${uri.fsPath}: ${e instanceof Error ? e.message : e}`);
    }
  }
  return [...uids.values()];
}

function langOfPath(p: string): Lang | undefined {
  if (p.endsWith('.java')) return 'java';
  if (p.endsWith('.scala')) return 'scala';
  if (p.endsWith('.kt')) return 'kotlin';
  if (p.endsWith('.py')) return 'python';
  return undefined;
}
