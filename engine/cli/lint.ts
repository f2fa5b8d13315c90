/**
 * `fsp lint <paths…> [--format text|json|sarif] [--all]`
 * Lints Flink job code for operators without .uid(). Exit codes: 0 clean, 1 when a stateful
 * operator lacks a uid or a uid is duplicated, 2 on bad arguments.
 */
import * as fs from 'fs';
import * as path from 'path';
import { analyzeFiles, languageForFile, RULE_DEFAULTS, RULE_DESCRIPTIONS } from '../../language/index';
import type { FileResult, SourceFile } from '../../language/index';
import type { RuleId, RuleSetting, Severity } from '../../language/types';

export interface LintIO { stdout: (s: string) => void; stderr: (s: string) => void; cwd: string }

const SKIP_DIRS = new Set(['node_modules', 'target', 'build', '.git', 'dist', 'out', '.gradle', '.idea', '__pycache__', '.venv', 'venv']);
const USAGE = 'usage: fsp lint <paths…> [--format text|json|sarif] [--all] [--rule <rule-id>=<error|warning|information|hint|off>]';

function collect(p: string, out: string[]): void {
  const st = fs.statSync(p);
  if (st.isDirectory()) {
    for (const e of fs.readdirSync(p, { withFileTypes: true })) {
      if (e.isDirectory()) {
        if (SKIP_DIRS.has(e.name)) continue;
        collect(path.join(p, e.name), out);
      } else if (e.isFile() && languageForFile(e.name)) out.push(path.join(p, e.name));
    }
  } else if (st.isFile()) {
    out.push(p);
  }
}

function toUri(rel: string): string {
  return rel.split(path.sep).map(encodeURIComponent).join('/');
}

const SARIF_LEVEL: Record<Severity, string> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };

export async function lintCommand(args: string[], io: LintIO): Promise<number> {
  let format = 'text';
  const paths: string[] = [];
  const rules: Partial<Record<RuleId, RuleSetting>> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--format' || a.startsWith('--format=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[++i];
      if (v !== 'text' && v !== 'json' && v !== 'sarif') {
        io.stderr(`fsp lint: --format must be text, json or sarif (got ${v === undefined ? 'nothing' : JSON.stringify(v)})\n`);
        return 2;
      }
      format = v;
    } else if (a === '--all') {
      rules['operator-without-uid'] = 'hint';
    } else if (a === '--rule' || a.startsWith('--rule=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[++i];
      const m = v ? /^([a-z-]+)=(error|warning|information|hint|off)$/.exec(v) : null;
      if (!m || !(m[1] in RULE_DEFAULTS)) {
        io.stderr(`fsp lint: --rule expects <rule-id>=<error|warning|information|hint|off> with one of ${Object.keys(RULE_DEFAULTS).join(', ')}\n`);
        return 2;
      }
      rules[m[1] as RuleId] = m[2] as RuleSetting;
    } else if (a === '--help' || a === '-h') {
      io.stdout(USAGE + '\n');
      return 0;
    } else if (a.startsWith('-')) {
      io.stderr(`fsp lint: unknown option ${a}; ${USAGE}\n`);
      return 2;
    } else paths.push(a);
  }
  if (!paths.length) {
    io.stderr(`fsp lint: no paths given; ${USAGE}\n`);
    return 2;
  }
  const files: string[] = [];
  for (const p of paths) {
    const abs = path.resolve(io.cwd, p);
    if (!fs.existsSync(abs)) {
      io.stderr(`fsp lint: no such file or folder: ${p}\n`);
      return 2;
    }
    collect(abs, files);
  }
  const sources: SourceFile[] = [];
  for (const f of files) {
    const lang = languageForFile(f);
    if (!lang) continue;
    sources.push({ path: f, text: fs.readFileSync(f, 'utf8'), lang });
  }
  const results: FileResult[] = await analyzeFiles(sources, { rules });
  const rel = (f: string): string => path.relative(io.cwd, f) || path.basename(f);
  let failing = 0;
  let total = 0;
  for (const r of results) for (const f of r.analysis.findings) {
    total++;
    if (f.ruleId === 'stateful-operator-without-uid' || f.ruleId === 'duplicate-uid') failing++;
  }

  if (format === 'json') {
    io.stdout(JSON.stringify({
      files: results.map((r) => ({
        path: rel(r.path),
        findings: r.analysis.findings.map((f) => ({ ruleId: f.ruleId, severity: f.severity, message: f.message, range: f.range, fix: f.fix ? { uid: f.fix.uid, edit: f.fix.edit } : undefined })),
        pipelines: r.analysis.pipelines,
        operators: r.analysis.operators.map((o) => ({ method: o.method, kind: o.kind, stateful: o.stateful, uid: o.uid?.value, range: o.range })),
      })),
      summary: { files: results.length, findings: total, failing },
    }, null, 2) + '\n');
  } else if (format === 'sarif') {
    const ruleIds = Object.keys(RULE_DEFAULTS) as RuleId[];
    const sarif = {
      $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
      version: '2.1.0',
      runs: [{
        tool: { driver: {
          name: 'fsp lint', informationUri: 'https://nightlies.apache.org/flink/flink-docs-stable/docs/ops/state/savepoints/', version: '0.1.0',
          rules: ruleIds.map((id) => ({
            id, shortDescription: { text: RULE_DESCRIPTIONS[id] },
            defaultConfiguration: { level: RULE_DEFAULTS[id] === 'off' ? 'none' : SARIF_LEVEL[RULE_DEFAULTS[id] as Severity] },
          })),
        } },
        originalUriBaseIds: { SRCROOT: { uri: 'file://' + toUri(io.cwd.endsWith(path.sep) ? io.cwd : io.cwd + path.sep) } },
        columnKind: 'utf16CodeUnits',
        results: results.flatMap((r) => r.analysis.findings.map((f) => ({
          ruleId: f.ruleId,
          ruleIndex: ruleIds.indexOf(f.ruleId),
          level: SARIF_LEVEL[f.severity],
          message: { text: f.message },
          locations: [{ physicalLocation: {
            artifactLocation: { uri: toUri(rel(r.path)), uriBaseId: 'SRCROOT' },
            region: { startLine: f.range.start.line + 1, startColumn: f.range.start.character + 1, endLine: f.range.end.line + 1, endColumn: f.range.end.character + 1 },
          } }],
          ...(f.fix ? { fixes: [{ description: { text: f.fix.title }, artifactChanges: [{ artifactLocation: { uri: toUri(rel(r.path)), uriBaseId: 'SRCROOT' },
            replacements: [{ deletedRegion: { startLine: f.fix.edit.range.start.line + 1, startColumn: f.fix.edit.range.start.character + 1,
              endLine: f.fix.edit.range.end.line + 1, endColumn: f.fix.edit.range.end.character + 1 }, insertedContent: { text: f.fix.edit.newText } }] }] }] } : {}),
        }))),
      }],
    };
    io.stdout(JSON.stringify(sarif, null, 2) + '\n');
  } else {
    for (const r of results) for (const f of r.analysis.findings) {
      io.stdout(`${rel(r.path)}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.severity} ${f.ruleId}: ${f.message}\n`);
    }
    io.stdout(`${results.length} file${results.length === 1 ? '' : 's'} checked, ${total} finding${total === 1 ? '' : 's'}, ${failing} blocking\n`);
  }
  return failing > 0 ? 1 : 0;
}
