/** Shared helpers: read the labelled job corpus and score the analyzer against its `expect:` markers. */
import * as fs from 'fs';
import * as path from 'path';
import { analyzeFiles, languageForFile } from '../../language/index';
import type { Lang, RuleId } from '../../language/types';

export const CORPUS_DIR = path.join(__dirname, '..', 'fixtures', 'jobs');
export const SCORED_RULES: RuleId[] = ['stateful-operator-without-uid', 'duplicate-uid', 'non-constant-uid', 'pyflink-watermark-uid'];

export interface Mismatch { file: string; line: number; rule: string; kind: 'missed' | 'unexpected' }
export interface Score { tp: number; fp: number; fn: number; precision: number; recall: number }

export function corpusFiles(lang: Lang): { path: string; text: string; lang: Lang }[] {
  const dir = path.join(CORPUS_DIR, lang);
  const out: { path: string; text: string; lang: Lang }[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (languageForFile(p) === lang) out.push({ path: p, text: fs.readFileSync(p, 'utf8'), lang });
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** expected (line → rule multiset) from `// expect: a, b` or `# expect: a` markers (0-based lines) */
export function expectations(text: string): Map<string, number> {
  const exp = new Map<string, number>();
  text.split('\n').forEach((l, i) => {
    const m = /(?:\/\/|#)\s*expect:\s*([a-z, -]+)$/.exec(l.trimEnd());
    if (!m) return;
    for (const r of m[1].split(',').map((s) => s.trim()).filter(Boolean)) {
      const k = `${i}|${r}`;
      exp.set(k, (exp.get(k) ?? 0) + 1);
    }
  });
  return exp;
}

export async function scoreLanguage(lang: Lang): Promise<{ scores: Record<string, Score>; mismatches: Mismatch[]; files: number; operators: number }> {
  const files = corpusFiles(lang);
  const results = await analyzeFiles(files);
  const counts: Record<string, { tp: number; fp: number; fn: number }> = {};
  for (const r of SCORED_RULES) counts[r] = { tp: 0, fp: 0, fn: 0 };
  const mismatches: Mismatch[] = [];
  let operators = 0;
  results.forEach((res, i) => {
    operators += res.analysis.operators.length;
    const exp = expectations(files[i].text);
    const got = new Map<string, number>();
    for (const f of res.analysis.findings) {
      if (!SCORED_RULES.includes(f.ruleId)) continue;
      const k = `${f.range.start.line}|${f.ruleId}`;
      got.set(k, (got.get(k) ?? 0) + 1);
    }
    const keys = new Set([...exp.keys(), ...got.keys()]);
    for (const k of keys) {
      const [line, rule] = k.split('|');
      const e = exp.get(k) ?? 0, g = got.get(k) ?? 0;
      const c = counts[rule] ?? (counts[rule] = { tp: 0, fp: 0, fn: 0 });
      c.tp += Math.min(e, g);
      if (g > e) { c.fp += g - e; mismatches.push({ file: path.relative(CORPUS_DIR, files[i].path), line: +line + 1, rule, kind: 'unexpected' }); }
      if (e > g) { c.fn += e - g; mismatches.push({ file: path.relative(CORPUS_DIR, files[i].path), line: +line + 1, rule, kind: 'missed' }); }
    }
  });
  const scores: Record<string, Score> = {};
  for (const [r, c] of Object.entries(counts)) {
    scores[r] = { ...c, precision: c.tp + c.fp ? c.tp / (c.tp + c.fp) : 1, recall: c.tp + c.fn ? c.tp / (c.tp + c.fn) : 1 };
  }
  return { scores, mismatches, files: files.length, operators };
}
