/**
 * Starting and stopping the bundled local Flink cluster (`java -jar engine.jar serve …`), and
 * finding a suitable Java. Shared by the VS Code extension and the CLI; no VS Code dependency.
 *
 * Protocol of `serve`: one JSON line on stdout once the cluster is up
 * (`{"event":"ready","rest":"http://127.0.0.1:PORT","flinkVersion":"1.20.3"}`), logs on stderr.
 * It exits when its stdin closes, so it never outlives the process that started it.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface StartEngineOptions {
  /** The java executable. */
  java: string;
  /** Path to engine.jar. */
  jar: string;
  /** Arguments after `serve`, e.g. `['--savepoint-dir', dir, '--slots', '4']`. */
  args?: string[];
  /** JVM options before `-jar`. */
  jvmArgs?: string[];
  /** Every log line (stderr, and any stdout line that is not the ready event). */
  onLog?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** How long to wait for the ready line (default 120 s). */
  readyTimeoutMs?: number;
  /** Working directory of the process. */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface EngineExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningEngine {
  /** REST base URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  flinkVersion: string;
  pid: number | undefined;
  process: ChildProcess;
  /** Resolves when the process has exited. */
  exited: Promise<EngineExit>;
  /** Closes stdin and waits; then SIGTERM; then SIGKILL. Resolves once the process is gone. */
  stop(options?: { graceMs?: number; termGraceMs?: number }): Promise<EngineExit>;
}

const TAIL_LINES = 40;

/** Splits a byte stream into lines. */
function lineReader(onLine: (line: string) => void): { push(chunk: Buffer): void; end(): void } {
  let buf = '';
  return {
    push(chunk: Buffer) {
      buf += chunk.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        onLine(buf.slice(0, i).replace(/\r$/, ''));
        buf = buf.slice(i + 1);
      }
    },
    end() {
      if (buf.length > 0) onLine(buf);
      buf = '';
    },
  };
}

export class EngineStartError extends Error {
  constructor(message: string, readonly stderrTail: string[]) {
    super(stderrTail.length > 0 ? `${message}\n--- last engine output ---\n${stderrTail.join('\n')}` : message);
    this.name = 'EngineStartError';
  }
}

/** Spawns `java -jar engine.jar serve …` and resolves once the cluster's REST API is up. */
export function startEngine(options: StartEngineOptions): Promise<RunningEngine> {
  const { java, jar } = options;
  if (!existsSync(jar)) {
    return Promise.reject(new EngineStartError(`engine.jar not found at ${jar}`, []));
  }
  const argv = [...(options.jvmArgs ?? []), '-jar', jar, 'serve', ...(options.args ?? [])];
  const child = spawn(java, argv, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['pipe', 'pipe', 'pipe'],
    windowsHide: true,
  });
  const tail: string[] = [];
  const log = (line: string, stream: 'stdout' | 'stderr') => {
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.shift();
    options.onLog?.(line, stream);
  };

  let exitInfo: EngineExit | undefined;
  const exited = new Promise<EngineExit>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
  });
  // An engine that dies must not take the host down with EPIPE on its stdin.
  child.stdin?.on('error', () => undefined);

  const stop = async (o: { graceMs?: number; termGraceMs?: number } = {}): Promise<EngineExit> => {
    if (exitInfo) return exitInfo;
    const wait = (ms: number) =>
      Promise.race([
        exited,
        new Promise<undefined>((r) => {
          const t = setTimeout(r, ms) as unknown as { unref?: () => void };
          t.unref?.();
        }),
      ]);
    child.stdin?.end();
    let r = await wait(o.graceMs ?? 15_000);
    if (r) return r;
    child.kill('SIGTERM');
    r = await wait(o.termGraceMs ?? 10_000);
    if (r) return r;
    child.kill('SIGKILL');
    return exited;
  };

  return new Promise<RunningEngine>((resolve, reject) => {
    let settled = false;
    const timeoutMs = options.readyTimeoutMs ?? 120_000;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      void stop({ graceMs: 2_000, termGraceMs: 3_000 });
      reject(new EngineStartError(`The Flink engine did not report ready within ${timeoutMs / 1000} s`, tail.slice()));
    }, timeoutMs);

    const out = lineReader((line) => {
      if (!settled && line.startsWith('{')) {
        try {
          const ev = JSON.parse(line) as { event?: string; rest?: string; flinkVersion?: string };
          if (ev.event === 'ready' && typeof ev.rest === 'string') {
            settled = true;
            clearTimeout(timer);
            resolve({
              url: ev.rest,
              flinkVersion: ev.flinkVersion ?? 'unknown',
              pid: child.pid,
              process: child,
              exited,
              stop,
            });
            return;
          }
        } catch {
          // not our JSON: treat as a log line
        }
      }
      log(line, 'stdout');
    });
    const err = lineReader((line) => log(line, 'stderr'));
    child.stdout?.on('data', (c: Buffer) => out.push(c));
    child.stdout?.on('end', () => out.end());
    child.stderr?.on('data', (c: Buffer) => err.push(c));
    child.stderr?.on('end', () => err.end());

    child.once('error', (e) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const hint = (e as NodeJS.ErrnoException).code === 'ENOENT' ? ` (no such program: ${java})` : '';
      reject(new EngineStartError(`Could not start the Flink engine: ${e.message}${hint}`, tail.slice()));
    });
    void exited.then(({ code, signal }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Give the stderr reader a moment to deliver the last lines.
      setTimeout(() => {
        reject(new EngineStartError(
          `The Flink engine exited before it was ready (${signal ? `signal ${signal}` : `exit code ${code}`})`,
          tail.slice(),
        ));
      }, 50);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Java discovery

export const MIN_JAVA_MAJOR = 17;

export interface JavaInfo {
  /** The java executable. */
  path: string;
  /** As printed by `java -version`, e.g. `17.0.15`. */
  version: string;
  major: number;
  /** Where it came from. */
  source: 'setting' | 'JAVA_HOME' | 'PATH';
}

export class JavaNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JavaNotFoundError';
  }
}

/** Parses `java -version` output: `openjdk version "17.0.15" …` or `java version "1.8.0_292"`. */
export function parseJavaVersion(output: string): { version: string; major: number } | null {
  const m = /version "([^"]+)"/.exec(output);
  if (!m) return null;
  const version = m[1];
  const parts = version.split(/[.+_-]/);
  let major = Number(parts[0]);
  if (major === 1 && parts.length > 1) major = Number(parts[1]); // 1.8 → 8
  return Number.isFinite(major) ? { version, major } : null;
}

function javaExecutable(home: string): string {
  return join(home, 'bin', process.platform === 'win32' ? 'java.exe' : 'java');
}

function probeJava(path: string): Promise<{ version: string; major: number } | { error: string }> {
  return new Promise((resolve) => {
    execFile(path, ['-version'], { timeout: 15_000, windowsHide: true }, (err, stdout, stderr) => {
      const parsed = parseJavaVersion(`${stderr}\n${stdout}`);
      if (parsed) return resolve(parsed);
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        return resolve({ error: code === 'ENOENT' ? 'not found' : err.message.split('\n')[0] });
      }
      resolve({ error: `could not read the version from: ${(stderr || stdout).split('\n')[0]}` });
    });
  });
}

/**
 * Finds Java ≥ 17: the explicit setting (a java executable or a JDK directory), else
 * `JAVA_HOME`, else `java` on the PATH. Throws {@link JavaNotFoundError} with a clear message.
 */
export async function findJava(o: { setting?: string; settingName?: string; env?: NodeJS.ProcessEnv } = {}): Promise<JavaInfo> {
  const env = o.env ?? process.env;
  const settingName = o.settingName ?? 'the Java setting';
  const candidates: { path: string; source: JavaInfo['source'] }[] = [];
  const setting = o.setting?.trim();
  if (setting) {
    let path = setting;
    try {
      if (statSync(setting).isDirectory()) path = javaExecutable(setting);
    } catch {
      // not a path on disk: maybe a command name; probe it as is
    }
    candidates.push({ path, source: 'setting' });
  } else {
    if (env.JAVA_HOME) candidates.push({ path: javaExecutable(env.JAVA_HOME), source: 'JAVA_HOME' });
    candidates.push({ path: process.platform === 'win32' ? 'java.exe' : 'java', source: 'PATH' });
  }

  const problems: string[] = [];
  for (const c of candidates) {
    const r = await probeJava(c.path);
    const where = c.source === 'PATH' ? 'java on the PATH' : c.source === 'JAVA_HOME' ? `JAVA_HOME (${c.path})` : `${settingName} (${c.path})`;
    if ('error' in r) {
      problems.push(`${where}: ${r.error}`);
      continue;
    }
    if (r.major < MIN_JAVA_MAJOR) {
      problems.push(`${where} is Java ${r.version}, but Java ${MIN_JAVA_MAJOR} or newer is needed`);
      continue;
    }
    return { path: c.path, version: r.version, major: r.major, source: c.source };
  }
  throw new JavaNotFoundError(
    `No usable Java found (${problems.join('; ')}). The local Flink cluster needs Java ${MIN_JAVA_MAJOR}+: ` +
      `install a JDK ${MIN_JAVA_MAJOR} or 21 (e.g. Eclipse Temurin) and set ${settingName} or JAVA_HOME to it.`,
  );
}
