/**
 * A small typed client for Flink's REST API (the JobManager's web server), covering what
 * "Savepoints for Apache Flink" needs: jar upload/run with savepoint restore, savepoint trigger,
 * stop-with-savepoint, checkpoint statistics and job state.
 *
 * Plain Node 20 (global fetch/FormData/Blob); no VS Code dependency, so the extension and the CLI
 * share it. Field names follow Flink's REST message classes; note the mix of hyphenated and
 * camel-case names that Flink itself uses.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';

export type ClaimMode = 'CLAIM' | 'NO_CLAIM' | 'LEGACY';
export type SavepointFormatType = 'CANONICAL' | 'NATIVE';
export type JobState =
  | 'INITIALIZING' | 'CREATED' | 'RUNNING' | 'FAILING' | 'FAILED' | 'CANCELLING' | 'CANCELED'
  | 'FINISHED' | 'RESTARTING' | 'SUSPENDED' | 'RECONCILING';

/** States after which a job never runs again. */
export const TERMINAL_JOB_STATES: readonly JobState[] = ['FAILED', 'CANCELED', 'FINISHED', 'SUSPENDED'];

// ---------------------------------------------------------------------------------------------
// Response shapes (only the fields we use are typed strictly; Flink sends more).

/** GET /config */
export interface FlinkConfigInfo {
  'refresh-interval'?: number;
  'timezone-name'?: string;
  'timezone-offset'?: number;
  'flink-version': string;
  'flink-revision'?: string;
  features?: { 'web-submit'?: boolean; 'web-cancel'?: boolean; 'web-rescale'?: boolean; 'web-history'?: boolean };
}

/** GET /overview */
export interface ClusterOverview {
  taskmanagers: number;
  'slots-total': number;
  'slots-available': number;
  'jobs-running': number;
  'jobs-finished': number;
  'jobs-cancelled': number;
  'jobs-failed': number;
  'flink-version': string;
  'flink-commit'?: string;
}

/** One entry of GET /jobs/overview */
export interface JobOverview {
  jid: string;
  name: string;
  state: JobState;
  'start-time': number;
  'end-time': number;
  duration: number;
  'last-modification': number;
  tasks?: Record<string, number>;
}

export interface JobVertex {
  id: string;
  name: string;
  parallelism: number;
  maxParallelism?: number;
  status: string;
}

/** GET /jobs/{id} */
export interface JobDetails {
  jid: string;
  name: string;
  state: JobState;
  'start-time': number;
  'end-time': number;
  duration: number;
  now?: number;
  vertices: JobVertex[];
  'status-counts'?: Record<string, number>;
}

/** One jar of GET /jars */
export interface JarFileInfo {
  id: string;
  name: string;
  uploaded: number;
  entry: { name: string; description: string | null }[];
}

export interface JarList {
  address: string;
  files: JarFileInfo[];
}

/** POST /jars/upload */
export interface JarUploadResponse {
  filename: string;
  status: string;
}

export interface UploadedJar {
  /** The id to use in /jars/{id}/run: the stored file's name, e.g. `5b1…_sample-job.jar`. */
  id: string;
  /** Where the cluster stored the jar. */
  filename: string;
}

export interface RunJarOptions {
  entryClass?: string;
  args?: string[];
  parallelism?: number;
  savepointPath?: string;
  allowNonRestoredState?: boolean;
  claimMode?: ClaimMode;
  /** Fixed job id (hex, 32 characters). */
  jobId?: string;
  /** Per-job configuration (`flinkConfiguration`, Flink ≥ 1.17). */
  flinkConfiguration?: Record<string, string>;
}

/** The body of POST /jars/{id}/run as it is sent. */
export interface JarRunRequestBody {
  entryClass?: string;
  programArgsList?: string[];
  parallelism?: number;
  savepointPath?: string;
  allowNonRestoredState?: boolean;
  claimMode?: ClaimMode;
  restoreMode?: ClaimMode;
  jobId?: string;
  flinkConfiguration?: Record<string, string>;
}

export interface TriggerSavepointOptions {
  /** Target directory; falls back to the cluster's `execution.checkpointing.savepoint-dir`. */
  targetDirectory?: string;
  formatType?: SavepointFormatType;
  cancelJob?: boolean;
}

export interface StopWithSavepointOptions {
  targetDirectory?: string;
  /** Emit MAX_WATERMARK and flush event-time timers/windows before stopping. */
  drain?: boolean;
  formatType?: SavepointFormatType;
}

export interface SerializedFailure {
  class?: string;
  'stack-trace'?: string;
  'serialized-throwable'?: string;
}

/** GET /jobs/{id}/savepoints/{triggerId} */
export interface SavepointStatus {
  status: { id: 'IN_PROGRESS' | 'COMPLETED' };
  operation?: { location?: string; 'failure-cause'?: SerializedFailure };
}

export interface CheckpointRef {
  id: number;
  status?: string;
  is_savepoint?: boolean;
  trigger_timestamp?: number;
  latest_ack_timestamp?: number;
  state_size?: number;
  checkpointed_size?: number;
  end_to_end_duration?: number;
  external_path?: string;
  discarded?: boolean;
  checkpoint_type?: string;
  failure_timestamp?: number;
  failure_message?: string;
}

export interface RestoredCheckpoint {
  id: number;
  restore_timestamp: number;
  is_savepoint: boolean;
  external_path?: string;
}

/** GET /jobs/{id}/checkpoints */
export interface CheckpointStatistics {
  counts: { restored: number; total: number; in_progress: number; completed: number; failed: number };
  latest: {
    completed: CheckpointRef | null;
    savepoint: CheckpointRef | null;
    failed: CheckpointRef | null;
    restored: RestoredCheckpoint | null;
  };
  history: CheckpointRef[];
}

/** GET /jobs/{id}/exceptions (the part we read) */
export interface JobExceptions {
  'root-exception'?: string | null;
  exceptionHistory?: { entries?: { exceptionName?: string; stacktrace?: string; timestamp?: number }[] };
}

// ---------------------------------------------------------------------------------------------
// Errors

const JAVA_CLASS_PREFIX = /^((?:[a-zA-Z_$][\w$]*\.)+([A-Z][\w$]*))(?::\s*|$)/;

/**
 * Condenses a Java stack trace (or Flink's `errors` entry) to the chain of distinct messages,
 * outermost first, ending with the root cause and its class:
 * `Could not execute application. ← Could not start the JobMaster. ← FileNotFoundException: Cannot find …`.
 */
export function summarizeJavaTrace(trace: string): string {
  const lines = trace.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  if (lines.length === 0) return '';
  const raw = [lines[0].replace(/^<Exception on server side:\s*/, '').replace(/>$/, '')];
  for (const l of lines.slice(1)) {
    if (l.startsWith('Caused by:')) raw.push(l.slice('Caused by:'.length).trim());
  }
  const chain: { cls?: string; msg: string }[] = raw.map((r) => {
    const m = JAVA_CLASS_PREFIX.exec(r);
    return m ? { cls: m[2], msg: r.slice(m[0].length).trim() } : { msg: r };
  });
  const kept: { cls?: string; msg: string }[] = [];
  for (const c of chain) {
    // "RuntimeException: java.io.FileNotFoundException: …" only wraps the next cause.
    if (c.msg.length === 0 || JAVA_CLASS_PREFIX.test(c.msg)) continue;
    const prev = kept[kept.length - 1];
    if (prev && prev.msg.includes(c.msg)) continue;
    kept.push(c);
  }
  if (kept.length === 0) {
    const last = chain[chain.length - 1];
    return last.cls ?? raw[0];
  }
  const root = chain[chain.length - 1];
  return kept
    .map((c, i) => (i === kept.length - 1 && c.cls && (root.msg === c.msg || root.msg.length === 0) ? `${c.cls}: ${c.msg}` : c.msg))
    .join(' ← ');
}

/** A non-2xx answer from Flink's REST API, with Flink's own `errors` array. */
export class FlinkRestError extends Error {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly errors: string[],
    readonly body?: string,
  ) {
    super(FlinkRestError.format(method, url, status, errors, body));
    this.name = 'FlinkRestError';
  }

  private static format(method: string, url: string, status: number, errors: string[], body?: string): string {
    const what = errors.length > 0
      ? errors.map(summarizeJavaTrace).filter((e) => e.length > 0).join('; ')
      : (body ?? '').slice(0, 300);
    return `Flink REST ${method} ${url} failed with HTTP ${status}${what ? `: ${what}` : ''}${FlinkRestError.hint(status, what)}`;
  }

  private static hint(status: number, what: string): string {
    if (status === 404 && /Not found: \//.test(what)) {
      return ' (this cluster does not offer that endpoint: web submission disabled, or a Flink version without it?)';
    }
    if (status === 401 || status === 403) return ' (check the authentication header)';
    return '';
  }
}

/** A savepoint that Flink reports as failed; `message` carries Flink's failure cause. */
export class SavepointFailedError extends Error {
  constructor(readonly jobId: string, readonly triggerId: string, readonly flinkCause: string, readonly stackTrace?: string) {
    super(`Savepoint of job ${jobId} failed: ${flinkCause}`);
    this.name = 'SavepointFailedError';
  }
}

/** Thrown by the await* helpers when time runs out. */
export class FlinkTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlinkTimeoutError';
  }
}

// ---------------------------------------------------------------------------------------------

export interface FlinkRestClientOptions {
  /** e.g. `http://127.0.0.1:8081`; a trailing slash is ignored. */
  baseUrl: string;
  /**
   * Sent with every request. A plain string is the value of `Authorization`
   * (e.g. `Bearer …`); use `{ name, value }` for another header.
   */
  auth?: string | { name: string; value: string };
  /** Per-request timeout (default 60 s; uploads get 5 minutes). */
  requestTimeoutMs?: number;
  /** Poll interval of the await* helpers (default 500 ms). */
  pollIntervalMs?: number;
}

/** Resolves after `ms` milliseconds; rejects with the signal's reason as soon as it is aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason ?? new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** `[major, minor]` of a Flink version string such as `1.20.3` or `2.1-SNAPSHOT`; null if unparsable. */
export function parseFlinkVersion(v: string): [number, number] | null {
  const m = /^(\d+)\.(\d+)/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2])] : null;
}

/** Whether `/jars/{id}/run` takes `claimMode` (Flink ≥ 1.20) rather than only `restoreMode`. */
export function supportsClaimMode(version: string): boolean {
  const p = parseFlinkVersion(version);
  if (!p) return true; // unknown: assume a current version
  return p[0] > 1 || (p[0] === 1 && p[1] >= 20);
}

/** Builds the body of `/jars/{id}/run` for the given Flink version. */
export function jarRunBody(flinkVersion: string, o: RunJarOptions): JarRunRequestBody {
  const body: JarRunRequestBody = {};
  if (o.entryClass !== undefined) body.entryClass = o.entryClass;
  // programArgsList exists since 1.7; 2.x removed the old `programArgs` string.
  if (o.args !== undefined) body.programArgsList = [...o.args];
  if (o.parallelism !== undefined) body.parallelism = o.parallelism;
  if (o.jobId !== undefined) body.jobId = o.jobId;
  if (o.savepointPath !== undefined) body.savepointPath = o.savepointPath;
  if (o.allowNonRestoredState !== undefined) body.allowNonRestoredState = o.allowNonRestoredState;
  if (o.claimMode !== undefined) {
    if (supportsClaimMode(flinkVersion)) body.claimMode = o.claimMode;
    else body.restoreMode = o.claimMode; // ≤ 1.19 parse strictly and know only restoreMode
  }
  if (o.flinkConfiguration !== undefined) body.flinkConfiguration = { ...o.flinkConfiguration };
  return body;
}

export class FlinkRestClient {
  readonly baseUrl: string;
  private readonly headers: Record<string, string>;
  private readonly requestTimeoutMs: number;
  private readonly pollIntervalMs: number;
  private versionPromise: Promise<string> | undefined;

  constructor(options: FlinkRestClientOptions | string) {
    const o: FlinkRestClientOptions = typeof options === 'string' ? { baseUrl: options } : options;
    this.baseUrl = o.baseUrl.replace(/\/+$/, '');
    this.headers = {};
    if (typeof o.auth === 'string') this.headers['Authorization'] = o.auth;
    else if (o.auth) this.headers[o.auth.name] = o.auth.value;
    this.requestTimeoutMs = o.requestTimeoutMs ?? 60_000;
    this.pollIntervalMs = o.pollIntervalMs ?? 500;
  }

  // ----- plumbing ---------------------------------------------------------------------------

  /**
   * One REST call. A 503 "ongoing leader election" (a cluster that just started, or is failing over)
   * means the request never reached the dispatcher, so it is retried for up to 15 s.
   */
  private async request<T>(
    method: string,
    path: string,
    init: { json?: unknown; body?: FormData; timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<T> {
    const deadline = Date.now() + 15_000;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.requestOnce<T>(method, path, init);
      } catch (e) {
        const leaderElection = e instanceof FlinkRestError && e.status === 503 && /leader/i.test(`${e.errors.join(' ')} ${e.body ?? ''}`);
        if (!leaderElection || Date.now() >= deadline) throw e;
        await sleep(Math.min(1000, 100 * 2 ** attempt), init.signal);
      }
    }
  }

  private async requestOnce<T>(
    method: string,
    path: string,
    init: { json?: unknown; body?: FormData; timeoutMs?: number; signal?: AbortSignal },
  ): Promise<T> {
    const url = this.baseUrl + path;
    const headers: Record<string, string> = { Accept: 'application/json', ...this.headers };
    let body: string | FormData | undefined;
    if (init.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(init.json);
    } else if (init.body !== undefined) {
      body = init.body; // fetch sets the multipart boundary itself
    }
    const timeout = AbortSignal.timeout(init.timeoutMs ?? this.requestTimeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body, signal });
    } catch (e) {
      if (init.signal?.aborted) throw init.signal.reason ?? e;
      const cause = e instanceof Error ? ((e as { cause?: Error }).cause?.message ?? e.message) : String(e);
      if (timeout.aborted) {
        throw new FlinkTimeoutError(`Flink REST ${method} ${url} did not answer within ${init.timeoutMs ?? this.requestTimeoutMs} ms`);
      }
      throw new Error(`Cannot reach Flink at ${this.baseUrl} (${method} ${path}): ${cause}`);
    }
    const text = await res.text();
    if (!res.ok) {
      let errors: string[] = [];
      try {
        const parsed = JSON.parse(text) as { errors?: unknown };
        if (Array.isArray(parsed.errors)) errors = parsed.errors.map((x) => String(x));
      } catch {
        // not JSON: keep the raw body
      }
      throw new FlinkRestError(method, url, res.status, errors, text);
    }
    if (text.length === 0) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new Error(`Flink REST ${method} ${url} returned something that is not JSON: ${text.slice(0, 200)}`);
    }
  }

  private jobPath(jobId: string): string {
    return `/jobs/${encodeURIComponent(jobId)}`;
  }

  // ----- cluster ----------------------------------------------------------------------------

  /** GET /config: Flink version and web UI features. */
  config(): Promise<FlinkConfigInfo> {
    return this.request<FlinkConfigInfo>('GET', '/config');
  }

  /** The cluster's Flink version, probed once via /config and cached. */
  flinkVersion(): Promise<string> {
    if (!this.versionPromise) {
      this.versionPromise = this.config().then((c) => c['flink-version']);
      this.versionPromise.catch(() => (this.versionPromise = undefined));
    }
    return this.versionPromise;
  }

  /** GET /overview */
  overview(): Promise<ClusterOverview> {
    return this.request<ClusterOverview>('GET', '/overview');
  }

  // ----- jobs -------------------------------------------------------------------------------

  /** GET /jobs/overview */
  async jobs(): Promise<JobOverview[]> {
    const r = await this.request<{ jobs: JobOverview[] }>('GET', '/jobs/overview');
    return r.jobs ?? [];
  }

  /** GET /jobs/{id} */
  job(jobId: string): Promise<JobDetails> {
    return this.request<JobDetails>('GET', this.jobPath(jobId));
  }

  /** GET /jobs/{id}/exceptions */
  exceptions(jobId: string): Promise<JobExceptions> {
    return this.request<JobExceptions>('GET', `${this.jobPath(jobId)}/exceptions`);
  }

  /** PATCH /jobs/{id}?mode=cancel */
  async cancel(jobId: string): Promise<void> {
    await this.request<unknown>('PATCH', `${this.jobPath(jobId)}?mode=cancel`);
  }

  /**
   * Polls until the job is in one of `states`. Fails early, with Flink's root exception, if the
   * job reaches a terminal state that was not asked for.
   */
  async awaitJobState(jobId: string, states: JobState | JobState[], timeoutMs = 60_000, signal?: AbortSignal): Promise<JobDetails> {
    const wanted = Array.isArray(states) ? states : [states];
    const deadline = Date.now() + timeoutMs;
    let last: JobDetails | undefined;
    for (;;) {
      try {
        last = await this.job(jobId);
      } catch (e) {
        // Right after submission the job may not be known yet.
        if (!(e instanceof FlinkRestError && e.status === 404)) throw e;
      }
      if (last && wanted.includes(last.state)) return last;
      if (last && TERMINAL_JOB_STATES.includes(last.state)) {
        throw new Error(`Job ${jobId} ended as ${last.state} while waiting for ${wanted.join('/')}${await this.rootCause(jobId)}`);
      }
      if (Date.now() >= deadline) {
        throw new FlinkTimeoutError(
          `Job ${jobId} did not reach ${wanted.join('/')} within ${timeoutMs} ms (last state: ${last?.state ?? 'unknown'})${await this.rootCause(jobId)}`,
        );
      }
      await sleep(this.pollIntervalMs, signal);
    }
  }

  private async rootCause(jobId: string): Promise<string> {
    try {
      const ex = await this.exceptions(jobId);
      const trace = ex['root-exception'] ?? ex.exceptionHistory?.entries?.[0]?.stacktrace;
      return trace ? `: ${summarizeJavaTrace(trace)}` : '';
    } catch {
      return '';
    }
  }

  // ----- jars -------------------------------------------------------------------------------

  /** POST /jars/upload (multipart field `jarfile`). */
  async uploadJar(path: string): Promise<UploadedJar> {
    const name = basename(path);
    if (!name.toLowerCase().endsWith('.jar')) throw new Error(`Flink only accepts files ending in .jar: ${path}`);
    const bytes = await readFile(path);
    const form = new FormData();
    form.append('jarfile', new Blob([bytes], { type: 'application/x-java-archive' }), name);
    const r = await this.request<JarUploadResponse>('POST', '/jars/upload', { body: form, timeoutMs: Math.max(this.requestTimeoutMs, 300_000) });
    if (r.status !== 'success' || !r.filename) {
      throw new Error(`Flink did not accept the jar ${path}: ${JSON.stringify(r)}`);
    }
    return { id: r.filename.split(/[\\/]/).pop() as string, filename: r.filename };
  }

  /** GET /jars */
  listJars(): Promise<JarList> {
    return this.request<JarList>('GET', '/jars');
  }

  /** DELETE /jars/{id} */
  async deleteJar(jarId: string): Promise<void> {
    await this.request<unknown>('DELETE', `/jars/${encodeURIComponent(jarId)}`);
  }

  /**
   * POST /jars/{id}/run. Sends `claimMode` to Flink ≥ 1.20 and `restoreMode` to older versions;
   * program arguments always as `programArgsList`. Returns the job id.
   */
  async runJar(jarId: string, options: RunJarOptions = {}): Promise<string> {
    const version = await this.flinkVersion();
    const r = await this.request<{ jobid: string }>('POST', `/jars/${encodeURIComponent(jarId)}/run`, {
      json: jarRunBody(version, options),
      timeoutMs: Math.max(this.requestTimeoutMs, 120_000),
    });
    return r.jobid;
  }

  // ----- savepoints and checkpoints ---------------------------------------------------------

  /** POST /jobs/{id}/savepoints; returns the trigger id. */
  async triggerSavepoint(jobId: string, o: TriggerSavepointOptions = {}): Promise<string> {
    const body: Record<string, unknown> = { 'cancel-job': o.cancelJob ?? false };
    if (o.targetDirectory !== undefined) body['target-directory'] = o.targetDirectory;
    if (o.formatType !== undefined) body.formatType = o.formatType;
    const r = await this.request<{ 'request-id': string }>('POST', `${this.jobPath(jobId)}/savepoints`, { json: body });
    return r['request-id'];
  }

  /** POST /jobs/{id}/stop (stop with savepoint); returns the trigger id. */
  async stopWithSavepoint(jobId: string, o: StopWithSavepointOptions = {}): Promise<string> {
    const body: Record<string, unknown> = { drain: o.drain ?? false };
    if (o.targetDirectory !== undefined) body.targetDirectory = o.targetDirectory;
    if (o.formatType !== undefined) body.formatType = o.formatType;
    const r = await this.request<{ 'request-id': string }>('POST', `${this.jobPath(jobId)}/stop`, { json: body });
    return r['request-id'];
  }

  /** GET /jobs/{id}/savepoints/{triggerId} */
  savepointStatus(jobId: string, triggerId: string): Promise<SavepointStatus> {
    return this.request<SavepointStatus>('GET', `${this.jobPath(jobId)}/savepoints/${encodeURIComponent(triggerId)}`);
  }

  /**
   * Polls a savepoint (or stop-with-savepoint) until it completes and returns its location.
   * Throws {@link SavepointFailedError} with Flink's failure cause if it failed.
   */
  async awaitSavepoint(jobId: string, triggerId: string, o: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<string> {
    const timeoutMs = o.timeoutMs ?? 120_000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await this.savepointStatus(jobId, triggerId);
      if (s.status.id === 'COMPLETED') {
        const failure = s.operation?.['failure-cause'];
        if (failure) {
          const trace = failure['stack-trace'] ?? failure.class ?? 'unknown cause';
          throw new SavepointFailedError(jobId, triggerId, summarizeJavaTrace(trace), failure['stack-trace']);
        }
        const location = s.operation?.location;
        if (!location) throw new SavepointFailedError(jobId, triggerId, 'Flink reported success but no location');
        return location;
      }
      if (Date.now() >= deadline) {
        throw new FlinkTimeoutError(`Savepoint ${triggerId} of job ${jobId} still in progress after ${timeoutMs} ms`);
      }
      await sleep(this.pollIntervalMs, o.signal);
    }
  }

  /** GET /jobs/{id}/checkpoints: counts, latest completed/savepoint/failed/restored, history. */
  checkpoints(jobId: string): Promise<CheckpointStatistics> {
    return this.request<CheckpointStatistics>('GET', `${this.jobPath(jobId)}/checkpoints`);
  }
}
