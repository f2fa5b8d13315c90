/**
 * Builds small synthetic savepoints for tests (badinput, fuzz, cli) independent of the corpus:
 * one keyed operator (String key, VALUE Long state, MAP String→String state, timers) and one
 * operator-state operator (list of Strings, broadcast String→Long), optionally Snappy-compressed.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ByteWriter } from '../../engine/savepoint/writer-io';
import { javaHashCode, keyGroupForHash, operatorIdFromUid } from '../../engine/savepoint/murmur';

const B = 'org.apache.flink.api.common.typeutils.base.';
export const SNAP = {
  string: `${B}StringSerializer$StringSerializerSnapshot`,
  long: `${B}LongSerializer$LongSerializerSnapshot`,
  voidNs: 'org.apache.flink.runtime.state.VoidNamespaceSerializer$VoidNamespaceSerializerSnapshot',
  map: `${B}MapSerializerSnapshot`,
  timer: 'org.apache.flink.streaming.api.operators.TimerSerializerSnapshot',
};

function simple(w: ByteWriter, cls: string): void {
  w.utf(cls).i32(3);
}

function composite(w: ByteWriter, cls: string, outerVersion: number, nested: string[]): void {
  w.utf(cls).i32(3).i32(911108).i32(outerVersion).i32(1333245).i32(1).i32(nested.length);
  for (const n of nested) simple(w, n);
}

function framed(w: ByteWriter, write: (w: ByteWriter) => void): void {
  w.i32(2);
  write(w);
}

/** Flink StringValue encoding. */
export function fstr(w: ByteWriter, s: string): void {
  const varint = (v: number) => {
    while (v >= 0x80) {
      w.u8((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    w.u8(v);
  };
  varint(s.length + 1);
  for (let i = 0; i < s.length; i++) varint(s.charCodeAt(i));
}

/** A literal-only raw Snappy block (valid, not compressing) split in frames of ≤ 65536 bytes. */
export function snappyFramed(data: Uint8Array, withStreamId = true): Uint8Array {
  const w = new ByteWriter();
  if (withStreamId) w.u8(0xff).u8(6).u8(0).u8(0).bytes(Uint8Array.from([0x73, 0x4e, 0x61, 0x50, 0x70, 0x59]));
  for (let off = 0; off < data.length || (off === 0 && data.length === 0); off += 65536) {
    const chunk = data.subarray(off, Math.min(data.length, off + 65536));
    const block = snappyCompress(chunk);
    const len = 4 + block.length;
    w.u8(0).u8(len & 0xff).u8((len >> 8) & 0xff).u8((len >> 16) & 0xff).i32(0).bytes(block);
    if (data.length === 0) break;
  }
  return w.toBytes();
}

/** A simple Snappy compressor (greedy 4-byte hash matches), enough to exercise copies. */
export function snappyCompress(src: Uint8Array): Uint8Array {
  const out: number[] = [];
  let n = src.length;
  do {
    out.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
    n = Math.floor(n / 128);
  } while (n > 0);
  const table = new Map<number, number>();
  let lit = 0;
  let i = 0;
  const emitLiteral = (from: number, to: number) => {
    let p = from;
    while (p < to) {
      const len = Math.min(to - p, 60);
      out.push((len - 1) << 2);
      for (let k = 0; k < len; k++) out.push(src[p + k]);
      p += len;
    }
  };
  while (i + 4 <= src.length) {
    const h = src[i] | (src[i + 1] << 8) | (src[i + 2] << 16) | (src[i + 3] << 24);
    const cand = table.get(h);
    table.set(h, i);
    if (cand !== undefined && i - cand <= 65535) {
      let len = 4;
      while (i + len < src.length && src[cand + len] === src[i + len] && len < 64) len++;
      emitLiteral(lit, i);
      const off = i - cand;
      out.push(((len - 1) << 2) | 2, off & 0xff, off >> 8);
      i += len;
      lit = i;
    } else {
      i++;
    }
  }
  emitLiteral(lit, src.length);
  return Uint8Array.from(out);
}

export interface BuiltSavepoint {
  dir: string;
  metadata: string;
  keyedFile: string;
  operatorFile: string;
  keyedOpId: string;
  listOpId: string;
  /** keys written to the keyed VALUE state */
  keys: string[];
  /** the expected dump lines for the keyed operator's VALUE entries */
  valueLines: string[];
}

export interface BuildOptions {
  compressed?: boolean;
  version?: number;
  relativeKeyedPath?: string;
  keys?: number;
}

const created: string[] = [];

/** A fresh temporary directory, removed by cleanupTemp(). */
export function tempDir(prefix = 'fsp-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/**
 * A copy of the savepoint folder `src` in a fresh temporary directory (removed by cleanupTemp()),
 * with its state files (all but `_metadata`), largest first: for damaging one.
 */
export function copyOfSavepoint(src: string, prefix = 'fsp-copy-'): { sp: string; files: string[] } {
  const sp = path.join(tempDir(prefix), 'savepoint');
  fs.cpSync(src, sp, { recursive: true });
  const files = fs.readdirSync(sp).filter((f) => f !== '_metadata').map((f) => path.join(sp, f));
  files.sort((a, b) => fs.statSync(b).size - fs.statSync(a).size);
  return { sp, files };
}

/** Removes every directory made by tempDir()/buildSavepoint(). */
export function cleanupTemp(): void {
  for (const d of created.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

export function buildSavepoint(opts: BuildOptions = {}): BuiltSavepoint {
  const dir = tempDir();
  const version = opts.version ?? 4;
  const compressed = !!opts.compressed;
  const maxPar = 128;
  const nKeys = opts.keys ?? 20;
  const keys = Array.from({ length: nKeys }, (_, i) => `key-${i}`);

  // ----- keyed state file
  const kw = new ByteWriter();
  kw.i32(6).bool(compressed);
  framed(kw, (w) => simple(w, SNAP.string));
  kw.i16(3);
  // state 0: VALUE Long
  kw.utf('count').i32(0).i32(1).utf('KEYED_STATE_TYPE').utf('VALUE').i32(2);
  kw.utf('VALUE_SERIALIZER');
  framed(kw, (w) => simple(w, SNAP.long));
  kw.utf('NAMESPACE_SERIALIZER');
  framed(kw, (w) => simple(w, SNAP.voidNs));
  // state 1: MAP String -> String
  kw.utf('attrs').i32(0).i32(1).utf('KEYED_STATE_TYPE').utf('MAP').i32(2);
  kw.utf('VALUE_SERIALIZER');
  framed(kw, (w) => composite(w, SNAP.map, 1, [SNAP.string, SNAP.string]));
  kw.utf('NAMESPACE_SERIALIZER');
  framed(kw, (w) => simple(w, SNAP.voidNs));
  // state 2: timers
  kw.utf('_timer_state/event_user-timers').i32(3).i32(0).i32(1);
  kw.utf('VALUE_SERIALIZER');
  framed(kw, (w) => composite(w, SNAP.timer, 2, [SNAP.string, SNAP.voidNs]));
  const headerEnd = kw.length;

  const byKg = new Map<number, string[]>();
  for (const k of keys) {
    const kg = keyGroupForHash(javaHashCode(k, 'String'), maxPar);
    if (!byKg.has(kg)) byKg.set(kg, []);
    byKg.get(kg)!.push(k);
  }
  const offsets = new Array<number>(maxPar).fill(0);
  const body = new ByteWriter();
  let pos = headerEnd;
  const valueLines: string[] = [];
  const keyedOpId = operatorIdFromUid('keyed');
  for (const kg of [...byKg.keys()].sort((a, b) => a - b)) {
    const ks = byKg.get(kg)!;
    const sec = new ByteWriter();
    const entry = (stateKey: Uint8Array, value: Uint8Array, last: boolean) => {
      const k = Uint8Array.from(stateKey);
      if (last) k[0] |= 0x80;
      sec.lenBytes(k).lenBytes(value);
    };
    const composite0 = (k: string, extra?: (w: ByteWriter) => void) => {
      const w = new ByteWriter();
      w.u8(kg);
      fstr(w, k);
      w.u8(0); // VoidNamespace
      extra?.(w);
      return w.toBytes();
    };
    sec.u16(0);
    ks.forEach((k, i) => {
      entry(composite0(k), new ByteWriter().i64(BigInt(k.length * 1000 + i)).toBytes(), i === ks.length - 1);
    });
    sec.u16(1);
    ks.forEach((k, i) => {
      const v = new ByteWriter().bool(false);
      fstr(v, `v-${k}`);
      entry(composite0(k, (w) => fstr(w, 'a')), v.toBytes(), i === ks.length - 1);
    });
    sec.u16(2);
    ks.forEach((k, i) => {
      const w = new ByteWriter();
      w.u8(kg).i64(BigInt(1000 + i) ^ -0x8000000000000000n);
      fstr(w, k);
      w.u8(0);
      entry(w.toBytes(), new Uint8Array(0), i === ks.length - 1);
    });
    sec.u16(0xffff);
    const bytes = compressed ? snappyFramed(sec.toBytes()) : sec.toBytes();
    offsets[kg] = pos;
    body.bytes(bytes);
    pos += bytes.length;
  }
  const keyedBytes = new Uint8Array(headerEnd + body.length);
  keyedBytes.set(kw.toBytes(), 0);
  keyedBytes.set(body.toBytes(), headerEnd);
  const keyedName = 'aaaaaaaa-0000-4000-8000-000000000001';
  const keyedFile = path.join(dir, keyedName);
  fs.writeFileSync(keyedFile, keyedBytes);
  for (const kg of [...byKg.keys()].sort((a, b) => a - b)) {
    byKg.get(kg)!.forEach((k, i) => {
      valueLines.push(`{"type":"entry","operator":"${keyedOpId}","state":"count","keyGroup":${kg},"key":${JSON.stringify(k)},"value":${k.length * 1000 + i}}`);
    });
  }

  // ----- operator state file (v6): list "buffer" of Strings, broadcast "rules" String -> Long
  const ow = new ByteWriter();
  ow.i32(6).bool(compressed).i16(1);
  ow.utf('buffer').i32(1).i32(1).utf('OPERATOR_STATE_DISTRIBUTION_MODE').utf('SPLIT_DISTRIBUTE').i32(1).utf('VALUE_SERIALIZER');
  framed(ow, (w) => simple(w, SNAP.string));
  ow.i16(1);
  ow.utf('rules').i32(2).i32(1).utf('OPERATOR_STATE_DISTRIBUTION_MODE').utf('BROADCAST').i32(2);
  ow.utf('VALUE_SERIALIZER');
  framed(ow, (w) => simple(w, SNAP.long));
  ow.utf('KEY_SERIALIZER');
  framed(ow, (w) => simple(w, SNAP.string));
  if (compressed) ow.u8(0xff).u8(6).u8(0).u8(0).bytes(Uint8Array.from([0x73, 0x4e, 0x61, 0x50, 0x70, 0x59]));
  const listOffsets: number[] = [];
  for (const s of ['x', 'yy', 'zzz']) {
    listOffsets.push(ow.length);
    const e = new ByteWriter();
    fstr(e, s);
    ow.bytes(compressed ? snappyFramed(e.toBytes(), false) : e.toBytes());
  }
  const bcOffset = ow.length;
  const m = new ByteWriter().i32(2);
  fstr(m, 'r2');
  m.i64(2n);
  fstr(m, 'r1');
  m.i64(1n);
  ow.bytes(compressed ? snappyFramed(m.toBytes(), false) : m.toBytes());
  const operatorName = 'aaaaaaaa-0000-4000-8000-000000000002';
  const operatorFile = path.join(dir, operatorName);
  fs.writeFileSync(operatorFile, ow.toBytes());
  const opSize = ow.length;

  // ----- _metadata
  const mw = new ByteWriter();
  mw.i32(0x4960672d).i32(version).i64(7n).i32(0).i32(2);
  const listOpId = operatorIdFromUid('lister');
  const opHeader = (uid: string, id: string) => {
    if (version >= 5) mw.utf(uid === 'keyed' ? 'Keyed Map' : 'Lister').utf(uid);
    for (let i = 0; i < 16; i++) mw.u8(parseInt(id.slice(2 * i, 2 * i + 2), 16));
  };
  // keyed operator: parallelism 1, max 128
  opHeader('keyed', keyedOpId);
  mw.i32(1).i32(maxPar).u8(0).i32(1).i32(0);
  mw.i32(0).i32(0); // no operator state
  mw.u8(7).i32(0).i32(maxPar);
  for (const o of offsets) mw.i64(BigInt(o));
  mw.u8(6).utf(opts.relativeKeyedPath ?? keyedName).i64(BigInt(keyedBytes.length));
  mw.u8(0); // raw keyed
  mw.i32(0).i32(0);
  if (version >= 7) mw.u8(0);
  // list operator
  opHeader('lister', listOpId);
  mw.i32(1).i32(maxPar).u8(0).i32(1).i32(0);
  mw.i32(1).u8(4).i32(2);
  mw.utf('buffer').u8(0).i32(3);
  for (const o of listOffsets) mw.i64(BigInt(o));
  mw.utf('rules').u8(2).i32(1).i64(BigInt(bcOffset));
  mw.u8(6).utf(operatorName).i64(BigInt(opSize));
  mw.i32(0);
  mw.u8(0).u8(0);
  mw.i32(0).i32(0);
  if (version >= 7) mw.u8(0);
  if (version >= 4) mw.bytes(Uint8Array.from([0xac, 0xed, 0x00, 0x05, 0x70]));
  const metadata = path.join(dir, '_metadata');
  fs.writeFileSync(metadata, mw.toBytes());
  return { dir, metadata, keyedFile, operatorFile, keyedOpId, listOpId, keys, valueLines };
}
