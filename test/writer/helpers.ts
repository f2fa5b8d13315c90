/** Shared helpers of the writer tests: temp folders, running the CLI and `engine.jar check`. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runWriteCommand } from '../../engine/cli/write-commands';

export const ROOT = path.resolve(__dirname, '..', '..');
export const ENGINE_JAR = process.env.FSP_ENGINE_JAR ?? path.join(ROOT, 'engine', 'runtime', 'target', 'flink-1.20.3', 'engine.jar');
export const ENGINE_JAR_FLINK2 = process.env.FSP_ENGINE_JAR_FLINK2 ?? path.join(ROOT, 'engine', 'runtime', 'target', 'flink-2.3.0', 'engine.jar');
export const TSX = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
export const WRITE_CLI = path.join(ROOT, 'engine', 'cli', 'write-commands.ts');

export function tmp(prefix = 'fsp-writer-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function writeFiles(dir: string, files: Record<string, string | object>): void {
  for (const [name, content] of Object.entries(files)) {
    const p = path.join(dir, name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content, null, 1));
  }
}

export function jsonl(rows: object[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a writing subcommand in-process. */
export async function cli(...args: string[]): Promise<CliResult> {
  const o: string[] = [];
  const e: string[] = [];
  const code = await runWriteCommand(args[0], args.slice(1), { stdout: (t) => void o.push(t), stderr: (t) => void e.push(t) });
  return { code, stdout: o.join(''), stderr: e.join('') };
}

export function requireEngine(): void {
  if (!fs.existsSync(ENGINE_JAR)) throw new Error(`Missing ${ENGINE_JAR}. Build it: npm run engine (or set FSP_ENGINE_JAR)`);
}

export interface CheckResult {
  ok: boolean;
  operators: number;
  entries: number;
  expected: number;
  missing: string[];
  extra: string[];
  resaved?: string;
  code: number;
  stderr: string;
  lines: string[];
  /** When the job failed: the relevant stderr lines. */
  error?: string;
}

export interface CheckOptions {
  parallelism?: number;
  backend?: string;
  resave?: string;
  /** another engine.jar (e.g. the Flink 2.x build) */
  jar?: string;
}

/** `java -jar engine.jar check …`: restores a job declaring the spec's states from the savepoint. */
export function check(savepoint: string, spec: string, opts: CheckOptions = {}): CheckResult {
  if (!opts.jar) requireEngine();
  const args = ['-jar', opts.jar ?? ENGINE_JAR, 'check', '--savepoint', savepoint, '--spec', spec, '--print'];
  if (opts.parallelism) args.push('--parallelism', String(opts.parallelism));
  if (opts.backend) args.push('--backend', opts.backend);
  if (opts.resave) args.push('--resave', opts.resave);
  const r = spawnSync('java', args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 300_000 });
  const out = (r.stdout ?? '').split('\n').filter((l) => l.trim() !== '');
  const last = [...out].reverse().find((l) => l.startsWith('{"event":"check"'));
  if (!last) {
    const errTail = (r.stderr ?? '').split('\n').filter((l) => /engine check|Exception|Caused by/.test(l)).slice(0, 8).join('\n');
    return { ok: false, operators: 0, entries: 0, expected: 0, missing: [], extra: [], code: r.status ?? -1, stderr: r.stderr ?? '', lines: [], error: errTail || `exit ${r.status}` };
  }
  const res = JSON.parse(last);
  return { ...res, code: r.status ?? -1, stderr: r.stderr ?? '', lines: out.filter((l) => !l.startsWith('{"event"')) };
}

/** `java -jar engine.jar <args>`. */
export function engine(args: string[]): CliResult {
  requireEngine();
  const r = spawnSync('java', ['-jar', ENGINE_JAR, ...args], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, timeout: 600_000 });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Every file of a folder (relative path → bytes as hex digest input). */
export function snapshotTree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(path.relative(dir, p), fs.readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

export function sameTree(a: Map<string, Buffer>, b: Map<string, Buffer>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (!w || !w.equals(v)) return false;
  }
  return true;
}

/** Like check(), and asserts that the restored state equals the spec's data. */
export function checkOk(savepoint: string, spec: string, opts: CheckOptions = {}): CheckResult {
  const r = check(savepoint, spec, opts);
  if (r.error) throw new Error(`the restore failed: ${r.error}`);
  if (!r.ok || r.code !== 0) throw new Error(`restored state differs: missing ${JSON.stringify(r.missing)}, extra ${JSON.stringify(r.extra)}`);
  return r;
}
