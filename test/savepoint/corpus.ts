/** Helpers to enumerate the conformance corpus under test/fixtures/savepoints/<flink>/<case>/. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { strict as assert } from 'node:assert';
import { KeyGroupsHandle, parseMetadata } from '../../engine/savepoint/metadata';
import { parseKeyedFile } from '../../engine/savepoint/write/keyed-file';

export const CORPUS_ROOT = path.resolve(__dirname, '../fixtures/savepoints');

export interface CorpusCase {
  /** e.g. "flink-1.20.3/heap-value" */
  name: string;
  dir: string;
  savepoint: string;
  dumpFile?: string;
  caseJson?: string;
}

export function corpusCases(): CorpusCase[] {
  const out: CorpusCase[] = [];
  if (!fs.existsSync(CORPUS_ROOT)) return out;
  for (const flink of fs.readdirSync(CORPUS_ROOT).sort()) {
    const fdir = path.join(CORPUS_ROOT, flink);
    if (!fs.statSync(fdir).isDirectory()) continue;
    for (const c of fs.readdirSync(fdir).sort()) {
      const dir = path.join(fdir, c);
      if (!fs.statSync(dir).isDirectory()) continue;
      const savepoint = path.join(dir, 'savepoint');
      if (!fs.existsSync(path.join(savepoint, '_metadata'))) continue;
      const dumpFile = path.join(dir, 'dump.jsonl');
      const caseJson = path.join(dir, 'case.json');
      out.push({
        name: `${flink}/${c}`,
        dir,
        savepoint,
        dumpFile: fs.existsSync(dumpFile) ? dumpFile : undefined,
        caseJson: fs.existsSync(caseJson) ? caseJson : undefined,
      });
    }
  }
  return out;
}

/** The Flink version of a corpus folder name ("flink-1.20.3" -> "1.20.3"). */
function folderFlinkVersion(c: CorpusCase): string {
  return c.name.split('/')[0].replace(/^flink-/, '');
}

/**
 * The Flink whose `engine.jar dump` wrote the case's dump.jsonl: case.json's `oracleFlinkVersion`
 * (savepoints written by older releases, read by the current engine of their line), else the Flink
 * that wrote the savepoint (the folder's version).
 */
export function oracleFlinkVersion(c: CorpusCase): string {
  if (c.caseJson) {
    const j = JSON.parse(fs.readFileSync(c.caseJson, 'utf8')) as { oracleFlinkVersion?: unknown };
    if (typeof j.oracleFlinkVersion === 'string' && j.oracleFlinkVersion) return j.oracleFlinkVersion;
  }
  return folderFlinkVersion(c);
}

/**
 * True for a retained checkpoint rather than a savepoint (case.json `"checkpoint": true`, engine/runtime's
 * CheckpointCase): its keyed state is in a checkpoint layout (key-group or incremental RocksDB handles) that
 * the reader lists but does not decode, and its trailer says "Checkpoint" without a savepoint format.
 */
export function isCheckpointCase(c: CorpusCase): boolean {
  if (!c.caseJson) return false;
  return (JSON.parse(fs.readFileSync(c.caseJson, 'utf8')) as { checkpoint?: unknown }).checkpoint === true;
}

/** True when another Flink than the one that wrote the savepoint produced its dump.jsonl (`npm run corpus:legacy`). */
export function isLegacyCase(c: CorpusCase): boolean {
  return oracleFlinkVersion(c) !== folderFlinkVersion(c);
}

/** Collects a CLI run's output in memory. */
export function memoryIo(): { io: { stdout(t: string): void; stderr(t: string): void }; out: () => string; err: () => string } {
  const o: string[] = [];
  const e: string[] = [];
  return {
    io: { stdout: (t) => void o.push(t), stderr: (t) => void e.push(t) },
    out: () => o.join(''),
    err: () => e.join(''),
  };
}

/** True when the dump has keyed entries whose key type is String, Long or Integer (lookups and key groups are checkable). */
export function hasPlainKeyEntries(lines: string[]): boolean {
  const plain = new Set<string>();
  for (const l of lines) {
    if (!l.startsWith('{"type":"state"')) continue;
    const s = JSON.parse(l) as { operator: string; name: string; key?: string; backend: string };
    if (s.backend === 'KEY_VALUE' && (s.key === 'String' || s.key === 'Long' || s.key === 'Integer')) plain.add(`${s.operator}/${s.name}`);
  }
  const entry = /^\{"type":"entry","operator":"([0-9a-f]{32})","state":("(?:[^"\\]|\\.)*")/;
  return lines.some((l) => {
    const m = entry.exec(l);
    return m !== null && plain.has(`${m[1]}/${JSON.parse(m[2]) as string}`);
  });
}

/**
 * The keyed backend header (key serializer, states and their serializer snapshots) of subtask 0's
 * keyed handle of one operator of a corpus savepoint; fails with a regeneration hint when the case
 * is missing.
 */
export function corpusKeyedHeader(savepoint: string, operator: string, regenerate: string): ReturnType<typeof parseKeyedFile> {
  const metaFile = path.join(savepoint, '_metadata');
  assert.ok(fs.existsSync(metaFile), `no corpus case at ${path.dirname(savepoint)}: ${regenerate}`);
  const meta = parseMetadata(new Uint8Array(fs.readFileSync(metaFile)), metaFile);
  const op = meta.operators.find((o) => o.id === operator);
  assert.ok(op, `operator ${operator}`);
  const h = op.subtasks.map((s) => s.managedKeyed).find((x): x is KeyGroupsHandle => !!x && x.type === 7);
  assert.ok(h, 'a keyed-state handle');
  const d = h.data!;
  const buf = d.type === 1 ? d.data : new Uint8Array(fs.readFileSync((d as { path: string }).path));
  return parseKeyedFile(buf, 'keyed', h.start, h.offsets);
}

