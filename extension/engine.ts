/**
 * Lazy access to the engine and language modules. They are bundled into dist/extension.js but
 * initialised only on first use (esbuild turns these dynamic imports into lazy module wrappers),
 * so activation stays cheap.
 */
import * as path from 'path';

// types only: erased at build time, so the reader is still loaded on first use, not at activation
export type { OperatorInfo, Savepoint, StateInfo } from '../engine/savepoint/index';

export type SavepointModule = Pick<typeof import('../engine/savepoint/index'), 'openSavepoint' | 'listStates'>;

let savepointModule: Promise<SavepointModule> | undefined;
export function savepointEngine(): Promise<SavepointModule> {
  if (!savepointModule) {
    savepointModule = import('../engine/savepoint/index').then((m) => {
      if (typeof m.openSavepoint !== 'function') throw new Error('the savepoint reader (engine/savepoint/index.ts) is not part of this build');
      return m;
    });
  }
  return savepointModule;
}

let murmurModule: Promise<{ operatorIdFromUid(uid: string): string }> | undefined;
export function murmur(): Promise<{ operatorIdFromUid(uid: string): string }> {
  if (!murmurModule) murmurModule = import('../engine/savepoint/murmur');
  return murmurModule;
}

// ---- language (uid analysis) ----
export type Lang = 'java' | 'scala' | 'kotlin' | 'python';
export interface Pos { line: number; character: number }
export interface Rng { start: Pos; end: Pos }
export interface Edit { range: Rng; newText: string }
export interface Finding {
  ruleId: string;
  severity: 'error' | 'warning' | 'information' | 'hint';
  message: string;
  range: Rng;
  operator?: number;
  fix?: { title: string; uid: string; edit: Edit; editWithName?: Edit };
}
export interface PipelineSummary { index: number; operators: number; withUid: number; statefulWithoutUid: number; range: Rng; label: string }
export interface UidSite { uid: string; range: Rng; operator: number; method: string; stateful?: string; file?: string; operatorId?: string }
export interface FileAnalysis {
  lang: Lang;
  pipelines: PipelineSummary[];
  findings: Finding[];
  fixAll: Edit[];
  uids: UidSite[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type LanguageModule = any;

let languageModule: Promise<LanguageModule> | undefined;
let grammarDir: string | undefined;
export function setBundleDir(distDir: string): void {
  grammarDir = path.join(distDir, 'grammars');
}
export function language(): Promise<LanguageModule> {
  if (!languageModule) {
    languageModule = import('../language/index').then((m: LanguageModule) => {
      if (grammarDir && typeof m.setGrammarDir === 'function') m.setGrammarDir(grammarDir);
      return m;
    });
  }
  return languageModule;
}

/** Which of the heavy, lazily loaded modules have been requested so far (activation must request none). */
export function lazyModulesLoaded(): string[] {
  const out: string[] = [];
  if (savepointModule) out.push('engine/savepoint');
  if (languageModule) out.push('language');
  if (murmurModule) out.push('engine/savepoint/murmur');
  return out;
}

export const LANGUAGE_IDS: Record<string, Lang> = { java: 'java', scala: 'scala', kotlin: 'kotlin', python: 'python' };
