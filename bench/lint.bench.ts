/**
 * Benchmark for `fsp lint` / the language analysis.
 *   npx tsx bench/lint.bench.ts
 * 1. lints 1,000 job files generated from the labelled corpus (test/fixtures/jobs), written to a temp folder,
 *    through lintCommand (file walk + read + parse + analysis + report);
 * 2. measures re-lint of one edited file as the editor does it (parse once, refresh the workspace index, analyse);
 * 3. prints the precision/recall table of the corpus.
 * Writes bench/RESULTS-lint.md.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { lintCommand } from '../engine/cli/lint';
import { analyzeDocumentSync, analyzeFiles, ensureLanguages, WorkspaceIndex } from '../language/index';
import type { Lang } from '../language/types';
import { corpusFiles, scoreLanguage } from '../test/language/corpus';

const LANGS: Lang[] = ['java', 'scala', 'kotlin', 'python'];
const N = 1000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
function p95(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.95))];
}

async function main(): Promise<void> {
  const corpus = LANGS.flatMap((l) => corpusFiles(l));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fsp-lint-bench-'));
  const generated: { path: string; text: string; lang: Lang }[] = [];
  for (let i = 0; i < N; i++) {
    const src = corpus[i % corpus.length];
    const sub = path.join(dir, `module${i % 20}`, src.lang);
    fs.mkdirSync(sub, { recursive: true });
    // vary the text so that every file is distinct: rename uids and add a header line
    const text = (src.lang === 'python' ? `# generated copy ${i}\n` : `// generated copy ${i}\n`) +
      src.text.replace(/uid\("([^"]*)"\)/g, (_m, u: string) => `uid("${u}-${i}")`);
    const p = path.join(sub, `${i}-${path.basename(src.path)}`);
    fs.writeFileSync(p, text);
    generated.push({ path: p, text, lang: src.lang });
  }
  const bytes = generated.reduce((n, f) => n + f.text.length, 0);
  const lines = generated.reduce((n, f) => n + f.text.split('\n').length, 0);

  // cold: includes web-tree-sitter init and grammar loading
  let t0 = performance.now();
  await ensureLanguages(...LANGS);
  const initMs = performance.now() - t0;

  const sink = { stdout: (_s: string) => undefined, stderr: (_s: string) => undefined, cwd: dir };
  const runs: number[] = [];
  const cpuRuns: number[] = [];
  let exit = -1;
  for (let r = 0; r < 3; r++) {
    const c0 = process.cpuUsage();
    t0 = performance.now();
    exit = await lintCommand(['.', '--format', 'json'], sink);
    runs.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpuRuns.push((c.user + c.system) / 1000);
  }
  const lintMs = Math.min(...runs);
  const lintCpuMs = Math.min(...cpuRuns);

  // analysis only (already-read texts)
  t0 = performance.now();
  const results = await analyzeFiles(generated);
  const analyzeMs = performance.now() - t0;
  const ops = results.reduce((n, r) => n + r.analysis.operators.length, 0);
  const findings = results.reduce((n, r) => n + r.analysis.findings.length, 0);

  // editor re-lint: one file edited repeatedly, workspace index of all 1,000 files kept
  const ws = new WorkspaceIndex();
  await analyzeFiles(generated, undefined, ws);
  const relint: Record<string, number[]> = {};
  const largestPerLang = LANGS.map((l) => generated.filter((g) => g.lang === l).sort((a, b) => b.text.length - a.text.length)[0]);
  for (const f of largestPerLang) {
    const times: number[] = [];
    for (let k = 0; k < 60; k++) {
      const marker = f.lang === 'python' ? `# edit ${k}\n` : `// edit ${k}\n`;
      const edited = marker + f.text;
      const s = performance.now();
      analyzeDocumentSync(f.path, edited, f.lang, ws);
      times.push(performance.now() - s);
    }
    relint[`${f.lang} (${path.basename(f.path)}, ${f.text.split('\n').length} lines)`] = times.slice(10);
  }
  const allRelint = Object.values(relint).flat();

  const table: string[] = ['| language | files | operators | rule | TP | FP | FN | precision | recall |', '|---|---|---|---|---|---|---|---|---|'];
  for (const l of LANGS) {
    const s = await scoreLanguage(l);
    for (const [rule, sc] of Object.entries(s.scores)) {
      if (sc.tp + sc.fp + sc.fn === 0) continue;
      table.push(`| ${l} | ${s.files} | ${s.operators} | ${rule} | ${sc.tp} | ${sc.fp} | ${sc.fn} | ${sc.precision.toFixed(2)} | ${sc.recall.toFixed(2)} |`);
    }
  }

  fs.rmSync(dir, { recursive: true, force: true });

  const out = [
    '# fsp lint / uid analysis benchmark',
    '',
    `Run: \`npx tsx bench/lint.bench.ts\` on ${os.cpus()[0]?.model ?? 'unknown CPU'} (${os.cpus().length} cores), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, load average ${os.loadavg()[0].toFixed(1)} at the end of the run (wall-clock numbers grow with the load of a shared machine).`,
    '',
    `Input: ${N} job files generated from the ${corpus.length}-file labelled corpus (Java, Scala, Kotlin, Python; ${lines} lines, ${(bytes / 1024).toFixed(0)} KiB), uids renamed per copy.`,
    '',
    '| measurement | result | goal |',
    '|---|---|---|',
    `| web-tree-sitter init + 4 grammars (once per process) | ${initMs.toFixed(0)} ms | — |`,
    `| \`fsp lint\` of ${N} files (walk, read, parse, analyse, JSON report; best of 3) | ${lintMs.toFixed(0)} ms wall, ${lintCpuMs.toFixed(0)} ms CPU (exit ${exit}) | < 5000 ms |`,
    `| analysis only of ${N} files (parse + index + analyse) | ${analyzeMs.toFixed(0)} ms, ${ops} operators, ${findings} findings | — |`,
    `| re-lint of one edited file, median (all languages) | ${median(allRelint).toFixed(2)} ms (p95 ${p95(allRelint).toFixed(2)} ms) | < 30 ms |`,
    ...Object.entries(relint).map(([k, v]) => `| re-lint median, ${k} | ${median(v).toFixed(2)} ms | < 30 ms |`),
    '',
    'Lint runs all 1,000 files through one WorkspaceIndex; each file is parsed exactly once.',
    '',
    '## Precision / recall on the labelled corpus',
    '',
    'Labels are `// expect: <rule>` / `# expect: <rule>` markers on the operator line in test/fixtures/jobs/*; default rule settings (operator-without-uid off).',
    'The corpus was written by the same engineer who wrote the analyser, while developing it: treat these numbers as a regression baseline, not as an independent measurement.',
    '',
    ...table,
    '',
  ].join('\n');
  fs.writeFileSync(path.join(__dirname, 'RESULTS-lint.md'), out);
  process.stdout.write(out);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
