/**
 * The logic behind "Run Job", "Restore from Savepoint", "Restore Again", "Trigger Savepoint" and
 * "Stop with Savepoint", without VS Code: job jar candidates, the restore memory, building the run
 * request, submitting it and checking that Flink really restored from the savepoint.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { inflateRawSync } from 'node:zlib';
import {
  FlinkRestClient,
  FlinkRestError,
  sleep,
  type ClaimMode,
  type RestoredCheckpoint,
  type RunJarOptions,
  type SavepointFormatType,
} from '../../engine/rest/client';

// ---------------------------------------------------------------------------------------------
// Job jars

export interface JarCandidate {
  path: string;
  /** Relative to the root it was found under. */
  rel: string;
  mtimeMs: number;
  size: number;
}

const BUILD_OUTPUTS: string[][] = [['target'], ['build', 'libs']];
const SKIP_DIRS = new Set(['node_modules', '.git', 'src', 'target', 'build', 'out', 'dist', '.gradle', '.idea', '.vscode', 'savepoints']);
const NOT_A_JOB = /^original-|-(sources|javadoc|tests|test-sources)\.jar$/i;

/**
 * Job jars in the build outputs (`target/*.jar`, `build/libs/*.jar`) of each root and of its
 * sub-projects up to `maxDepth` folders down, newest first.
 */
export function findJarCandidates(roots: string[], o: { maxDepth?: number } = {}): JarCandidate[] {
  const maxDepth = o.maxDepth ?? 3;
  const found = new Map<string, JarCandidate>();
  const visit = (root: string, dir: string, depth: number) => {
    for (const out of BUILD_OUTPUTS) {
      const outDir = path.join(dir, ...out);
      let names: string[];
      try {
        names = fs.readdirSync(outDir);
      } catch {
        continue;
      }
      for (const name of names) {
        if (!name.toLowerCase().endsWith('.jar') || NOT_A_JOB.test(name)) continue;
        const p = path.join(outDir, name);
        try {
          const st = fs.statSync(p);
          if (st.isFile()) found.set(p, { path: p, rel: path.relative(root, p), mtimeMs: st.mtimeMs, size: st.size });
        } catch {
          // vanished
        }
      }
    }
    if (depth >= maxDepth) return;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory() && !e.name.startsWith('.') && !SKIP_DIRS.has(e.name)) visit(root, path.join(dir, e.name), depth + 1);
    }
  };
  for (const r of roots) visit(r, r, 0);
  return [...found.values()].sort((a, b) => b.mtimeMs - a.mtimeMs || a.path.localeCompare(b.path));
}

/** Reads one entry of a zip/jar file (no zip64); undefined if it is not there. */
export function readZipEntry(zipPath: string, entryName: string): Buffer | undefined {
  const buf = fs.readFileSync(zipPath);
  // End of central directory: signature 0x06054b50 within the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${zipPath} is not a jar (zip) file`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  for (let n = 0; n < count && p + 46 <= buf.length; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) break;
    const method = buf.readUInt16LE(p + 10);
    const compSize = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const localOff = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    if (name === entryName) {
      const lNameLen = buf.readUInt16LE(localOff + 26);
      const lExtraLen = buf.readUInt16LE(localOff + 28);
      const start = localOff + 30 + lNameLen + lExtraLen;
      const data = buf.subarray(start, start + compSize);
      if (method === 0) return Buffer.from(data);
      if (method === 8) return inflateRawSync(data);
      throw new Error(`${zipPath}: ${entryName} uses unsupported compression method ${method}`);
    }
    p += 46 + nameLen + extraLen + commentLen;
  }
  return undefined;
}

/** The main attributes of a jar's META-INF/MANIFEST.MF (continuation lines joined). */
export function readManifest(jarPath: string): Record<string, string> {
  const raw = readZipEntry(jarPath, 'META-INF/MANIFEST.MF');
  if (!raw) return {};
  const lines = raw.toString('utf8').split(/\r?\n/);
  const attrs: Record<string, string> = {};
  let last: string | undefined;
  for (const line of lines) {
    if (line === '') break; // end of the main section
    if (line.startsWith(' ') && last) {
      attrs[last] += line.slice(1);
      continue;
    }
    const i = line.indexOf(':');
    if (i <= 0) continue;
    last = line.slice(0, i).trim();
    attrs[last] = line.slice(i + 1).trim();
  }
  return attrs;
}

/** The entry class Flink would use: `program-class`, else `Main-Class` (as Flink's PackagedProgram). */
export function entryClassOf(jarPath: string): string | undefined {
  try {
    const m = readManifest(jarPath);
    return m['program-class'] || m['Program-Class'] || m['Main-Class'] || undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Program arguments

/** Splits a command line the way a POSIX shell would for plain words, '…' and "…" quoting. */
export function splitArgs(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let has = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < line.length && (line[i + 1] === '"' || line[i + 1] === '\\')) cur += line[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (c === '\\' && i + 1 < line.length) {
      cur += line[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (quote) throw new Error(`unterminated ${quote} quote in the arguments`);
  if (has) out.push(cur);
  return out;
}

/** The inverse of {@link splitArgs}: quotes only where needed. */
export function joinArgs(args: string[]): string {
  return args.map((a) => (a !== '' && /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

// ---------------------------------------------------------------------------------------------
// Savepoint paths

/**
 * The savepoint folder a command was invoked on: a Savepoints-view node (`{kind:'savepoint', dir}`
 * or a child of one), a Uri (`fsPath`) or a path of the folder or of its `_metadata` file.
 */
export function savepointPathFromArg(arg: unknown): string | undefined {
  if (arg === undefined || arg === null) return undefined;
  let p: string | undefined;
  if (typeof arg === 'string') p = arg.startsWith('file:') ? fileURLToPath(arg) : arg;
  else if (typeof arg === 'object') {
    const o = arg as Record<string, unknown>;
    if (typeof o.savepointPath === 'string') return savepointPathFromArg(o.savepointPath);
    if (o.kind === 'savepoint' && typeof o.dir === 'string') p = o.dir;
    else if (o.parent && typeof o.parent === 'object') return savepointPathFromArg(o.parent);
    else if (typeof o.fsPath === 'string') p = o.fsPath;
    else if (typeof o.dir === 'string') p = o.dir;
  }
  if (!p) return undefined;
  if (path.basename(p) === '_metadata') p = path.dirname(p);
  return p.replace(/[\\/]+$/, '') || p;
}

/** A savepoint location as Flink reports it (`file:/x/y`, `file:///x/y` or a path) as a local path; undefined for s3://, hdfs://… */
export function localPathOf(location: string): string | undefined {
  if (/^file:/i.test(location)) {
    try {
      return fileURLToPath(new URL(location.replace(/^file:\/*/i, 'file:///')));
    } catch {
      return undefined;
    }
  }
  if (/^[a-zA-Z][a-zA-Z0-9+.-]+:\/\//.test(location)) return undefined;
  return location;
}

/** Whether two savepoint locations (URIs or paths, with or without trailing slash) are the same folder. */
export function sameLocation(a: string, b: string): boolean {
  const norm = (s: string) => {
    const local = localPathOf(s);
    if (local !== undefined) {
      let r = path.resolve(local);
      try {
        r = fs.realpathSync(r);
      } catch {
        // not on this machine
      }
      return `file:${r.replace(/[\\/]+$/, '')}`;
    }
    return s.replace(/\/+$/, '');
  };
  return norm(a) === norm(b);
}

/** What to send as `savepointPath`: a local folder becomes an absolute path; URIs stay as they are. */
export function savepointPathForFlink(p: string): string {
  if (/^[a-zA-Z][a-zA-Z0-9+.-]+:\//.test(p) && !/^file:/i.test(p)) return p;
  const local = localPathOf(p) ?? p;
  return path.resolve(local);
}

export function fileUri(p: string): string {
  return pathToFileURL(p).href;
}

// ---------------------------------------------------------------------------------------------
// The restore plan

export interface RestorePlan {
  /** The cluster the plan was made for (ClusterEntry.id). */
  clusterId?: string;
  jar: string;
  entryClass?: string;
  args: string[];
  parallelism?: number;
  /** Folder or URI of the savepoint; undefined = a fresh start ("Run Job"). */
  savepointPath?: string;
  claimMode: ClaimMode;
  allowNonRestoredState: boolean;
}

export const CLAIM_MODES: { mode: ClaimMode; detail: string }[] = [
  { mode: 'NO_CLAIM', detail: 'Flink never deletes or changes the savepoint; the first checkpoint is a full one (safe default)' },
  { mode: 'CLAIM', detail: 'Flink takes ownership of the savepoint and may delete it once it is no longer needed' },
  { mode: 'LEGACY', detail: 'Flink neither claims nor copies; later incremental checkpoints may depend on it (deprecated)' },
];

export function validatePlan(p: RestorePlan): string | undefined {
  if (!p.jar) return 'no job jar chosen';
  if (!p.jar.toLowerCase().endsWith('.jar')) return `not a .jar file: ${p.jar}`;
  if (!fs.existsSync(p.jar)) return `the job jar does not exist: ${p.jar}`;
  if (p.parallelism !== undefined && (!Number.isInteger(p.parallelism) || p.parallelism < 1 || p.parallelism > 32768)) {
    return `parallelism must be a whole number 1…32768, got ${p.parallelism}`;
  }
  if (p.entryClass !== undefined && p.entryClass !== '' && !/^[\p{L}_$][\p{L}\p{N}_$]*(\.[\p{L}_$][\p{L}\p{N}_$]*)*$/u.test(p.entryClass)) {
    return `not a Java class name: ${p.entryClass}`;
  }
  if (!['CLAIM', 'NO_CLAIM', 'LEGACY'].includes(p.claimMode)) return `unknown claim mode ${p.claimMode}`;
  return undefined;
}

/** The options of `POST /jars/{id}/run` for a plan (the client turns them into the version's field names). */
export function runOptionsFor(p: RestorePlan): RunJarOptions {
  const o: RunJarOptions = { args: [...p.args] };
  if (p.entryClass) o.entryClass = p.entryClass;
  if (p.parallelism !== undefined) o.parallelism = p.parallelism;
  if (p.savepointPath) {
    o.savepointPath = savepointPathForFlink(p.savepointPath);
    o.allowNonRestoredState = p.allowNonRestoredState;
    o.claimMode = p.claimMode;
  }
  return o;
}

/** A one-line description, e.g. for "Restore Again". */
export function describePlan(p: RestorePlan): string {
  const parts = [path.basename(p.jar)];
  if (p.entryClass) parts.push(p.entryClass.split('.').pop() as string);
  if (p.savepointPath) parts.push(`from ${path.basename(p.savepointPath)}`, p.claimMode);
  if (p.allowNonRestoredState && p.savepointPath) parts.push('allowNonRestoredState');
  if (p.parallelism) parts.push(`p=${p.parallelism}`);
  return parts.join(' · ');
}

// ---------------------------------------------------------------------------------------------
// Memory (VS Code's workspaceState in the extension; a Map in tests)

export interface KeyValueStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void> | Promise<void> | void;
}

export class MapStore implements KeyValueStore {
  readonly map = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return this.map.get(key) as T | undefined;
  }
  update(key: string, value: unknown): void {
    if (value === undefined) this.map.delete(key);
    else this.map.set(key, JSON.parse(JSON.stringify(value)));
  }
}

interface JarSettings {
  entryClass?: string;
  args?: string[];
  parallelism?: number;
}

const K_LAST_JAR = 'flinkSavepoints.restore.lastJar';
const K_JAR_SETTINGS = 'flinkSavepoints.restore.jarSettings';
const K_LAST_PLAN = 'flinkSavepoints.restore.lastPlan';

/** What the restore dialog remembers per workspace: the last jar, its entry class/arguments, and the last restore. */
export class RestoreMemory {
  constructor(private readonly store: KeyValueStore) {}

  lastJar(): string | undefined {
    const j = this.store.get<string>(K_LAST_JAR);
    return j && fs.existsSync(j) ? j : undefined;
  }

  jarSettings(jar: string): JarSettings {
    return this.store.get<Record<string, JarSettings>>(K_JAR_SETTINGS)?.[jar] ?? {};
  }

  lastPlan(): RestorePlan | undefined {
    return this.store.get<RestorePlan>(K_LAST_PLAN);
  }

  async remember(p: RestorePlan): Promise<void> {
    await this.store.update(K_LAST_JAR, p.jar);
    const all = { ...(this.store.get<Record<string, JarSettings>>(K_JAR_SETTINGS) ?? {}) };
    all[p.jar] = { entryClass: p.entryClass, args: p.args, parallelism: p.parallelism };
    // keep the 20 most recent jars
    const keys = Object.keys(all);
    for (const k of keys.slice(0, Math.max(0, keys.length - 20))) if (k !== p.jar) delete all[k];
    await this.store.update(K_JAR_SETTINGS, all);
    if (p.savepointPath) await this.store.update(K_LAST_PLAN, p);
  }

  /** Jar candidates with the last used jar first. */
  orderCandidates(c: JarCandidate[]): JarCandidate[] {
    const last = this.lastJar();
    if (!last) return c;
    const i = c.findIndex((x) => x.path === last);
    if (i < 0) {
      try {
        const st = fs.statSync(last);
        return [{ path: last, rel: last, mtimeMs: st.mtimeMs, size: st.size }, ...c];
      } catch {
        return c;
      }
    }
    return [c[i], ...c.slice(0, i), ...c.slice(i + 1)];
  }
}

// ---------------------------------------------------------------------------------------------
// Submitting and confirming

export class RestoreNotConfirmedError extends Error {
  constructor(message: string, readonly jobId: string, readonly restored?: RestoredCheckpoint | null) {
    super(message);
    this.name = 'RestoreNotConfirmedError';
  }
}

export interface Progress {
  (message: string): void;
}

/**
 * Waits until the job runs and its checkpoint statistics report `latest.restored`, and checks that
 * it is the savepoint asked for. Throws {@link RestoreNotConfirmedError} otherwise.
 */
export async function confirmRestore(
  client: FlinkRestClient,
  jobId: string,
  savepointPath: string,
  o: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<RestoredCheckpoint> {
  const timeoutMs = o.timeoutMs ?? 90_000;
  const deadline = Date.now() + timeoutMs;
  await client.awaitJobState(jobId, 'RUNNING', timeoutMs, o.signal);
  let restored: RestoredCheckpoint | null = null;
  for (;;) {
    try {
      restored = (await client.checkpoints(jobId)).latest.restored;
    } catch (e) {
      // checkpoint statistics appear once the execution graph is built
      if (!(e instanceof FlinkRestError && e.status === 404)) throw e;
    }
    if (restored) break;
    const job = await client.job(jobId);
    if (['FAILED', 'CANCELED', 'FINISHED'].includes(job.state)) {
      throw new RestoreNotConfirmedError(`Job ${jobId} ended as ${job.state} before Flink reported a restore`, jobId);
    }
    if (Date.now() > deadline) {
      throw new RestoreNotConfirmedError(
        `Flink did not report a restored checkpoint for job ${jobId} within ${timeoutMs / 1000} s: the job may have started without state`,
        jobId,
      );
    }
    await sleep(300, o.signal);
  }
  if (!restored.external_path || !sameLocation(restored.external_path, savepointPath)) {
    throw new RestoreNotConfirmedError(
      `Job ${jobId} restored from ${restored.external_path ?? `checkpoint ${restored.id}`}, not from ${savepointPath}`,
      jobId,
      restored,
    );
  }
  return restored;
}

/** Remembers which jars were uploaded to which cluster (by path, size and mtime), to upload each once. */
export class JarUploadCache {
  private readonly ids = new Map<string, string>();

  private key(client: FlinkRestClient, jar: string): string {
    const st = fs.statSync(jar);
    return `${client.baseUrl}\0${path.resolve(jar)}\0${st.size}\0${st.mtimeMs}`;
  }

  async upload(client: FlinkRestClient, jar: string, progress?: Progress): Promise<string> {
    const k = this.key(client, jar);
    const known = this.ids.get(k);
    if (known) {
      try {
        if ((await client.listJars()).files.some((f) => f.id === known)) return known;
      } catch {
        // fall through to a new upload
      }
    }
    progress?.(`Uploading ${path.basename(jar)}…`);
    const up = await client.uploadJar(jar);
    this.ids.set(k, up.id);
    return up.id;
  }
}

export interface SubmitResult {
  jobId: string;
  jarId: string;
  /** Set when the plan had a savepoint and Flink confirmed the restore from it. */
  restored?: RestoredCheckpoint;
}

/** Uploads the jar (once), runs it and, for a restore, confirms via checkpoint statistics. */
export async function submitPlan(
  client: FlinkRestClient,
  plan: RestorePlan,
  o: { progress?: Progress; signal?: AbortSignal; jarCache?: JarUploadCache; confirmTimeoutMs?: number; onSubmitted?: (jobId: string) => void } = {},
): Promise<SubmitResult> {
  const problem = validatePlan(plan);
  if (problem) throw new Error(`Cannot run the job: ${problem}`);
  const cache = o.jarCache ?? new JarUploadCache();
  const jarId = await cache.upload(client, plan.jar, o.progress);
  if (o.signal?.aborted) throw o.signal.reason ?? new Error('cancelled');
  o.progress?.(plan.savepointPath ? `Submitting the job, restoring from ${path.basename(plan.savepointPath)}…` : 'Submitting the job…');
  const jobId = await client.runJar(jarId, runOptionsFor(plan));
  o.onSubmitted?.(jobId);
  if (!plan.savepointPath) {
    o.progress?.('Waiting for the job to run…');
    await client.awaitJobState(jobId, 'RUNNING', o.confirmTimeoutMs ?? 90_000, o.signal);
    return { jobId, jarId };
  }
  o.progress?.('Waiting for Flink to confirm the restore…');
  const restored = await confirmRestore(client, jobId, savepointPathForFlink(plan.savepointPath), { timeoutMs: o.confirmTimeoutMs, signal: o.signal });
  return { jobId, jarId, restored };
}

// ---------------------------------------------------------------------------------------------
// Savepoints

export interface SavepointRequest {
  jobId: string;
  /** stop = stop-with-savepoint */
  stop?: boolean;
  drain?: boolean;
  formatType?: SavepointFormatType;
  /** undefined = the cluster's default savepoint directory */
  targetDirectory?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface SavepointResult {
  jobId: string;
  /** As Flink reports it, e.g. `file:/ws/savepoints/savepoint-1a2b3c-…` */
  location: string;
  /** The folder on this machine, if it is local and exists. */
  dir?: string;
}

/** Triggers a savepoint (or stops the job with one) and waits for it; failures carry Flink's own cause. */
export async function takeSavepoint(client: FlinkRestClient, r: SavepointRequest): Promise<SavepointResult> {
  const target = r.targetDirectory ? savepointPathForFlink(r.targetDirectory) : undefined;
  const trigger = r.stop
    ? await client.stopWithSavepoint(r.jobId, { drain: r.drain ?? false, formatType: r.formatType, targetDirectory: target })
    : await client.triggerSavepoint(r.jobId, { formatType: r.formatType, targetDirectory: target });
  const location = await client.awaitSavepoint(r.jobId, trigger, { timeoutMs: r.timeoutMs ?? 300_000, signal: r.signal });
  const local = localPathOf(location);
  const dir = local && fs.existsSync(path.join(local, '_metadata')) ? local : undefined;
  return { jobId: r.jobId, location, dir };
}

// ---------------------------------------------------------------------------------------------
// What --allowNonRestoredState would drop

export interface SavepointOperatorLike {
  id: string;
  uid?: string;
  name?: string;
  size?: number;
  states?: unknown[] | number;
}

export interface DropReport {
  /** Savepoint operators with state that no uid in the workspace's code maps to. */
  wouldDrop: SavepointOperatorLike[];
  /** How many savepoint operators were matched by a uid in code. */
  matched: number;
  /** Number of uids found in code. */
  uidsInCode: number;
}

interface UidSiteLike {
  uid: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  operator: number;
  method: string;
  operatorId?: string;
}

type CrossCheckFn = (uids: UidSiteLike[], ops: SavepointOperatorLike[]) => { matched: unknown[]; wouldDropState: SavepointOperatorLike[] };

/**
 * Runs language/'s crossCheck over the uids of the workspace's job files and the savepoint's
 * operators. Operators without state (`size === 0`) are never reported.
 */
export function dropReport(uids: (string | { uid: string; operatorId?: string })[], operators: SavepointOperatorLike[], crossCheck: CrossCheckFn): DropReport {
  const ops = operators.map((o) => ({ ...o, states: o.states ?? (o.size === 0 ? 0 : undefined) }));
  const sites = uids.map((u): UidSiteLike => ({
    ...(typeof u === 'string' ? { uid: u } : u),
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    operator: 0,
    method: 'uid',
  }));
  const r = crossCheck(sites, ops);
  return { wouldDrop: r.wouldDropState, matched: r.matched.length, uidsInCode: uids.length };
}

export function operatorLabel(o: SavepointOperatorLike): string {
  const name = o.uid ?? o.name;
  return name ? `${name} (${o.id})` : o.id;
}
