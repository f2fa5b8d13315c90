// Shared helpers for the benchmarks: run a command, measure wall time and peak RSS, build jars.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..');
export const BENCH_DIR = process.env.FSP_BENCH_DIR || path.join(ROOT, '.bench-data');

// eslint-disable-next-line @typescript-eslint/no-var-requires
const engine = require(path.join(ROOT, 'scripts', 'lib', 'engine.js'));

export function engineJar(): string {
  return process.env.FSP_ENGINE_JAR || engine.ensureEngineJar();
}

export interface Measured {
  seconds: number;
  peakRssMb: number;
  stdoutBytes: number;
  /** sha256 of stdout, to check that two tools printed the same bytes. */
  sha256: string;
  code: number;
}

/** Runs a command with stdout counted (not stored), sampling the peak RSS (VmHWM) from /proc. */
export function measure(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { cwd: opts.cwd ?? ROOT, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let bytes = 0;
    const hash = createHash('sha256');
    let peakKb = 0;
    let err = '';
    const sample = () => {
      try {
        const s = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const m = /VmHWM:\s+(\d+) kB/.exec(s);
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch {
        /* exited */
      }
    };
    const timer = setInterval(sample, 20);
    child.stdout.on('data', (d: Buffer) => {
      bytes += d.length;
      hash.update(d);
      sample();
    });
    child.stderr.on('data', (d: Buffer) => {
      if (err.length < 4000) err += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(timer);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      if (code !== 0) process.stderr.write(`[bench] ${cmd} ${args.join(' ')} exited ${code}: ${err.slice(-1500)}\n`);
      resolve({ seconds, peakRssMb: peakKb / 1024, stdoutBytes: bytes, sha256: hash.digest('hex'), code: code ?? 1 });
    });
  });
}

export async function best(n: number, f: () => Promise<Measured>): Promise<Measured> {
  let b: Measured | undefined;
  for (let i = 0; i < n; i++) {
    const m = await f();
    if (!b || m.seconds < b.seconds) b = { ...m, peakRssMb: Math.max(m.peakRssMb, b?.peakRssMb ?? 0) };
  }
  return b!;
}

/**
 * dist/fsp.js as shipped (`node esbuild.js --production`). When esbuild.js is missing or fails
 * (another bundle of it broken), the fsp bundle alone is built with esbuild's API.
 */
export function ensureBundle(): string {
  const fsp = path.join(ROOT, 'dist', 'fsp.js');
  const script = path.join(ROOT, 'esbuild.js');
  if (fs.existsSync(script)) {
    const r = spawnSync('node', [script, '--production'], { cwd: ROOT, stdio: 'inherit' });
    if (r.status === 0 && fs.existsSync(fsp)) return fsp;
    process.stderr.write('[bench] esbuild.js failed; bundling fsp alone\n');
  }
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const esbuild = require('esbuild');
  esbuild.buildSync({
    entryPoints: [path.join(ROOT, 'engine', 'cli', 'fsp.ts')],
    outfile: fsp,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: true,
    banner: { js: '#!/usr/bin/env node' },
    logLevel: 'warning',
  });
  fs.chmodSync(fsp, 0o755);
  return fsp;
}

/** Best-of-n wall time (seconds) of an in-process async function; the result of the last run. */
export async function bestInProcess<T>(n: number, f: () => Promise<T>): Promise<{ seconds: number; result: T }> {
  let bestS = Infinity;
  let result!: T;
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    result = await f();
    bestS = Math.min(bestS, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return { seconds: bestS, result };
}

/** The machine's load averages, for the record: measurements on a loaded machine are noisy. */
export function loadAverage(): string {
  try {
    return fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'unknown';
  }
}

export function dirBytes(dir: string): number {
  return fs.readdirSync(dir).reduce((a, f) => a + fs.statSync(path.join(dir, f)).size, 0);
}

export function fmt(n: number, digits = 2): string {
  return n.toFixed(digits);
}
