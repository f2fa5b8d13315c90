/**
 * "Bootstrap Savepoint from Data…" without VS Code: reading the data file's fields, building a
 * bootstrap spec (docs/bootstrap-spec.md) from the wizard's answers, and running a writer —
 * Flink's State Processor API (`java -jar engine.jar bootstrap`) or the TypeScript writer.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const BOOTSTRAP_TYPES = ['String', 'Long', 'Integer', 'Double', 'Boolean'] as const;
export type BootstrapType = (typeof BOOTSTRAP_TYPES)[number];
export type BootstrapStateKind = 'value' | 'list' | 'map';

export interface BootstrapAnswers {
  /** .jsonl or .csv with a header row */
  dataFile: string;
  uid: string;
  stateKind: BootstrapStateKind;
  stateName: string;
  keyField: string;
  keyType: BootstrapType;
  valueField: string;
  valueType: BootstrapType;
  /** map state only */
  userKeyField?: string;
  userKeyType?: BootstrapType;
  maxParallelism: number;
}

export interface BootstrapSpecJson {
  maxParallelism: number;
  operators: {
    uid: string;
    keyType: BootstrapType;
    states: {
      name: string;
      kind: BootstrapStateKind;
      valueType: BootstrapType;
      userKeyType?: BootstrapType;
      data: string;
      keyField: string;
      userKeyField?: string;
      valueField: string;
    }[];
  }[];
}

/** Splits one CSV line (RFC 4180 quoting). */
function csvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (q) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') q = false;
      else cur += c;
    } else if (c === '"') q = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out.map((s) => s.trim());
}

export interface DataPreview {
  format: 'csv' | 'jsonl';
  fields: string[];
  /** A guessed type per field, from the first rows. */
  types: Record<string, BootstrapType>;
  rows: number;
}

function guessType(values: unknown[]): BootstrapType {
  const present = values.filter((v) => v !== undefined && v !== null && v !== '');
  if (present.length === 0) return 'String';
  if (present.every((v) => typeof v === 'boolean' || v === 'true' || v === 'false')) return 'Boolean';
  const nums = present.map((v) => (typeof v === 'number' ? String(v) : typeof v === 'string' ? v : 'x'));
  if (nums.every((s) => /^-?\d+$/.test(s))) return 'Long';
  if (nums.every((s) => /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s))) return 'Double';
  return 'String';
}

/** Field names and guessed types of a `.csv` (header row) or `.jsonl` data file. */
export function previewData(file: string, sampleRows = 50): DataPreview {
  const lower = file.toLowerCase();
  const csv = lower.endsWith('.csv');
  if (!csv && !lower.endsWith('.jsonl') && !lower.endsWith('.ndjson') && !lower.endsWith('.json')) {
    throw new Error(`Bootstrap data must be a .csv file with a header row or a .jsonl file (one JSON object per line): ${file}`);
  }
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new Error(`${file} is empty`);
  const samples: Record<string, unknown[]> = {};
  let fields: string[];
  if (csv) {
    fields = csvLine(lines[0]);
    for (const l of lines.slice(1, 1 + sampleRows)) {
      const cells = csvLine(l);
      fields.forEach((f, i) => (samples[f] ??= []).push(cells[i]));
    }
  } else {
    const seen = new Set<string>();
    fields = [];
    lines.slice(0, sampleRows).forEach((l, i) => {
      let o: unknown;
      try {
        o = JSON.parse(l);
      } catch {
        throw new Error(`${file}:${i + 1}: not a JSON object`);
      }
      if (!o || typeof o !== 'object' || Array.isArray(o)) throw new Error(`${file}:${i + 1}: not a JSON object`);
      for (const [k, v] of Object.entries(o)) {
        if (!seen.has(k)) {
          seen.add(k);
          fields.push(k);
        }
        (samples[k] ??= []).push(v);
      }
    });
  }
  const types: Record<string, BootstrapType> = {};
  for (const f of fields) types[f] = guessType(samples[f] ?? []);
  return { format: csv ? 'csv' : 'jsonl', fields, types, rows: csv ? lines.length - 1 : lines.length };
}

export function validateAnswers(a: BootstrapAnswers): string | undefined {
  if (!fs.existsSync(a.dataFile)) return `data file not found: ${a.dataFile}`;
  if (!a.uid.trim()) return 'the operator uid is empty';
  if (!a.stateName.trim()) return 'the state name is empty';
  if (!['value', 'list', 'map'].includes(a.stateKind)) return `unknown state kind ${a.stateKind}`;
  for (const [k, t] of [['key', a.keyType], ['value', a.valueType], ...(a.stateKind === 'map' ? [['map key', a.userKeyType]] : [])] as [string, string | undefined][]) {
    if (!t || !(BOOTSTRAP_TYPES as readonly string[]).includes(t)) return `unsupported ${k} type ${t} (supported: ${BOOTSTRAP_TYPES.join(', ')})`;
  }
  if (!a.keyField || !a.valueField) return 'key field and value field are required';
  if (a.stateKind === 'map' && !a.userKeyField) return 'a map state needs the field holding the map key';
  if (!Number.isInteger(a.maxParallelism) || a.maxParallelism < 1 || a.maxParallelism > 32768) return `max parallelism must be 1…32768, got ${a.maxParallelism}`;
  return undefined;
}

/** The spec for one keyed state of one operator; `data` relative to `specDir`. */
export function buildSpec(a: BootstrapAnswers, specDir: string): BootstrapSpecJson {
  const problem = validateAnswers(a);
  if (problem) throw new Error(`Cannot bootstrap: ${problem}`);
  const data = path.relative(specDir, path.resolve(a.dataFile)).split(path.sep).join('/');
  const state: BootstrapSpecJson['operators'][0]['states'][0] = {
    name: a.stateName.trim(),
    kind: a.stateKind,
    valueType: a.valueType,
    data,
    keyField: a.keyField,
    valueField: a.valueField,
  };
  if (a.stateKind === 'map') {
    state.userKeyType = a.userKeyType;
    state.userKeyField = a.userKeyField;
  }
  return { maxParallelism: a.maxParallelism, operators: [{ uid: a.uid.trim(), keyType: a.keyType, states: [state] }] };
}

/** A new, not yet existing savepoint folder name under `parent`: `bootstrap-<uid>-<yyyyMMdd-HHmmss>`. */
export function defaultBootstrapOut(parent: string, uid: string, now = new Date()): string {
  const p2 = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${p2(now.getMonth() + 1)}${p2(now.getDate())}-${p2(now.getHours())}${p2(now.getMinutes())}${p2(now.getSeconds())}`;
  const safe = uid.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '') || 'operator';
  let out = path.join(parent, `bootstrap-${safe}-${stamp}`);
  for (let i = 2; fs.existsSync(out); i++) out = path.join(parent, `bootstrap-${safe}-${stamp}-${i}`);
  return out;
}

/** Writes the spec as `<out>.bootstrap.json` next to the savepoint folder and returns its path. */
export function writeSpecFor(a: BootstrapAnswers, outDir: string): { specFile: string; spec: BootstrapSpecJson } {
  const specFile = `${outDir.replace(/[\\/]+$/, '')}.bootstrap.json`;
  fs.mkdirSync(path.dirname(specFile), { recursive: true });
  const spec = buildSpec(a, path.dirname(specFile));
  fs.writeFileSync(specFile, `${JSON.stringify(spec, null, 2)}\n`);
  return { specFile, spec };
}

export interface RunBootstrapOptions {
  specFile: string;
  outDir: string;
  /** `java`: Flink's State Processor API in engine.jar (the reference); `typescript`: the built-in writer. */
  writer: 'java' | 'typescript';
  java?: string;
  engineJar?: string;
  onLog?: (line: string) => void;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface BootstrapRun {
  path: string;
  writer: 'java' | 'typescript';
  ms: number;
}

/** Runs the chosen writer; the savepoint appears at `outDir` only when it is complete. */
export async function runBootstrap(o: RunBootstrapOptions): Promise<BootstrapRun> {
  const t0 = Date.now();
  if (fs.existsSync(o.outDir)) throw new Error(`The output folder already exists: ${o.outDir}`);
  if (o.writer === 'typescript') {
    // require (not import()): esbuild bundles it as a lazily initialised module, and tsx resolves it in tests
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require('../../engine/savepoint/write/bootstrap') as {
      bootstrapSavepoint?: (spec: string, out: string) => { path: string };
    };
    if (typeof mod.bootstrapSavepoint !== 'function') throw new Error('the TypeScript savepoint writer is not part of this build');
    const r = mod.bootstrapSavepoint(o.specFile, o.outDir);
    return { path: r.path ?? o.outDir, writer: 'typescript', ms: Date.now() - t0 };
  }
  if (!o.java) throw new Error('Java is needed to run engine.jar bootstrap');
  if (!o.engineJar || !fs.existsSync(o.engineJar)) throw new Error(`engine.jar not found${o.engineJar ? ` at ${o.engineJar}` : ''}`);
  const args = ['-jar', o.engineJar, 'bootstrap', '--spec', o.specFile, '--out', o.outDir];
  o.onLog?.(`$ ${o.java} ${args.join(' ')}`);
  const written = await new Promise<string>((resolve, reject) => {
    const child = spawn(o.java as string, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const tail: string[] = [];
    let wrote: string | undefined;
    const onLine = (line: string) => {
      if (!line) return;
      if (line.startsWith('{')) {
        try {
          const ev = JSON.parse(line) as { event?: string; path?: string };
          if (ev.event === 'written' && ev.path) wrote = ev.path;
        } catch {
          // a log line
        }
      }
      tail.push(line);
      if (tail.length > 30) tail.shift();
      o.onLog?.(line);
    };
    let bufOut = '';
    let bufErr = '';
    child.stdout.on('data', (d: Buffer) => {
      bufOut += d.toString();
      const parts = bufOut.split(/\r?\n/);
      bufOut = parts.pop() ?? '';
      parts.forEach(onLine);
    });
    child.stderr.on('data', (d: Buffer) => {
      bufErr += d.toString();
      const parts = bufErr.split(/\r?\n/);
      bufErr = parts.pop() ?? '';
      parts.forEach(onLine);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 600_000);
    const onAbort = () => child.kill('SIGTERM');
    o.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e) => reject(new Error(`Could not run ${o.java}: ${e.message}`)));
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      onLine(bufOut);
      onLine(bufErr);
      if (o.signal?.aborted) return reject(o.signal.reason ?? new Error('cancelled'));
      if (code === 0) return resolve(wrote ?? o.outDir);
      const reason = tail.filter((l) => /^engine |Exception|Error/.test(l)).slice(-3).join(' | ') || tail.slice(-3).join(' | ');
      reject(new Error(`engine.jar bootstrap failed (${sig ? `signal ${sig}` : `exit code ${code}`}): ${reason}`));
    });
  });
  if (!fs.existsSync(path.join(written, '_metadata'))) throw new Error(`engine.jar bootstrap reported ${written}, but it holds no _metadata`);
  return { path: written, writer: 'java', ms: Date.now() - t0 };
}
