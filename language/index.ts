/**
 * language/ — uid analysis of Flink DataStream job code (Java, Scala, Kotlin, Python) with tree-sitter.
 * No `vscode` import here: everything is pure data so the extension, the CLI and tests share it.
 *
 * API
 *   type Lang = 'java' | 'scala' | 'kotlin' | 'python'
 *   languageForFile(path): Lang | undefined
 *   analyzeSource(text, lang, ws?, opts?): Promise<FileAnalysis>
 *       parses once, finds DataStream pipelines/operators and returns
 *       { operators: OperatorSite[], pipelines: PipelineSummary[], findings: Finding[], fixAll: TextEdit[], uids: UidSite[] }
 *       opts.rules overrides rule severities ('error'|'warning'|'information'|'hint'|'off');
 *       opts.path excludes nothing but is carried for callers.
 *   analyzeSourceSync(text, lang, ws?, opts?)  — same, once the language is loaded (ensureLanguages)
 *   ensureLanguages(...langs)  — initialise web-tree-sitter and load grammars (cached)
 *   setGrammarDir(dir)  — folder with tree-sitter-{java,python,kotlin,scala}.wasm (+ tree-sitter.wasm),
 *                         used by the esbuild bundle (dist/grammars)
 *   class WorkspaceIndex { update(path, text, lang): Promise<void>; updateSync(...); remove(path);
 *                          statefulClass(name): {reason} | undefined }
 *   crossCheck(uids, savepointOperators, hash = operatorIdForUid) — which savepoint operators no uid maps to
 *       (the ones --allowNonRestoredState would drop); operatorIdForUid re-exports engine/savepoint/murmur
 *   RULE_DEFAULTS, RULE_DESCRIPTIONS — rule ids and default severities
 *
 * Rule ids: stateful-operator-without-uid (warning), duplicate-uid (error),
 *           operator-without-uid (hint, off by default), non-constant-uid (information),
 *           pyflink-watermark-uid (information).
 * Ranges are 0-based {line, character}; characters count UTF-16 code units.
 * Every finding's range is the operator method name (e.g. `process` in `.process(new F())`).
 */
import { Analyzer } from './analyzer';
import { FileModel } from './model';
import { loadLanguage, parseSync } from './parser';
import type { AnalyzeOptions, FileAnalysis, Lang } from './types';
import { WorkspaceIndex } from './workspace';

export * from './types';
export { WorkspaceIndex } from './workspace';
export { setGrammarDir, initParser, grammarPath } from './parser';
export { crossCheck } from './crosscheck';
export type { CrossCheckResult, SavepointOperator } from './crosscheck';
export { kebab } from './analyzer';
export { operatorIdForUid } from './uid-hash';

export function languageForFile(path: string): Lang | undefined {
  const p = path.toLowerCase();
  if (p.endsWith('.java')) return 'java';
  if (p.endsWith('.scala') || p.endsWith('.sc')) return 'scala';
  if (p.endsWith('.kt') || p.endsWith('.kts')) return 'kotlin';
  if (p.endsWith('.py') || p.endsWith('.pyi')) return 'python';
  return undefined;
}

export async function ensureLanguages(...langs: Lang[]): Promise<void> {
  await Promise.all((langs.length ? langs : (['java', 'scala', 'kotlin', 'python'] as Lang[])).map((l) => loadLanguage(l)));
}

export function analyzeSourceSync(text: string, lang: Lang, ws?: WorkspaceIndex, opts?: AnalyzeOptions): FileAnalysis {
  const tree = parseSync(text, lang);
  try {
    const model = new FileModel(tree, lang);
    return new Analyzer(model, ws).run(opts);
  } finally {
    tree.delete();
  }
}

export async function analyzeSource(text: string, lang: Lang, ws?: WorkspaceIndex, opts?: AnalyzeOptions): Promise<FileAnalysis> {
  await loadLanguage(lang);
  return analyzeSourceSync(text, lang, ws, opts);
}

export interface SourceFile { path: string; text: string; lang: Lang }
export interface FileResult { path: string; analysis: FileAnalysis }

/**
 * Analyse a set of files together: every file is parsed once, its classes go into a shared
 * WorkspaceIndex (so functions declared in other files resolve), then each file is analysed.
 */
export async function analyzeFiles(files: SourceFile[], opts?: AnalyzeOptions, ws: WorkspaceIndex = new WorkspaceIndex()): Promise<FileResult[]> {
  await ensureLanguages(...new Set(files.map((f) => f.lang)));
  const models: FileModel[] = [];
  try {
    for (const f of files) {
      const m = new FileModel(parseSync(f.text, f.lang), f.lang);
      models.push(m);
      ws.updateFromModel(f.path, m);
    }
    return files.map((f, i) => ({ path: f.path, analysis: new Analyzer(models[i], ws).run({ ...opts, path: f.path }) }));
  } finally {
    for (const m of models) m.tree.delete();
  }
}

/**
 * Editor path: parse a changed document once, refresh its classes in the workspace index and
 * analyse it. Requires the language to be loaded (ensureLanguages).
 */
export function analyzeDocumentSync(path: string, text: string, lang: Lang, ws: WorkspaceIndex, opts?: AnalyzeOptions): FileAnalysis {
  const tree = parseSync(text, lang);
  try {
    const model = new FileModel(tree, lang);
    ws.updateFromModel(path, model);
    return new Analyzer(model, ws).run({ ...opts, path });
  } finally {
    tree.delete();
  }
}
