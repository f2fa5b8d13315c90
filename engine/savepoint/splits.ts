/**
 * FLIP-27 source split state: the elements of a source operator's `SourceReaderState` (operator
 * ListState of byte[]), decoded for the sources the corpus runs.
 *
 * Flink's SourceOperator keeps the reader's splits in a SimpleVersionedListState, which stores every
 * split as `SimpleVersionedSerialization.writeVersionAndSerialize(splitSerializer, split)` (the byte[]
 * form, Flink 1.20 and 2.x alike):
 *
 *   i32 serializer version | i32 payload length | payload (what the split serializer wrote)
 *
 * The bytes never name the split class. A payload is decoded only when it has exactly the layout of
 * one known split serializer, every byte consumed and every field plausible; anything else is left
 * undecoded (undefined), never guessed at. Known layouts:
 *
 *   NumberSequenceSource.NumberSequenceSplit, serializer version 1 (flink-core, 1.20 and 2.x):
 *     writeUTF(splitId) | i64 from | i64 to        — `from` is the next number the reader emits
 *     (the reader stores its split updated to its iterator's position), `to` is inclusive, from <= to;
 *     the built-in enumerator names splits "1", "2", … (decimal), which is required here.
 *   CorpusSource.IdSplit (this project's corpus source), serializer version 1:
 *     i32 index | i32 stride | i64 emitted         — 0 <= index < stride, emitted >= 0.
 *
 * The two layouts cannot be confused: a NumberSequenceSplit payload has at least 19 bytes, an IdSplit
 * payload exactly 16.
 */
import { SavepointFormatError } from './errors';
import { ByteReader, decodeModifiedUtf8, encodeModifiedUtf8, fromHex } from './io';
import { entries, listStates, Savepoint } from './index';

/** The name of the state a FLIP-27 SourceOperator keeps its reader's splits in. */
export const SOURCE_READER_STATE = 'SourceReaderState';

const LONG_MIN = -(1n << 63n);
const LONG_MAX = (1n << 63n) - 1n;

export interface NumberSequenceSplit {
  source: 'NumberSequenceSource';
  type: 'NumberSequenceSplit';
  serializerVersion: 1;
  splitId: string;
  /** The next number the reader emits (the split's start as the reader last stored it). */
  from: bigint;
  /** The last number of the split, inclusive. */
  to: bigint;
}

export interface CorpusIdSplit {
  source: 'CorpusSource';
  type: 'IdSplit';
  serializerVersion: 1;
  /** "ids-<index>", as CorpusSource.IdSplit#splitId names it. */
  splitId: string;
  index: number;
  stride: number;
  /** Ids already emitted by this split. */
  emitted: bigint;
}

export type DecodedSplit = NumberSequenceSplit | CorpusIdSplit;

/** The SimpleVersionedSerialization framing of one SourceReaderState element. */
export interface SplitFrame {
  version: number;
  payload: Uint8Array;
}

/**
 * Reads the framing of one SourceReaderState element: 8 header bytes and a payload of exactly the
 * stated length (Flink's readVersionAndDeSerialize rejects conflicting lengths too).
 * Throws SavepointFormatError when the framing is broken.
 */
export function readSplitFrame(bytes: Uint8Array, file = `${SOURCE_READER_STATE} element`, base = 0): SplitFrame {
  const r = new ByteReader(bytes, file, base);
  const version = r.i32('the split serializer version');
  const at = r.offset;
  const n = r.i32('the split payload length');
  if (n < 0 || n !== r.remaining) r.fail(`a split payload length equal to the ${r.remaining} bytes that follow`, String(n), at);
  return { version, payload: r.bytes(n, 'the split payload') };
}

/**
 * Decodes one SourceReaderState element (the byte[] value). Undefined when the payload is not exactly
 * one of the known split layouts; SavepointFormatError when the version/length framing is broken.
 */
export function decodeSourceSplit(bytes: Uint8Array, file?: string, base = 0): DecodedSplit | undefined {
  const frame = readSplitFrame(bytes, file, base);
  if (frame.version !== 1) return undefined;
  return decodeNumberSequenceV1(frame.payload) ?? decodeCorpusIdSplitV1(frame.payload);
}

function decodeNumberSequenceV1(p: Uint8Array): NumberSequenceSplit | undefined {
  if (p.length < 2 + 1 + 16) return undefined;
  const n = (p[0] << 8) | p[1];
  if (2 + n + 16 !== p.length) return undefined;
  // the id as plain ASCII digits (a non-canonical encoding of a digit would not round-trip)
  if (n > 10 || p[2] === 0x30) return undefined;
  for (let i = 2; i < 2 + n; i++) if (p[i] < 0x30 || p[i] > 0x39) return undefined;
  const splitId = decodeModifiedUtf8(p, 2, 2 + n);
  if (splitId === undefined) return undefined;
  const r = new ByteReader(p, 'NumberSequenceSplit', 0, 2 + n);
  const from = r.i64('from');
  const to = r.i64('to');
  r.expectEnd('a NumberSequenceSplit');
  if (from > to) return undefined;
  return { source: 'NumberSequenceSource', type: 'NumberSequenceSplit', serializerVersion: 1, splitId, from, to };
}

function decodeCorpusIdSplitV1(p: Uint8Array): CorpusIdSplit | undefined {
  if (p.length !== 16) return undefined;
  const r = new ByteReader(p, 'CorpusSource.IdSplit');
  const index = r.i32('index');
  const stride = r.i32('stride');
  const emitted = r.i64('emitted');
  r.expectEnd('a CorpusSource.IdSplit');
  if (stride < 1 || index < 0 || index >= stride || emitted < 0n) return undefined;
  return { source: 'CorpusSource', type: 'IdSplit', serializerVersion: 1, splitId: `ids-${index}`, index, stride, emitted };
}

// ---------------------------------------------------------------------------------------------
// encoding (round trips in tests; the layouts above, byte for byte)

function frame(version: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + payload.length);
  const dv = new DataView(out.buffer);
  dv.setInt32(0, version);
  dv.setInt32(4, payload.length);
  out.set(payload, 8);
  return out;
}

function checkLong(v: bigint, what: string): void {
  if (v < LONG_MIN || v > LONG_MAX) throw new RangeError(`${what} ${v} is not a Java long`);
}

/** A framed SourceReaderState element holding a NumberSequenceSplit, as Flink writes it. */
export function encodeNumberSequenceSplit(s: { splitId: string; from: bigint; to: bigint }): Uint8Array {
  checkLong(s.from, 'from');
  checkLong(s.to, 'to');
  if (s.from > s.to) throw new RangeError(`from ${s.from} > to ${s.to}`);
  const id = encodeModifiedUtf8(s.splitId);
  if (id.length > 0xffff) throw new RangeError('split id longer than 65535 bytes in modified UTF-8');
  const p = new Uint8Array(2 + id.length + 16);
  const dv = new DataView(p.buffer);
  dv.setUint16(0, id.length);
  p.set(id, 2);
  dv.setBigInt64(2 + id.length, s.from);
  dv.setBigInt64(2 + id.length + 8, s.to);
  return frame(1, p);
}

/** A framed SourceReaderState element holding a CorpusSource.IdSplit. */
export function encodeCorpusIdSplit(s: { index: number; stride: number; emitted: bigint }): Uint8Array {
  checkLong(s.emitted, 'emitted');
  const p = new Uint8Array(16);
  const dv = new DataView(p.buffer);
  dv.setInt32(0, s.index);
  dv.setInt32(4, s.stride);
  dv.setBigInt64(8, s.emitted);
  return frame(1, p);
}

// ---------------------------------------------------------------------------------------------
// a source operator's splits

export interface SourceSplitElement {
  subtask: number;
  index: number;
  bytes: Uint8Array;
  /** The decoded split; absent when the layout is not a known one (or the framing is broken). */
  split?: DecodedSplit;
  /** Why the element could not be read (broken framing). */
  error?: string;
}

/**
 * The SourceReaderState elements of an operator, each decoded where its layout is known. Undefined
 * when the operator has no SourceReaderState (not a FLIP-27 source, or one that finished).
 */
export async function describeSourceSplits(sp: Savepoint, opId: string): Promise<SourceSplitElement[] | undefined> {
  const states = await listStates(sp, opId);
  const st = states.find((s) => s.name === SOURCE_READER_STATE && s.backend === 'OPERATOR' && s.kind === 'LIST');
  if (!st || st.valueType !== 'byte[]') return undefined;
  const out: SourceSplitElement[] = [];
  for await (const e of entries(sp, opId, { state: SOURCE_READER_STATE })) {
    if (e.type !== 'element' || e.value === undefined) continue;
    const v = JSON.parse(e.value) as { $hex?: unknown };
    if (typeof v.$hex !== 'string') continue;
    const bytes = fromHex(v.$hex);
    const el: SourceSplitElement = { subtask: e.subtask, index: e.index ?? 0, bytes };
    try {
      const split = decodeSourceSplit(bytes, `${SOURCE_READER_STATE} of ${e.operator} subtask ${e.subtask} element ${el.index}`);
      if (split) el.split = split;
    } catch (err) {
      if (!(err instanceof SavepointFormatError)) throw err;
      el.error = err.message;
    }
    out.push(el);
  }
  return out;
}

/** One line per split, e.g. `[subtask 0] NumberSequenceSplit "1": next 157, to 4611686018427387903`. */
export function splitLine(e: SourceSplitElement): string {
  const head = `[subtask ${e.subtask}${e.index ? ` #${e.index}` : ''}]`;
  const s = e.split;
  if (!s) return `${head} ${e.error ? `unreadable: ${e.error}` : `not decoded (${e.bytes.length} bytes)`}`;
  if (s.type === 'NumberSequenceSplit') return `${head} NumberSequenceSplit ${JSON.stringify(s.splitId)}: next ${s.from}, to ${s.to}`;
  return `${head} CorpusSource split ${JSON.stringify(s.splitId)}: ids ${s.index} + k*${s.stride}, ${s.emitted} emitted`;
}

/** The lines `fsp inspect` prints under a source operator (empty when it has no split state). */
export async function sourceSplitLines(sp: Savepoint, opId: string): Promise<string[]> {
  const els = await describeSourceSplits(sp, opId);
  if (!els) return [];
  const decoded = els.filter((e) => e.split).length;
  const head = `${SOURCE_READER_STATE}: ${els.length} split${els.length === 1 ? '' : 's'}${decoded === els.length ? '' : ` (${decoded} decoded)`}`;
  return [head, ...els.map((e) => `  ${splitLine(e)}`)];
}
