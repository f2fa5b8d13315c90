/**
 * FLIP-27 source split state: the elements of a source operator's `SourceReaderState` (operator
 * ListState of byte[]), decoded for the sources the corpus runs, and the FileSource enumerator's
 * checkpoint (the source's operator-coordinator state in `_metadata`).
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
 *   FileSource's FileSourceSplit, FileSourceSplitSerializer version 1 (flink-connector-files, the same
 *   in 1.20 and 2.x):
 *     writeUTF(splitId) | path | i64 offset | i64 length | i64 fileModificationTime | i64 fileSize |
 *     i32 n | n × writeUTF(hostname) | bool hasPosition [| i64 position offset | i64 recordsAfterOffset]
 *   where path is Flink's Path.serializeToDataOutputView: bool present | the java.net.URI's decoded
 *   scheme, userInfo, host | i32 port | path, query, fragment — each string "nullable"
 *   (StringUtils.writeNullableString: bool present, then StringValue: varint length+1, varint chars).
 *   Required: a non-empty split id; a present path whose components Flink rebuilds unchanged through
 *   java.net.URI (a path component; a legal scheme; a server host — host name, IPv4 or bracketed IPv6 —
 *   or else no userInfo, port or "//" path start; an absolute path after a scheme or host, a non-empty
 *   one after a scheme alone; no colon in a relative path's first segment; port -1..65535: see
 *   javaUriComponents); offset >= 0 and length >= 0 (FileSourceSplit's checks); a position offset >= -1
 *   (CheckpointedPosition.NO_OFFSET) and recordsAfterOffset >= 0; booleans 0 or 1; and the payload equal
 *   to the re-encoding of what was read (every string in its canonical encoding). Flink's own
 *   deserializer is laxer (it ignores trailing bytes and reads any non-zero byte as true); such bytes
 *   stay undecoded here. test/savepoint/splits-oracle.test.ts holds these rules against Flink.
 *
 * The three layouts cannot be confused. NumberSequence and FileSource payloads begin with a u16 n (the
 * split id's byte length): a NumberSequenceSplit payload is exactly 2 + n + 16 bytes, a FileSourceSplit
 * payload at least 2 + n + 49 (the path flag, six string flags and the port: 11 bytes; the path
 * component's length: at least 1; four longs, the host count and the position flag: 37). An IdSplit
 * payload is exactly 16 bytes, a FileSourceSplit payload (n >= 1) at least 52.
 *
 * The source coordinator's state (SourceCoordinator#toBytes, Flink 1.20 and 2.x) is
 *
 *   i32 coordinator serde version (1) | i32 enumerator serializer version | i32 length | checkpoint
 *
 * and a FileSource enumerator's checkpoint (PendingSplitsCheckpointSerializer version 1, little-endian):
 *
 *   i32 magic 0xDEADBEEF | i32 split serializer version | i32 splits | i32 paths |
 *   splits × (i32 length | FileSourceSplit payload) | paths × (i32 length | UTF-8 of Path#toString)
 *
 * decoded only when exactly that, every pending split a FileSourceSplit as above. The magic tells it
 * from other enumerators' checkpoints (NumberSequenceSource's is a big-endian split count and splits).
 */
import { SavepointFormatError } from './errors';
import { ByteReader, decodeModifiedUtf8, encodeModifiedUtf8, fromHex } from './io';
import { entries, findOperator, listStates, Savepoint } from './index';
import { ByteWriter } from './writer-io';

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

/**
 * The java.net.URI of a Flink Path, as Path.serializeToDataOutputView stores it: the decoded
 * components (null when absent; port -1 when absent).
 */
export interface FlinkPathUri {
  scheme: string | null;
  userInfo: string | null;
  host: string | null;
  port: number;
  path: string | null;
  query: string | null;
  fragment: string | null;
}

/** Where a FileSource reader resumes a split (CheckpointedPosition). */
export interface FileReaderPosition {
  /** The offset to seek to, or -1 (CheckpointedPosition.NO_OFFSET): read the split from its start. */
  offset: bigint;
  /** Records to skip after that offset (the records already emitted). */
  recordsAfterOffset: bigint;
}

export interface FileSourceSplit {
  source: 'FileSource';
  type: 'FileSourceSplit';
  serializerVersion: 1;
  splitId: string;
  /** The file, as Flink's Path#toString prints it (scheme, authority and path component). */
  path: string;
  uri: FlinkPathUri;
  /** The split's byte range in the file: [offset, offset + length). */
  offset: bigint;
  length: bigint;
  fileModificationTime: bigint;
  fileSize: bigint;
  hostnames: string[];
  /** Where the reader resumes; absent for a split no record has been read of. */
  readerPosition?: FileReaderPosition;
}

export type DecodedSplit = NumberSequenceSplit | CorpusIdSplit | FileSourceSplit;

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
  return decodeNumberSequenceV1(frame.payload) ?? decodeCorpusIdSplitV1(frame.payload) ?? decodeFileSourceSplitV1(frame.payload);
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

/**
 * A FileSourceSplitSerializer version 1 payload (without the SimpleVersionedSerialization framing),
 * or undefined when the bytes are not exactly one (see the layout above).
 */
export function decodeFileSourceSplitV1(p: Uint8Array): FileSourceSplit | undefined {
  // the smallest payload: a one-byte id and an empty path component (see the no-confusion argument)
  if (p.length < 2 + 1 + 49) return undefined;
  let split: FileSourceSplit;
  try {
    const r = new ByteReader(p, 'FileSourceSplit');
    const splitId = r.utf('the split id');
    if (splitId === '' || !flag(r)) return undefined;
    const scheme = nullableStringValue(r);
    const userInfo = nullableStringValue(r);
    const host = nullableStringValue(r);
    const port = r.i32('the port');
    const uriPath = nullableStringValue(r);
    const query = nullableStringValue(r);
    const fragment = nullableStringValue(r);
    if (port < -1 || port > 65535 || uriPath === null) return undefined;
    if (!javaUriComponents(scheme, userInfo, host, port, uriPath)) return undefined;
    const offset = r.i64('the offset');
    const length = r.i64('the length');
    const fileModificationTime = r.i64('the modification time');
    const fileSize = r.i64('the file size');
    if (offset < 0n || length < 0n) return undefined;
    const hosts = r.count('the host count', 2);
    const hostnames: string[] = [];
    for (let i = 0; i < hosts; i++) hostnames.push(r.utf('a hostname'));
    const uri: FlinkPathUri = { scheme, userInfo, host, port, path: uriPath, query, fragment };
    split = {
      source: 'FileSource',
      type: 'FileSourceSplit',
      serializerVersion: 1,
      splitId,
      path: flinkPathString(uri),
      uri,
      offset,
      length,
      fileModificationTime,
      fileSize,
      hostnames,
    };
    if (flag(r)) {
      const at = r.i64('the position offset');
      const recordsAfterOffset = r.i64('the records after the offset');
      if (at < -1n || recordsAfterOffset < 0n) return undefined;
      split.readerPosition = { offset: at, recordsAfterOffset };
    }
    r.expectEnd('a FileSourceSplit');
  } catch (e) {
    if (e instanceof SavepointFormatError) return undefined;
    throw e;
  }
  // canonical encodings only (booleans, modified UTF-8, StringValue varints): the bytes Flink writes for these fields
  let again: Uint8Array;
  try {
    again = fileSourceSplitPayload(split);
  } catch (e) {
    if (e instanceof RangeError) return undefined;
    throw e;
  }
  if (again.length !== p.length || again.some((b, i) => b !== p[i])) return undefined;
  return split;
}

const URI_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/;
const HOST_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;

function ipv4(h: string): boolean {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  return !!v4 && v4.slice(1).every((x) => Number(x) <= 255);
}

/** An IPv6 address (RFC 2373 text form: eight groups, or fewer around one "::"; an IPv4 tail counts two). */
function ipv6(h: string): boolean {
  const halves = h.split('::');
  if (halves.length > 2) return false;
  const groups = halves.flatMap((x) => (x === '' ? [] : x.split(':')));
  let n = groups.length;
  if (n > 0 && groups[n - 1].includes('.')) {
    if (!ipv4(groups.pop()!)) return false;
    n++;
  }
  if (!groups.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  return halves.length === 2 ? n <= 7 : n === 8;
}

/** A host java.net.URI parses as a server host: an IPv4 address, a host name, or an IPv6 literal in brackets. */
function javaServerHost(h: string): boolean {
  if (h.startsWith('[')) return h.endsWith(']') && ipv6(h.slice(1, -1));
  if (/^[\d.]+$/.test(h) && h.split('.').length === 4) return ipv4(h);
  const labels = (h.endsWith('.') ? h.slice(0, -1) : h).split('.');
  // a qualified name's last label starts with a letter (URI.Parser#parseHostname)
  return labels.every((l) => HOST_LABEL.test(l)) && (labels.length === 1 || /^[A-Za-z]/.test(labels[labels.length - 1]));
}

/**
 * True when Flink's Path.deserializeFromDataInputView would rebuild exactly these components:
 * `new URI(scheme, userInfo, host, port, path, query, fragment)` builds a URI string and parses it
 * again, so it fails on an illegal scheme or host and a relative path after a scheme, and it loses
 * userInfo and port without a host, an authority-like "//" path start and a first path segment with
 * a colon (read as a scheme). (Non-ASCII characters, lone surrogates included, survive it unchanged.)
 */
function javaUriComponents(scheme: string | null, userInfo: string | null, host: string | null, port: number, path: string): boolean {
  if (scheme !== null && !URI_SCHEME.test(scheme)) return false;
  if (host !== null ? !javaServerHost(host) : userInfo !== null || port !== -1 || path.startsWith('//')) return false;
  if (scheme !== null && host === null && path === '') return false;
  if ((scheme !== null || host !== null) && path !== '' && !path.startsWith('/')) return false;
  return !(scheme === null && host === null && path.split('/')[0].includes(':'));
}

/** A boolean as Java's writeBoolean writes it; anything but 0 or 1 fails. */
function flag(r: ByteReader): boolean {
  const at = r.offset;
  const b = r.u8('a boolean');
  if (b > 1) r.fail('a boolean (0 or 1)', String(b), at);
  return b === 1;
}

/** StringUtils.readNullableString: bool present, then a StringValue (varint length + 1, varint chars). */
function nullableStringValue(r: ByteReader): string | null {
  if (!flag(r)) return null;
  const at = r.offset;
  const n1 = varint(r, 'a string length');
  if (n1 === 0) r.fail('a non-null string', 'null', at);
  const n = n1 - 1;
  if (n > r.remaining) r.fail(`a string of at most ${r.remaining} characters`, `${n} characters`, at);
  const units = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    const c = varint(r, 'a character');
    if (c > 0xffff) r.fail('a UTF-16 code unit', String(c));
    units[i] = c;
  }
  let s = '';
  for (let k = 0; k < n; k += 8192) s += String.fromCharCode(...units.subarray(k, Math.min(n, k + 8192)));
  return s;
}

/** An unsigned varint of at most 5 bytes, 7 bits per byte, low group first. */
function varint(r: ByteReader, what: string): number {
  const at = r.offset;
  let v = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    const b = r.u8(what);
    v += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return v;
  }
  return r.fail(`${what} of at most 5 bytes`, 'a longer varint', at);
}

/**
 * Flink's Path#toString for these URI components: scheme ":", "//" authority, the path component
 * (without the slash before a Windows drive letter when there is neither scheme nor authority); no
 * query, no fragment.
 */
export function flinkPathString(u: FlinkPathUri): string {
  let s = u.scheme !== null ? `${u.scheme}:` : '';
  const authority = u.host !== null ? `${u.userInfo !== null ? `${u.userInfo}@` : ''}${u.host}${u.port !== -1 ? `:${u.port}` : ''}` : null;
  if (authority !== null) s += `//${authority}`;
  if (u.path !== null) {
    const windowsDrive = /^\/[A-Za-z]:/.test(u.path);
    s += windowsDrive && u.scheme === null && authority === null ? u.path.slice(1) : u.path;
  }
  return s;
}

/** The decoded form of what the reader knows of a split: where it resumes, in words. */
function readerPositionText(p: FileReaderPosition | undefined): string {
  if (!p) return 'not read yet';
  const records = `skip ${p.recordsAfterOffset} record${p.recordsAfterOffset === 1n ? '' : 's'}`;
  return p.offset === -1n ? `resume at the split start and ${records}` : `resume at offset ${p.offset} and ${records}`;
}

function millisText(ms: bigint): string {
  if (ms > 0n && ms < 8_640_000_000_000_000n) return new Date(Number(ms)).toISOString();
  return String(ms);
}

/** A FileSourceSplit in one line: path, byte range, file size and modification time, hosts, reader position. */
export function fileSplitText(s: FileSourceSplit): string {
  const hosts = s.hostnames.length ? `, hosts ${s.hostnames.join(', ')}` : '';
  return (
    `FileSourceSplit ${JSON.stringify(s.splitId)}: ${s.path}, offset ${s.offset}, length ${s.length} ` +
    `(file ${s.fileSize} bytes, modified ${millisText(s.fileModificationTime)}${hosts}); ${readerPositionText(s.readerPosition)}`
  );
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

/** The fields of a FileSourceSplit, as encodeFileSourceSplit takes them. */
export type FileSourceSplitFields = Pick<
  FileSourceSplit,
  'splitId' | 'uri' | 'offset' | 'length' | 'fileModificationTime' | 'fileSize' | 'hostnames' | 'readerPosition'
>;

function writeNullableStringValue(w: ByteWriter, s: string | null): void {
  if (s === null) {
    w.bool(false);
    return;
  }
  w.bool(true).varUint(s.length + 1);
  for (let i = 0; i < s.length; i++) w.varUint(s.charCodeAt(i));
}

/** FileSourceSplitSerializer#serialize (version 1): the payload, without framing. */
export function fileSourceSplitPayload(s: FileSourceSplitFields): Uint8Array {
  for (const [v, what] of [
    [s.offset, 'offset'],
    [s.length, 'length'],
    [s.fileModificationTime, 'fileModificationTime'],
    [s.fileSize, 'fileSize'],
  ] as const) {
    checkLong(v, what);
  }
  const w = new ByteWriter(128);
  w.utf(s.splitId);
  w.bool(true);
  writeNullableStringValue(w, s.uri.scheme);
  writeNullableStringValue(w, s.uri.userInfo);
  writeNullableStringValue(w, s.uri.host);
  w.i32(s.uri.port);
  writeNullableStringValue(w, s.uri.path);
  writeNullableStringValue(w, s.uri.query);
  writeNullableStringValue(w, s.uri.fragment);
  w.i64(s.offset).i64(s.length).i64(s.fileModificationTime).i64(s.fileSize);
  w.i32(s.hostnames.length);
  for (const h of s.hostnames) w.utf(h);
  w.bool(s.readerPosition !== undefined);
  if (s.readerPosition) {
    checkLong(s.readerPosition.offset, 'the position offset');
    checkLong(s.readerPosition.recordsAfterOffset, 'recordsAfterOffset');
    w.i64(s.readerPosition.offset).i64(s.readerPosition.recordsAfterOffset);
  }
  return w.toBytes();
}

/** A framed SourceReaderState element holding a FileSourceSplit, as Flink writes it. */
export function encodeFileSourceSplit(s: FileSourceSplitFields): Uint8Array {
  return frame(1, fileSourceSplitPayload(s));
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
  if (s.type === 'FileSourceSplit') return `${head} ${fileSplitText(s)}`;
  return `${head} CorpusSource split ${JSON.stringify(s.splitId)}: ids ${s.index} + k*${s.stride}, ${s.emitted} emitted`;
}

/**
 * The lines `fsp inspect` prints under a source operator (empty when it has no split state): its
 * readers' splits, then the enumerator's checkpoint where it is decoded (FileSource).
 */
export async function sourceSplitLines(sp: Savepoint, opId: string): Promise<string[]> {
  const els = await describeSourceSplits(sp, opId);
  if (!els) return [];
  const decoded = els.filter((e) => e.split).length;
  const head = `${SOURCE_READER_STATE}: ${els.length} split${els.length === 1 ? '' : 's'}${decoded === els.length ? '' : ` (${decoded} decoded)`}`;
  return [head, ...els.map((e) => `  ${splitLine(e)}`), ...enumeratorLines(describeSourceCoordinator(sp, opId)?.state)];
}

// ---------------------------------------------------------------------------------------------
// the source coordinator's state: the enumerator's checkpoint

const PENDING_SPLITS_MAGIC = 0xdeadbeef;

export interface FileSourceEnumeratorState {
  source: 'FileSource';
  type: 'PendingSplitsCheckpoint';
  /** SourceCoordinator's serde version. */
  coordinatorSerdeVersion: 1;
  /** PendingSplitsCheckpointSerializer's version. */
  serializerVersion: 1;
  /** The version of the split serializer the pending splits were written with. */
  splitSerializerVersion: 1;
  /** Splits discovered and not yet assigned to a reader (no reader position). */
  pendingSplits: FileSourceSplit[];
  /** Files the enumerator has already turned into splits (continuous monitoring), as Path#toString. */
  alreadyProcessedPaths: string[];
}

export type DecodedEnumeratorState = FileSourceEnumeratorState;

const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes a source operator's coordinator state (SourceCoordinator's framing, then the enumerator's
 * checkpoint). Undefined unless it is exactly a FileSource enumerator checkpoint (see the layout above).
 */
export function decodeSourceCoordinatorState(bytes: Uint8Array): DecodedEnumeratorState | undefined {
  if (bytes.length < 12 + 16) return undefined;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getInt32(0) !== 1 || dv.getInt32(4) !== 1 || dv.getInt32(8) !== bytes.length - 12) return undefined;
  // the checkpoint: little-endian (ByteBuffer.order(LITTLE_ENDIAN))
  const end = bytes.length;
  if (dv.getUint32(12, true) !== PENDING_SPLITS_MAGIC || dv.getInt32(16, true) !== 1) return undefined;
  const nSplits = dv.getInt32(20, true);
  const nPaths = dv.getInt32(24, true);
  let at = 28;
  // every split takes at least 4 + 52 bytes, every path 4
  if (nSplits < 0 || nPaths < 0 || nSplits * 56 + nPaths * 4 > end - at) return undefined;
  const pendingSplits: FileSourceSplit[] = [];
  for (let i = 0; i < nSplits; i++) {
    if (end - at < 4) return undefined;
    const n = dv.getInt32(at, true);
    at += 4;
    if (n < 0 || n > end - at) return undefined;
    const split = decodeFileSourceSplitV1(bytes.subarray(at, at + n));
    if (!split) return undefined;
    pendingSplits.push(split);
    at += n;
  }
  const alreadyProcessedPaths: string[] = [];
  for (let i = 0; i < nPaths; i++) {
    if (end - at < 4) return undefined;
    const n = dv.getInt32(at, true);
    at += 4;
    if (n < 0 || n > end - at) return undefined;
    try {
      alreadyProcessedPaths.push(utf8Strict.decode(bytes.subarray(at, at + n)));
    } catch {
      return undefined;
    }
    at += n;
  }
  if (at !== end) return undefined;
  return {
    source: 'FileSource',
    type: 'PendingSplitsCheckpoint',
    coordinatorSerdeVersion: 1,
    serializerVersion: 1,
    splitSerializerVersion: 1,
    pendingSplits,
    alreadyProcessedPaths,
  };
}

/** A FileSource source coordinator's state, as Flink writes it (SourceCoordinator framing included). */
export function encodeFileSourceEnumeratorState(s: { pendingSplits: FileSourceSplitFields[]; alreadyProcessedPaths: string[] }): Uint8Array {
  const splits = s.pendingSplits.map(fileSourceSplitPayload);
  const paths = s.alreadyProcessedPaths.map((p) => new TextEncoder().encode(p));
  const n = 16 + splits.reduce((t, b) => t + 4 + b.length, 0) + paths.reduce((t, b) => t + 4 + b.length, 0);
  const out = new Uint8Array(12 + n);
  const dv = new DataView(out.buffer);
  dv.setInt32(0, 1);
  dv.setInt32(4, 1);
  dv.setInt32(8, n);
  dv.setUint32(12, PENDING_SPLITS_MAGIC, true);
  dv.setInt32(16, 1, true);
  dv.setInt32(20, splits.length, true);
  dv.setInt32(24, paths.length, true);
  let at = 28;
  for (const b of [...splits, ...paths]) {
    dv.setInt32(at, b.length, true);
    out.set(b, at + 4);
    at += 4 + b.length;
  }
  return out;
}

/**
 * An operator's coordinator state (inline in `_metadata`) and, where it is a known enumerator's
 * checkpoint, its decoding. Undefined when the operator has no coordinator state.
 */
export function describeSourceCoordinator(sp: Savepoint, opId: string): { bytes: Uint8Array; state?: DecodedEnumeratorState } | undefined {
  const c = findOperator(sp, opId)?.coordinator;
  if (!c || c.type !== 1) return undefined;
  const state = decodeSourceCoordinatorState(c.data);
  return state ? { bytes: c.data, state } : { bytes: c.data };
}

/** `fsp inspect`'s lines for a decoded enumerator checkpoint (none when undecoded). */
export function enumeratorLines(st: DecodedEnumeratorState | undefined): string[] {
  if (!st) return [];
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  return [
    `FileSource enumerator: ${plural(st.pendingSplits.length, 'pending split')}, ${plural(st.alreadyProcessedPaths.length, 'processed path')}`,
    ...st.pendingSplits.map((s) => `  pending ${fileSplitText(s)}`),
    ...st.alreadyProcessedPaths.map((p) => `  processed ${p}`),
  ];
}
