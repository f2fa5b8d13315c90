/**
 * The writing subcommands of `fsp` (wired into fsp.ts by `runWriteCommand`; also runnable on its own:
 * `tsx engine/cli/write-commands.ts <command> …`):
 *
 *   fsp bootstrap --spec <spec.json> --out <dir> [--from <savepoint>] [--metadata-version 3|4|5|6]
 *   fsp edit <savepoint> --out <dir> --operator <uid|id> --state <name>
 *            (--set <key>=<json value> | --delete <key> | --ops <edits.jsonl>) [--metadata-version N]
 *   fsp remove-operator <savepoint> --operator <uid|id> --out <dir>
 *   fsp set-uid <savepoint> --operator <uid|id> --uid <new uid> --out <dir>
 *
 * A new savepoint is always written to a temporary folder next to --out and renamed when complete;
 * the source savepoint is never written to. Exit codes: 0 written, 1 error, 2 bad arguments; errors
 * are one line on stderr.
 */
import * as fs from 'node:fs';
import { SavepointFormatError } from '../savepoint/errors';
import { bootstrapSavepoint, SpecError } from '../savepoint/write/bootstrap';
import { EncodeError } from '../savepoint/write/encode';
import { addOperators, editState, EditOp, parseEditLine, removeOperator, setUid, loadSavepoint, findOperator } from '../savepoint/write/modify';
import { WriteError } from '../savepoint/write/output';
import { TypeDescError } from '../savepoint/write/types';
import { KEYED_PROXY_VERSION, parseKeyedFile } from '../savepoint/write/keyed-file';

export interface WriteIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

const defaultIo: WriteIo = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
};

export const WRITE_USAGE = `  fsp bootstrap --spec <spec.json> --out <dir> [--from <savepoint>] [--metadata-version 3|4|5|6]
  fsp edit <savepoint> --out <dir> --operator <uid|id> --state <name> (--set <key>=<json> | --delete <key> | --ops <edits.jsonl>)
  fsp remove-operator <savepoint> --operator <uid|id> --out <dir>
  fsp set-uid <savepoint> --operator <uid|id> --uid <new uid> --out <dir>
`;

export const WRITE_COMMANDS = ['bootstrap', 'edit', 'remove-operator', 'set-uid'] as const;

class Usage extends Error {}

function parse(args: string[], valued: string[]): { positional: string[]; flags: Map<string, string> } {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      if (!valued.includes(name)) throw new Usage(`unknown option ${a}`);
      const v = eq >= 0 ? a.slice(eq + 1) : args[++i];
      if (v === undefined) throw new Usage(`--${name} needs a value`);
      if (flags.has(name)) throw new Usage(`--${name} given twice`);
      flags.set(name, v);
    } else positional.push(a);
  }
  return { positional, flags };
}

function need(flags: Map<string, string>, name: string): string {
  const v = flags.get(name);
  if (v === undefined || v === '') throw new Usage(`--${name} is required`);
  return v;
}

function metadataVersion(flags: Map<string, string>): number | undefined {
  const v = flags.get('metadata-version');
  if (v === undefined) return undefined;
  const n = Number(v);
  if (![3, 4, 5, 6].includes(n)) throw new Usage('--metadata-version must be 3, 4, 5 or 6');
  return n;
}

function written(io: WriteIo, p: string, extra: Record<string, unknown> = {}): void {
  io.stdout(JSON.stringify({ event: 'written', path: p, ...extra }) + '\n');
}

function bootstrap(args: string[], io: WriteIo): number {
  const { positional, flags } = parse(args, ['spec', 'out', 'from', 'metadata-version']);
  if (positional.length) throw new Usage(`unexpected argument ${positional[0]}`);
  const spec = need(flags, 'spec');
  const out = need(flags, 'out');
  const mv = metadataVersion(flags);
  if (!fs.existsSync(spec)) throw new WriteError(`spec file not found: ${spec}`);
  const from = flags.get('from');
  if (from) {
    written(io, addOperators(from, spec, out, { metadataVersion: mv }));
    return 0;
  }
  if (mv !== undefined) throw new Usage('--metadata-version applies with --from; in a spec, set "metadataVersion"');
  written(io, bootstrapSavepoint(spec, out).path);
  return 0;
}

/** The key of `--set`/`--delete`: JSON, except that a String key may be given bare. */
function parseKeyText(text: string, stringKey: boolean): unknown {
  if (stringKey) {
    if (text.startsWith('"')) {
      try {
        const v = JSON.parse(text);
        if (typeof v === 'string') return v;
      } catch {
        /* a bare string that starts with a quote */
      }
    }
    return text;
  }
  try {
    return JSON.parse(text);
  } catch {
    // not JSON: the bare text (a String key of broadcast state, say); the key's encoder checks it
    return text;
  }
}

function isStringKeyed(savepoint: string, operator: string): boolean {
  try {
    const sp = loadSavepoint(savepoint);
    const op = findOperator(sp, operator);
    for (const s of op.subtasks) {
      const h = s.managedKeyed;
      if (h && h.type === 7 && 'data' in h && h.data && (h.data.type === 6 || h.data.type === 1)) {
        const buf = h.data.type === 1 ? h.data.data : new Uint8Array(fs.readFileSync(h.data.path));
        if (new DataView(buf.buffer, buf.byteOffset).getInt32(0) !== KEYED_PROXY_VERSION) return false;
        return parseKeyedFile(buf, 'header', h.start, []).keySerializer.kind === 'string';
      }
    }
  } catch {
    /* errors surface in the edit itself */
  }
  return false;
}

function edit(args: string[], io: WriteIo): number {
  const { positional, flags } = parse(args, ['out', 'operator', 'state', 'set', 'delete', 'ops', 'metadata-version']);
  if (positional.length !== 1) throw new Usage('edit needs exactly one savepoint path');
  const source = positional[0];
  const out = need(flags, 'out');
  const operator = need(flags, 'operator');
  const state = need(flags, 'state');
  const given = ['set', 'delete', 'ops'].filter((f) => flags.has(f));
  if (given.length !== 1) throw new Usage('give exactly one of --set <key>=<json>, --delete <key>, --ops <edits.jsonl>');
  let edits: EditOp[];
  if (flags.has('ops')) {
    const file = flags.get('ops')!;
    if (!fs.existsSync(file)) throw new WriteError(`edits file not found: ${file}`);
    edits = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .map((l, i) => [l.trim(), i + 1] as const)
      .filter(([l]) => l !== '')
      .map(([l, n]) => parseEditLine(l, n));
    if (edits.length === 0) throw new WriteError(`no edits in ${file}`);
  } else {
    const stringKey = isStringKeyed(source, operator);
    if (flags.has('set')) {
      const s = flags.get('set')!;
      const eq = s.indexOf('=');
      if (eq < 0) throw new Usage('--set expects <key>=<json value>');
      let value: unknown;
      try {
        value = JSON.parse(s.slice(eq + 1));
      } catch {
        throw new Usage(`the value ${JSON.stringify(s.slice(eq + 1))} is not JSON (quote strings: --set 'alice="x"')`);
      }
      edits = [{ op: 'set', key: parseKeyText(s.slice(0, eq), stringKey), value }];
    } else {
      edits = [{ op: 'delete', key: parseKeyText(flags.get('delete')!, stringKey) }];
    }
  }
  const r = editState(source, operator, state, edits, out, { metadataVersion: metadataVersion(flags) });
  written(io, r.path, { changed: r.changed });
  return 0;
}

function removeOp(args: string[], io: WriteIo): number {
  const { positional, flags } = parse(args, ['out', 'operator', 'metadata-version']);
  if (positional.length !== 1) throw new Usage('remove-operator needs exactly one savepoint path');
  written(io, removeOperator(positional[0], need(flags, 'operator'), need(flags, 'out'), { metadataVersion: metadataVersion(flags) }));
  return 0;
}

function setUidCmd(args: string[], io: WriteIo): number {
  const { positional, flags } = parse(args, ['out', 'operator', 'uid', 'metadata-version']);
  if (positional.length !== 1) throw new Usage('set-uid needs exactly one savepoint path');
  written(io, setUid(positional[0], need(flags, 'operator'), need(flags, 'uid'), need(flags, 'out'), { metadataVersion: metadataVersion(flags) }));
  return 0;
}

/** Runs one writing subcommand; returns the exit code (0 written, 1 error, 2 bad arguments). */
export async function runWriteCommand(cmd: string, args: string[], io: WriteIo = defaultIo): Promise<number> {
  try {
    switch (cmd) {
      case 'bootstrap':
        return bootstrap(args, io);
      case 'edit':
        return edit(args, io);
      case 'remove-operator':
        return removeOp(args, io);
      case 'set-uid':
        return setUidCmd(args, io);
      default:
        throw new Usage(`unknown command ${cmd}`);
    }
  } catch (e) {
    if (e instanceof Usage) {
      io.stderr(`fsp ${cmd}: ${e.message}\n`);
      return 2;
    }
    if (e instanceof WriteError || e instanceof SpecError || e instanceof EncodeError || e instanceof TypeDescError || e instanceof SavepointFormatError) {
      io.stderr(`fsp ${cmd}: ${e.message.split('\n')[0]}\n`);
      return 1;
    }
    const err = e as NodeJS.ErrnoException;
    io.stderr(`fsp ${cmd}: ${err && err.message ? err.message.split('\n')[0] : String(e)}\n`);
    return 1;
  }
}

// Run directly (tsx engine/cli/write-commands.ts …) — but not when bundled into fsp.js, where `module` is the bundle's.
if (require.main === module && /write-commands\.[cm]?[tj]s$/.test(process.argv[1] ?? '')) {
  const [cmd, ...rest] = process.argv.slice(2);
  if (!cmd || cmd === '--help' || cmd === '-h') {
    (cmd ? process.stdout : process.stderr).write(`usage:\n${WRITE_USAGE}`);
    process.exitCode = cmd ? 0 : 2;
  } else {
    runWriteCommand(cmd, rest).then((code) => {
      process.exitCode = code;
    });
  }
}
