/**
 * User JSON → value bytes of a state, validated against the state's serializer (no vscode import).
 *
 * The text is parsed as JSON (integers beyond ±2^53 stay exact as bigints), encoded with the
 * writer's encoder for the serializer snapshot, then decoded with the reader's codec into a Value
 * and re-encoded: the bytes must decode completely and re-encode identically, so what is written
 * is exactly what Flink's serializer would read back. Every failure is a ValueEditError whose
 * message says what did not fit.
 */
import { encoderFor } from '../../engine/savepoint/write/encode';
import { ByteReader } from '../../engine/savepoint/io';
import { ByteWriter } from '../../engine/savepoint/writer-io';
import { scalaPart, SerializerSnapshot, tablePart, typeString } from '../../engine/savepoint/serializers';
import { codecFor, encodeWith, Value } from '../../engine/savepoint/values';
import { StateTypes } from '../../engine/savepoint/statemeta';

export class ValueEditError extends Error {
  override name = 'ValueEditError';
}

// ---------------------------------------------------------------------------------------------
// JSON with exact big integers

/** JSON.parse, except that integers outside the safe range become bigints. */
export function parseJson(text: string): unknown {
  let i = 0;
  const s = text;
  const fail = (what: string): never => {
    throw new ValueEditError(`invalid JSON at character ${i + 1}: ${what}`);
  };
  const ws = () => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\n' || s[i] === '\r' || s[i] === '\t')) i++;
  };
  const value = (depth: number): unknown => {
    if (depth > 256) fail('nested too deeply');
    ws();
    const c = s[i];
    if (c === '{') {
      i++;
      const o: Record<string, unknown> = {};
      ws();
      if (s[i] === '}') {
        i++;
        return o;
      }
      for (;;) {
        ws();
        if (s[i] !== '"') fail('expected a member name in quotes');
        const k = str();
        ws();
        if (s[i] !== ':') fail("expected ':'");
        i++;
        Object.defineProperty(o, k, { value: value(depth + 1), enumerable: true, writable: true, configurable: true });
        ws();
        if (s[i] === ',') {
          i++;
          continue;
        }
        if (s[i] === '}') {
          i++;
          return o;
        }
        fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      const a: unknown[] = [];
      ws();
      if (s[i] === ']') {
        i++;
        return a;
      }
      for (;;) {
        a.push(value(depth + 1));
        ws();
        if (s[i] === ',') {
          i++;
          continue;
        }
        if (s[i] === ']') {
          i++;
          return a;
        }
        fail("expected ',' or ']'");
      }
    }
    if (c === '"') return str();
    if (s.startsWith('true', i)) {
      i += 4;
      return true;
    }
    if (s.startsWith('false', i)) {
      i += 5;
      return false;
    }
    if (s.startsWith('null', i)) {
      i += 4;
      return null;
    }
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(s.slice(i, i + 400));
    if (!m) return fail(i >= s.length ? 'unexpected end' : `unexpected ${JSON.stringify(s[i])}`);
    i += m[0].length;
    if (!m[2] && !m[3]) {
      const n = Number(m[0]);
      return Number.isSafeInteger(n) ? n : BigInt(m[0]);
    }
    return Number(m[0]);
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < s.length && s[i] !== '"') {
      if (s[i] === '\\') i++;
      else if (s.charCodeAt(i) < 0x20) fail('control character in a string');
      i++;
    }
    if (i >= s.length) fail('unterminated string');
    i++;
    try {
      return JSON.parse(s.slice(start, i)) as string;
    } catch {
      return fail('bad escape in a string');
    }
  };
  const v = value(0);
  ws();
  if (i < s.length) fail(`unexpected ${JSON.stringify(s[i])} after the value`);
  return v;
}

// ---------------------------------------------------------------------------------------------
// encoding with a round trip through the codec

export interface Checked {
  bytes: Uint8Array;
  value: Value;
  /** the canonical JSON rendering (dump-format §3) of what will be written */
  json: string;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Encodes a parsed JSON value with the serializer of `snapshot`, checked by a decode / re-encode round trip. */
export function encodeChecked(snapshot: SerializerSnapshot, json: unknown, what = 'value'): Checked {
  const type = typeString(snapshot);
  const codec = codecFor(snapshot);
  if (codec.opaque) throw new ValueEditError(`the ${what} type ${type} is read-only: Kryo, Java-serialized and unknown serializers cannot be re-encoded`);
  const w = new ByteWriter(64);
  try {
    encoderFor(snapshot).write(json, w);
  } catch (e) {
    throw new ValueEditError(`the ${what} does not fit ${type}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const bytes = w.toBytes();
  let value: Value;
  try {
    const r = new ByteReader(bytes, `<edited ${what}>`);
    value = codec.decode(r);
    if (r.remaining !== 0) throw new ValueEditError(`${r.remaining} bytes left over`);
  } catch (e) {
    throw new ValueEditError(`the ${what} encoded as ${type} does not read back: ${e instanceof Error ? e.message : String(e)}`);
  }
  let again: Uint8Array;
  try {
    again = encodeWith(codec, value);
  } catch (e) {
    throw new ValueEditError(`the ${what} read back as ${type} cannot be re-encoded: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!sameBytes(again, bytes)) throw new ValueEditError(`the ${what} does not round-trip through ${type} (the encoder and the serializer disagree)`);
  return { bytes, value, json: codec.toJson(value) };
}

/** Why values of this state cannot be edited, or undefined. */
/**
 * Why timers of a timer state cannot be added / deleted, or undefined: they can when the key type
 * re-encodes (not Kryo / Java / unknown) and the namespace is VoidNamespace or TimeWindow.
 */
export function timerReadOnlyReason(t: StateTypes): { reason: string; type?: string } | undefined {
  if (!t.key || !t.namespace) return { reason: 'the key or namespace serializer of these timers is unknown' };
  if (codecFor(t.key).opaque) return { reason: `timers with keys of ${typeString(t.key)} are read-only (Kryo, Java-serialized and unknown serializers cannot be re-encoded)`, type: typeString(t.key) };
  const unwritable = unwritableParts([t.key]);
  if (unwritable) return unwritable;
  const ns = typeString(t.namespace);
  if (ns !== 'VoidNamespace' && ns !== 'TimeWindow') return { reason: `timers with ${ns} namespaces are read-only`, type: ns };
  return undefined;
}

export function readOnlyReason(t: StateTypes): { reason: string; type?: string } | undefined {
  if (t.backend === 'PRIORITY_QUEUE') return t.kind === 'TIMER' ? timerReadOnlyReason(t) : { reason: 'priority-queue state is read-only' };
  if (t.backend === 'KEY_VALUE_V2') return { reason: 'state of the Flink 2 (KEY_VALUE_V2) backend is read-only in this version' };
  if (t.backend !== 'KEY_VALUE') return { reason: 'operator state is read-only in this version' };
  if (!['VALUE', 'LIST', 'MAP', 'REDUCING', 'AGGREGATING'].includes(t.kind)) return { reason: `${t.kind} state is read-only` };
  if (!t.value) return { reason: 'the value serializer is unknown' };
  const type = typeString(t.value);
  const c = codecFor(t.value);
  if (c.opaque) return { reason: `values of ${type} are read-only (Kryo, Java-serialized and unknown serializers cannot be re-encoded)`, type };
  if (t.kind === 'MAP' && t.userKey && codecFor(t.userKey).opaque) {
    return { reason: `map keys of ${typeString(t.userKey)} are read-only`, type: typeString(t.userKey) };
  }
  return unwritableParts([t.key, t.kind === 'MAP' ? t.userKey : undefined, t.value]);
}

/**
 * Types decoded but never written (engine/savepoint/write refuses them): the first Scala API or
 * Table API part of a state's key, user key or value, as a read-only reason.
 */
function unwritableParts(parts: (SerializerSnapshot | undefined)[]): { reason: string; type: string } | undefined {
  return unwritableReason(parts, scalaPart, 'Scala API serializers') ?? unwritableReason(parts, tablePart, 'Table API / SQL rows');
}

/** The first part of `parts` that `find` picks out, as a read-only reason naming `what` it is. */
function unwritableReason(
  parts: (SerializerSnapshot | undefined)[],
  find: (s: SerializerSnapshot | undefined) => SerializerSnapshot | undefined,
  what: string,
): { reason: string; type: string } | undefined {
  for (const p of parts) {
    const s = find(p);
    if (s) return { reason: `values of ${typeString(s)} are read-only (${what} cannot be written yet)`, type: typeString(s) };
  }
  return undefined;
}

const LIST_DELIMITER = 0x2c;

/**
 * The stored value bytes for a user's JSON text: VALUE / REDUCING / AGGREGATING → the value;
 * LIST → a JSON array of elements (joined with Flink's ',' delimiter byte); MAP → one user value
 * (null flag + value).
 */
export function valueBytes(t: StateTypes, text: string): Checked {
  if (t.kind === 'TIMER') throw new ValueEditError('timer values are read-only: a timer has no value; delete the timer and add one with the new timestamp');
  const ro = readOnlyReason(t);
  if (ro) throw new ValueEditError(ro.reason);
  const json = parseJson(text);
  const vs = t.value!;
  switch (t.kind) {
    case 'LIST': {
      if (!Array.isArray(json)) throw new ValueEditError(`a list state value is a JSON array of ${typeString(vs)}`);
      if (json.length === 0) throw new ValueEditError('an empty list is no entry: delete the entry instead');
      const parts = json.map((x, i) => encodeChecked(vs, x, `element ${i}`));
      let n = parts.length - 1;
      for (const p of parts) n += p.bytes.length;
      const out = new Uint8Array(n);
      let o = 0;
      parts.forEach((p, i) => {
        if (i > 0) out[o++] = LIST_DELIMITER;
        out.set(p.bytes, o);
        o += p.bytes.length;
      });
      return { bytes: out, value: { t: 'list', items: parts.map((p) => p.value) }, json: `[${parts.map((p) => p.json).join(',')}]` };
    }
    case 'MAP': {
      if (json === null) return { bytes: Uint8Array.of(1), value: { t: 'null' }, json: 'null' };
      const c = encodeChecked(vs, json);
      const out = new Uint8Array(c.bytes.length + 1);
      out.set(c.bytes, 1);
      return { bytes: out, value: c.value, json: c.json };
    }
    default:
      if (json === null) throw new ValueEditError('a null value is no entry: delete the entry instead');
      return encodeChecked(vs, json);
  }
}

export function toHexString(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

export function fromHexString(h: string): Uint8Array {
  return new Uint8Array(Buffer.from(h, 'hex'));
}
