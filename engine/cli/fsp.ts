/**
 * `fsp` — the command-line face of the savepoint engine.
 *
 *   fsp inspect <savepoint> [--json]
 *   fsp dump <savepoint> [--operator <uid|id>] [--state <name>] [--key <value> | --no-entries] [--workers <n>]
 *   fsp verify <savepoint> [--operator <uid|id>] [--state <name>] [--workers <n>] [--json]
 *   fsp uid <uid>
 *   fsp lint …            (engine/cli/lint.ts)
 *
 * Exit codes: 0 ok, 1 errors, 2 bad arguments, 3 (verify) nothing wrong found but some state is not
 * decodable by this reader. `main` runs in-process for tests.
 */
import { availableParallelism } from 'node:os';
import { isMainThread, workerData } from 'node:worker_threads';
import { SavepointFormatError } from '../savepoint/errors';
import { toHex } from '../savepoint/io';
import { filesCheckText, sizeText } from '../savepoint/report';
import { KeyGroupPool, runKeyGroupWorker, WORKER_FLAG } from '../savepoint/parallel';
import { runWriteCommand, WRITE_USAGE } from './write-commands';
import { describeHandles, dumpChunks, findOperator, listStates, openSavepoint, operatorIdFromUid, readableKeyedBytes, Savepoint, StateInfo, verify as verifySavepoint } from '../savepoint/index';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** working directory for commands that resolve relative paths (lint); defaults to process.cwd() */
  cwd?: string;
  /** resolves when stdout can take more output (backpressure for long dumps) */
  drain?: () => Promise<void>;
  /** UTF-8 output as bytes (whole lines); without it, bytes are decoded and given to `stdout` */
  stdoutBytes?(bytes: Uint8Array): void;
  /** a one-line status for long work (a terminal's stderr only); '' clears it */
  progress?(text: string): void;
}

let stdoutFull = false;
export const processIo: CliIo = {
  stdout: (t) => {
    if (!process.stdout.write(t)) stdoutFull = true;
  },
  stdoutBytes: (b) => {
    if (!process.stdout.write(b)) stdoutFull = true;
  },
  stderr: (t) => void process.stderr.write(t),
  progress: process.stderr.isTTY ? (t) => void process.stderr.write(`\r${t}\x1b[K`) : undefined,
  drain: () => {
    if (!stdoutFull) return Promise.resolve();
    return new Promise((resolve) => {
      process.stdout.once('drain', () => {
        stdoutFull = false;
        resolve();
      });
    });
  },
};

const USAGE = `usage:
  fsp inspect <savepoint> [--json]
  fsp dump <savepoint> [--operator <uid|id>] [--state <name>] [--key <value> | --no-entries] [--workers <n>]
  fsp verify <savepoint> [--operator <uid|id>] [--state <name>] [--workers <n>] [--json]
      (--workers: key groups decoded on n worker threads; 1: on the main thread)
  fsp uid <uid>
  fsp lint [args…]
  fsp diff <savepoint A> <savepoint B> [--entries] [--max-entries <n>] [--json]
${WRITE_USAGE}`;

class UsageError extends Error {
  constructor(
    message: string,
    /** append the "(see fsp --help)" hint */
    readonly hint = true,
  ) {
    super(message);
  }
}

interface Parsed {
  positional: string[];
  flags: Map<string, string | true>;
}

function parseArgs(args: string[], valued: string[], booleans: string[]): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      if (valued.includes(name)) {
        let v: string | undefined;
        if (eq >= 0) v = a.slice(eq + 1);
        else if (i + 1 < args.length) v = args[++i];
        if (v === undefined) throw new UsageError(`--${name} needs a value`);
        if (flags.has(name)) throw new UsageError(`--${name} given twice`);
        flags.set(name, v);
      } else if (booleans.includes(name) && eq < 0) {
        flags.set(name, true);
      } else {
        throw new UsageError(`unknown option ${a}`);
      }
    } else {
      positional.push(a);
    }
  }
  return { positional, flags };
}

/**
 * Buffers stdout into chunks of about 1 MiB: lines (strings) are collected and written as one text,
 * byte chunks written as they come (after the pending text). Returns a promise when stdout asks to
 * wait (backpressure).
 */
function bufferedOut(io: CliIo): { lines(batch: string[]): Promise<void> | undefined; bytes(b: Uint8Array): Promise<void> | undefined; flush(): void } {
  const CHUNK = 1 << 20;
  let buf: string[] = [];
  let size = 0;
  const utf8 = new TextDecoder();
  return {
    lines(batch: string[]) {
      for (const l of batch) {
        buf.push(l, '\n');
        size += l.length + 1;
      }
      if (size >= CHUNK) {
        this.flush();
        return io.drain?.();
      }
      return undefined;
    },
    bytes(b: Uint8Array) {
      this.flush();
      if (io.stdoutBytes) io.stdoutBytes(b);
      else io.stdout(utf8.decode(b));
      return io.drain?.();
    },
    flush() {
      if (buf.length) io.stdout(buf.join(''));
      buf = [];
      size = 0;
    },
  };
}

const fmtSize = (n: number) => sizeText(n, true);

function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd()).join('\n') + '\n';
}

/**
 * `inspect --json`'s FLIP-27 source members of an operator: `sourceSplits` (each SourceReaderState
 * element, decoded where its layout is known, else its bytes) and `sourceEnumerator` (the decoded
 * enumerator checkpoint of its coordinator state); none for other operators.
 */
async function sourceStateJson(sp: Savepoint, opId: string, states: StateInfo[] | { error: string } | undefined): Promise<Record<string, unknown>> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const splits = require('../savepoint/splits') as typeof import('../savepoint/splits');
  const out: Record<string, unknown> = {};
  if (Array.isArray(states) && states.some((x) => x.name === splits.SOURCE_READER_STATE)) {
    try {
      const els = await splits.describeSourceSplits(sp, opId);
      if (els) {
        out.sourceSplits = els.map((e) => ({
          subtask: e.subtask,
          index: e.index,
          ...(e.split ? { split: e.split } : { hex: toHex(e.bytes) }),
          ...(e.error ? { error: e.error } : {}),
        }));
      }
    } catch (e) {
      out.sourceSplits = { error: e instanceof Error ? e.message : String(e) };
    }
  }
  const coordinator = splits.describeSourceCoordinator(sp, opId);
  if (coordinator?.state) out.sourceEnumerator = coordinator.state;
  return out;
}

async function inspect(args: string[], io: CliIo): Promise<number> {
  const p = parseArgs(args, [], ['json']);
  if (p.positional.length !== 1) throw new UsageError('inspect needs exactly one savepoint path');
  const sp = await openSavepoint(p.positional[0]);
  const states = new Map<string, StateInfo[] | { error: string }>();
  let failed = false;
  for (const o of sp.operators) {
    try {
      states.set(o.id, await listStates(sp, o.id));
    } catch (e) {
      failed = true;
      states.set(o.id, { error: e instanceof Error ? e.message : String(e) });
    }
  }
  if (p.flags.has('json')) {
    const operators: Record<string, unknown>[] = [];
    for (const o of sp.operators) {
      const st = states.get(o.id);
      operators.push({ ...o, states: st, handles: describeHandles(sp, o.id), ...(await sourceStateJson(sp, o.id, st)) });
    }
    const out = {
      path: sp.metadataPath,
      version: sp.version,
      checkpointId: sp.checkpointId.toString(),
      format: sp.format,
      snapshotType: sp.snapshotType,
      totalSize: sp.totalSize,
      operators,
    };
    // 64-bit fields of decoded splits are bigints: written as decimal strings, like checkpointId
    io.stdout(JSON.stringify(out, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n');
    return failed ? 1 : 0;
  }
  let s = `${sp.metadataPath}\n`;
  s += `metadata version ${sp.version}, checkpoint ${sp.checkpointId}`;
  if (sp.snapshotType) s += `, ${sp.snapshotType}`;
  if (sp.format) s += ` (${sp.format})`;
  s += `, ${sp.operators.length} operator${sp.operators.length === 1 ? '' : 's'}, ${fmtSize(sp.totalSize)}\n`;
  for (const o of sp.operators) {
    s += `\noperator ${o.id}`;
    if (o.uid) s += `  uid ${JSON.stringify(o.uid)}`;
    if (o.name) s += `  name ${JSON.stringify(o.name)}`;
    s += `\n  parallelism ${o.parallelism}/${o.maxParallelism}, ${o.subtaskCount} subtask state${o.subtaskCount === 1 ? '' : 's'}`;
    if (o.finished) s += ', finished';
    if (o.coordinatorBytes !== undefined) s += `, coordinator ${fmtSize(o.coordinatorBytes)}`;
    s += `, ${fmtSize(o.size)}\n`;
    const st = states.get(o.id);
    if (st && 'error' in st) s += `  error: ${st.error}\n`;
    else if (st && st.length) {
      const rows = [['state', 'backend', 'kind', 'key', 'namespace', 'value']];
      for (const x of st) {
        rows.push([
          x.name,
          x.backend,
          x.kind,
          x.keyType ?? '',
          x.namespaceType ?? '',
          x.userKeyType ? `${x.userKeyType} -> ${x.valueType ?? ''}` : (x.valueType ?? ''),
        ]);
      }
      s += table(rows).replace(/^(?=.)/gm, '  ');
    }
    // FLIP-27 split state, decoded where the split layout is known (engine/savepoint/splits.ts)
    if (st && !('error' in st) && st.some((x) => x.name === 'SourceReaderState')) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { sourceSplitLines } = require('../savepoint/splits') as typeof import('../savepoint/splits');
      const lines = await sourceSplitLines(sp, o.id).catch((e: unknown) => [`SourceReaderState: not read (${e instanceof Error ? e.message : String(e)})`]);
      for (const l of lines) s += `  ${l}\n`;
    }
    for (const h of describeHandles(sp, o.id)) {
      if (h.reason === undefined) continue;
      s += `  subtask ${h.subtask} ${h.slot}: ${h.handle} handle (type ${h.type}, ${fmtSize(h.size)}): ${h.reason}\n`;
    }
  }
  io.stdout(s);
  return failed ? 1 : 0;
}

async function dump(args: string[], io: CliIo): Promise<number> {
  const p = parseArgs(args, ['operator', 'state', 'key', 'workers'], ['no-entries']);
  if (p.positional.length !== 1) throw new UsageError('dump needs exactly one savepoint path');
  const opt = (k: string) => {
    const v = p.flags.get(k);
    return typeof v === 'string' ? v : undefined;
  };
  const noEntries = p.flags.has('no-entries');
  if (noEntries && opt('key') !== undefined) throw new UsageError('--key and --no-entries exclude each other');
  const sp: Savepoint = await openSavepoint(p.positional[0]);
  const operator = opt('operator');
  // a filter that matches nothing is a bad argument (exit 2, nothing on stdout), like engine.jar dump
  if (operator !== undefined && !findOperator(sp, operator)) throw new UsageError(`no operator matches ${operator}`, false);
  const workers = workersOption(opt('workers'));
  const threads = noEntries || opt('key') !== undefined ? 1 : keyGroupThreads(sp, operator, workers);
  const pool = threads > 1 ? new KeyGroupPool(__filename, sp.metadataPath, threads) : undefined;
  const out = bufferedOut(io);
  const counts = { errors: 0 };
  try {
    for await (const chunk of dumpChunks(sp, { operator, state: opt('state'), key: opt('key'), noEntries, renderer: pool }, counts)) {
      const wait = Array.isArray(chunk) ? out.lines(chunk) : out.bytes(chunk);
      if (wait) await wait;
    }
  } finally {
    out.flush();
    await pool?.close();
  }
  return counts.errors ? 1 : 0;
}

function workersOption(arg: string | undefined): number | undefined {
  if (arg === undefined) return undefined;
  const workers = Number(arg);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new UsageError('--workers needs a whole number from 1 to 64');
  return workers;
}

/**
 * `fsp verify`: decodes every entry and element (as `fsp dump` would, without sorting or writing
 * them) and prints per state the entries, bytes and the fullest key group, then the handles that
 * are bad (exit 1) or that this reader cannot decode (exit 3 when nothing is bad).
 */
async function verifyCommand(args: string[], io: CliIo): Promise<number> {
  const p = parseArgs(args, ['operator', 'state', 'workers'], ['json']);
  if (p.positional.length !== 1) throw new UsageError('verify needs exactly one savepoint path');
  const opt = (k: string) => {
    const v = p.flags.get(k);
    return typeof v === 'string' ? v : undefined;
  };
  const sp = await openSavepoint(p.positional[0]);
  const operator = opt('operator');
  if (operator !== undefined && !findOperator(sp, operator)) throw new UsageError(`no operator matches ${operator}`, false);
  const state = opt('state');
  if (state !== undefined) {
    const ops = operator !== undefined ? [findOperator(sp, operator)!.id] : sp.operators.map((o) => o.id);
    let known = false;
    for (const id of ops) known ||= (await listStates(sp, id).catch(() => [])).some((s) => s.name === state);
    if (!known) throw new UsageError(`no state ${JSON.stringify(state)}${operator !== undefined ? ` in operator ${operator}` : ''}`, false);
  }
  // key groups decoded on worker threads (one thread: this one). Nothing is written, so a worker
  // costs only its isolate: threads on two cores too
  const threads = keyGroupThreads(sp, operator, workersOption(opt('workers')), false);
  const pool = threads > 1 ? new KeyGroupPool(__filename, sp.metadataPath, threads) : undefined;
  let report;
  try {
    let shown = -1;
    const progress = io.progress;
    report = await verifySavepoint(sp, {
      operator,
      state,
      verifier: pool,
      progress: progress
        ? (done, total) => {
            const pct = total > 0 ? Math.floor((100 * done) / total) : 100;
            if (pct !== shown) progress(`verifying: ${pct}% of ${fmtSize(total)} of keyed state`);
            shown = pct;
          }
        : undefined,
    });
  } finally {
    if (io.progress) io.progress('');
    await pool?.close();
  }
  const code = report.errors.length ? 1 : report.notVerified.length ? 3 : 0;
  if (p.flags.has('json')) {
    io.stdout(JSON.stringify(report, null, 2) + '\n');
    return code;
  }
  const n = (x: number) => x.toLocaleString('en-US');
  let s = `${sp.metadataPath}\n`;
  const stateCount = report.states.length;
  s += `${report.errors.length ? 'FAILED' : 'ok'}: ${n(report.entries)} entries of ${stateCount} state${stateCount === 1 ? '' : 's'} decoded (${fmtSize(report.storedBytes)} of keyed state)`;
  if (report.errors.length) s += `, ${report.errors.length} bad handle${report.errors.length === 1 ? '' : 's'}`;
  if (report.notVerified.length) s += `, ${report.notVerified.length} handle${report.notVerified.length === 1 ? '' : 's'} not decodable here`;
  s += '\n';
  for (const o of sp.operators) {
    const states = report.states.filter((x) => x.operator === o.id);
    if (!states.length) continue;
    s += `\noperator ${o.id}`;
    if (o.uid) s += `  uid ${JSON.stringify(o.uid)}`;
    if (o.name) s += `  name ${JSON.stringify(o.name)}`;
    s += '\n';
    const rows = [['state', 'kind', 'entries', 'bytes', 'key groups', 'fullest key group']];
    for (const x of states) {
      const kg = x.largestKeyGroup;
      rows.push([
        x.state,
        x.kind,
        n(x.entries),
        x.bytes !== undefined ? fmtSize(x.bytes) : '',
        x.keyGroups !== undefined ? n(x.keyGroups) : '',
        kg ? `${kg.keyGroup}: ${n(kg.entries)} ${kg.entries === 1 ? 'entry' : 'entries'}, ${fmtSize(kg.bytes)}` : '',
      ]);
    }
    s += table(rows).replace(/^(?=.)/gm, '  ');
  }
  if (report.errors.length) {
    s += '\nbad handles:\n';
    for (const e of report.errors) s += `  operator ${e.operator} subtask ${e.subtask} ${e.slot}: ${e.message}\n`;
  }
  if (report.notVerified.length) {
    s += '\nnot decodable by this reader (not verified):\n';
    for (const e of report.notVerified) s += `  operator ${e.operator} subtask ${e.subtask} ${e.slot}: ${e.handle} handle: ${e.reason}${e.files ? `; ${filesCheckText(e.files)}` : ''}\n`;
  }
  io.stdout(s);
  return code;
}

/** Keyed state below this size is dumped on the main thread: starting workers would cost more. */
const PARALLEL_DUMP_MIN_BYTES = 32 * 1024 * 1024;

/**
 * Threads for rendering (dump) or decoding (verify) key groups: `--workers` if given, else one per
 * core (at most 4) once the readable keyed state is large; for the dump only above two cores.
 * Worker threads run this file, so only as the bundled CLI (dist/fsp.js); in-process (tests
 * through tsx) the work stays on the calling thread.
 */
function keyGroupThreads(sp: Savepoint, operator: string | undefined, requested: number | undefined, oneOnTwoCores = true): number {
  if (!/^fsp\.c?js$/.test(__filename.split(/[\\/]/).pop() ?? '')) return 1;
  if (requested !== undefined) return requested;
  if (readableKeyedBytes(sp, operator) < PARALLEL_DUMP_MIN_BYTES) return 1;
  // each worker thread is another V8 isolate (~70 MB): on two cores one thread stays within 200 MB
  // (measured: 2 workers are ~1.5x faster at ~215 MB peak, see bench/RESULTS-reader.md)
  const cores = availableParallelism();
  return cores <= 2 && oneOnTwoCores ? 1 : Math.min(4, cores);
}

function uid(args: string[], io: CliIo): number {
  const p = parseArgs(args, [], []);
  if (p.positional.length !== 1) throw new UsageError('uid needs exactly one uid');
  io.stdout(operatorIdFromUid(p.positional[0]) + '\n');
  return 0;
}

async function lint(args: string[], io: CliIo): Promise<number> {
  let mod: { lintCommand?: (args: string[], io: CliIo & { cwd: string }) => Promise<number> | number };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require('./lint');
  } catch (e) {
    io.stderr('fsp: lint is not available in this build\n');
    return 1;
  }
  if (typeof mod.lintCommand !== 'function') {
    io.stderr('fsp: lint is not available in this build\n');
    return 1;
  }
  return await mod.lintCommand(args, { stdout: (t) => io.stdout(t), stderr: (t) => io.stderr(t), cwd: io.cwd ?? process.cwd() });
}

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'inspect':
        return await inspect(rest, io);
      case 'dump':
        return await dump(rest, io);
      case 'verify':
        return await verifyCommand(rest, io);
      case 'uid':
        return uid(rest, io);
      case 'diff':
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        return await (require('./diff') as typeof import('./diff')).diffCommand(rest, io);
      case 'lint':
        return await lint(rest, io);
      case 'bootstrap':
      case 'edit':
      case 'remove-operator':
      case 'set-uid':
        return await runWriteCommand(cmd, rest, io);
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        (cmd === undefined ? io.stderr : io.stdout)(USAGE);
        return cmd === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${cmd}`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`fsp: ${e.message}${e.hint ? ' (see fsp --help)' : ''}\n`);
      return 2;
    }
    if (e instanceof SavepointFormatError) {
      io.stderr(`fsp: ${e.message}\n`);
      return 1;
    }
    io.stderr(`fsp: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

if (!isMainThread && (workerData as Record<string, unknown> | undefined)?.[WORKER_FLAG]) {
  // a key-group rendering thread of `fsp dump` (engine/savepoint/parallel.ts)
  runKeyGroupWorker();
} else if (require.main === module) {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    // the reader went away (e.g. `fsp dump … | head`): stop quietly
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`fsp: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
