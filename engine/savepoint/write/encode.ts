/**
 * Value encoders: JSON values (as docs/dump-format.md §3 prints them, plus a few lenient input forms)
 * → the bytes Flink's serializer for a snapshot writes. Also Java's hashCode() of key values, which
 * decides the key group (savepoint-format.md §8).
 */
import { SerializerSnapshot, typeString } from '../serializers';
import type { Sink } from './store';
import { fromHex } from '../io';
import { javaHashCode } from '../murmur';
import { writeFlinkString } from './snapshots';

export class EncodeError extends Error {}

export interface Encoder {
  /** Flink's TypeSerializer#getLength(): the fixed byte length, or -1. */
  readonly length: number;
  write(v: unknown, w: Sink): void;
  /** Java's hashCode() of the value, for key types whose hashCode we know. */
  hash?(v: unknown): number;
  readonly type: string;
}

const cache = new WeakMap<SerializerSnapshot, Encoder>();

export function encoderFor(s: SerializerSnapshot): Encoder {
  let e = cache.get(s);
  if (!e) {
    e = build(s, 0);
    cache.set(s, e);
  }
  return e;
}

function fail(type: string, v: unknown, why = ''): never {
  const shown = v === undefined ? 'nothing' : JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x))?.slice(0, 60);
  throw new EncodeError(`cannot encode ${shown} as ${type}${why ? `: ${why}` : ''}`);
}

function toInt(v: unknown, type: string, min: number, max: number): number {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && /^\s*[-+]?\d+\s*$/.test(v)) n = Number(v);
  else if (typeof v === 'bigint') n = Number(v);
  else return fail(type, v);
  if (!Number.isInteger(n) || n < min || n > max) fail(type, v, `not an integer in [${min}, ${max}]`);
  return n;
}

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

export function toLong(v: unknown, type = 'Long'): bigint {
  let b: bigint;
  if (typeof v === 'bigint') b = v;
  else if (typeof v === 'number') {
    if (!Number.isInteger(v)) fail(type, v, 'not an integer');
    if (!Number.isSafeInteger(v)) fail(type, v, 'beyond ±2^53: give it as a string to keep every digit');
    b = BigInt(v);
  } else if (typeof v === 'string' && /^\s*[-+]?\d+\s*$/.test(v)) b = BigInt(v.trim().replace(/^\+/, ''));
  else return fail(type, v);
  if (b < I64_MIN || b > I64_MAX) fail(type, v, 'out of the 64-bit range');
  return b;
}

function toFloat(v: unknown, type: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const t = v.trim();
    if (t === 'NaN') return NaN;
    if (t === 'Infinity' || t === '+Infinity') return Infinity;
    if (t === '-Infinity') return -Infinity;
    if (t !== '' && !Number.isNaN(Number(t))) return Number(t);
  }
  return fail(type, v);
}

function toBool(v: unknown, type: string): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return fail(type, v);
}

function isNullish(v: unknown): boolean {
  return v === null || v === undefined;
}

// --- java.time parsing ------------------------------------------------------------------------

function daysFromCivil(y: bigint, m: number, d: number): bigint {
  const yy = m <= 2 ? y - 1n : y;
  const era = (yy >= 0n ? yy : yy - 399n) / 400n;
  const yoe = yy - era * 400n;
  const mp = BigInt((m + 9) % 12);
  const doy = (153n * mp + 2n) / 5n + BigInt(d) - 1n;
  const doe = yoe * 365n + yoe / 4n - yoe / 100n + doy;
  return era * 146097n + doe - 719468n;
}

const DATE_RE = /^([+-]?\d{4,9})-(\d{2})-(\d{2})$/;
const TIME_RE = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/;

function parseDate(v: unknown, type: string): { year: number; month: number; day: number } {
  const m = typeof v === 'string' ? DATE_RE.exec(v.trim()) : null;
  if (!m) return fail(type, v, 'expected YYYY-MM-DD');
  const r = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  if (r.month < 1 || r.month > 12 || r.day < 1 || r.day > 31) fail(type, v, 'no such date');
  return r;
}

function parseTime(v: unknown, type: string): { hour: number; minute: number; second: number; nano: number } {
  const m = typeof v === 'string' ? TIME_RE.exec(v.trim()) : null;
  if (!m) return fail(type, v, 'expected HH:MM[:SS[.fraction]]');
  const r = { hour: Number(m[1]), minute: Number(m[2]), second: Number(m[3] ?? 0), nano: Number((m[4] ?? '').padEnd(9, '0')) };
  if (r.hour > 23 || r.minute > 59 || r.second > 59) fail(type, v, 'no such time');
  return r;
}

function parseInstant(v: unknown, type: string): { seconds: bigint; nanos: number } {
  if (typeof v === 'string') {
    const m = /^([+-]?\d{4,9}-\d{2}-\d{2})T(.+?)(Z|[+-]\d{2}:\d{2})$/.exec(v.trim());
    if (m) {
      const d = parseDate(m[1], type);
      const t = parseTime(m[2], type);
      let off = 0;
      if (m[3] !== 'Z') off = (m[3][0] === '-' ? -1 : 1) * (Number(m[3].slice(1, 3)) * 3600 + Number(m[3].slice(4, 6)) * 60);
      const days = daysFromCivil(BigInt(d.year), d.month, d.day);
      return { seconds: days * 86400n + BigInt(t.hour * 3600 + t.minute * 60 + t.second - off), nanos: t.nano };
    }
  }
  if (typeof v === 'number' && Number.isInteger(v)) {
    // epoch milliseconds
    const s = Math.floor(v / 1000);
    return { seconds: BigInt(s), nanos: (v - s * 1000) * 1_000_000 };
  }
  return fail(type, v, 'expected an ISO instant like 2024-01-01T00:00:00Z');
}

// --- BigInteger / BigDecimal --------------------------------------------------------------------

/** Java BigInteger#toByteArray: minimal two's complement, big-endian. */
function twosComplement(b: bigint): Uint8Array {
  let hex = (b < 0n ? -b : b).toString(16);
  if (b >= 0n) {
    if (hex.length % 2) hex = '0' + hex;
    if (parseInt(hex.slice(0, 2), 16) & 0x80) hex = '00' + hex;
    return fromHex(hex);
  }
  let bytes = Math.ceil(hex.length / 2);
  // smallest n with -2^(8n-1) <= b
  while (-(1n << BigInt(8 * bytes - 1)) > b) bytes++;
  const u = (1n << BigInt(8 * bytes)) + b;
  let h = u.toString(16).padStart(bytes * 2, '0');
  // drop redundant leading 0xff bytes
  while (h.length > 2 && h.startsWith('ff') && parseInt(h.slice(2, 4), 16) & 0x80) h = h.slice(2);
  return fromHex(h);
}

function writeBigInteger(b: bigint | null, w: Sink): void {
  if (b === null) {
    w.i32(0);
    return;
  }
  const bytes = twosComplement(b);
  w.i32(bytes.length + 4);
  w.bytes(bytes);
}

function toBigInt(v: unknown, type: string): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^\s*[-+]?\d+\s*$/.test(v)) return BigInt(v.trim().replace(/^\+/, ''));
  return fail(type, v);
}

function parseBigDecimal(v: unknown, type: string): { unscaled: bigint; scale: number } {
  const t = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : undefined;
  const m = t === undefined ? null : /^([-+]?)(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?$/.exec(t);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return fail(type, v, 'expected a decimal string like "1.50"');
  const frac = m[3] ?? '';
  const digits = (m[2] + frac).replace(/^0+(?=\d)/, '') || '0';
  let unscaled = BigInt(digits);
  if (m[1] === '-') unscaled = -unscaled;
  const scale = frac.length - Number(m[4] ?? 0);
  return { unscaled, scale };
}

// --- encoders -----------------------------------------------------------------------------------

function fixed(type: string, length: number, write: (v: unknown, w: Sink) => void, hash?: (v: unknown) => number): Encoder {
  return { type, length, write, hash };
}

function build(s: SerializerSnapshot, depth: number): Encoder {
  if (depth > 64) throw new EncodeError('types nested too deeply');
  const sub = (n: SerializerSnapshot | undefined): Encoder => {
    if (!n) throw new EncodeError(`a nested serializer of ${s.className} is missing`);
    return build(n, depth + 1);
  };
  switch (s.kind) {
    case 'boolean':
      return fixed('Boolean', 1, (v, w) => w.bool(toBool(v, 'Boolean')), (v) => javaHashCode(toBool(v, 'Boolean'), 'Boolean'));
    case 'byte':
      return fixed('Byte', 1, (v, w) => w.i8(toInt(v, 'Byte', -128, 127)), (v) => toInt(v, 'Byte', -128, 127));
    case 'short':
      return fixed('Short', 2, (v, w) => w.i16(toInt(v, 'Short', -32768, 32767)), (v) => toInt(v, 'Short', -32768, 32767));
    case 'int':
      return fixed('Integer', 4, (v, w) => w.i32(toInt(v, 'Integer', -0x80000000, 0x7fffffff)), (v) => toInt(v, 'Integer', -0x80000000, 0x7fffffff));
    case 'long':
      return fixed(
        'Long',
        8,
        (v, w) => w.i64(typeof v === 'number' && Number.isSafeInteger(v) ? v : toLong(v)),
        (v) => {
          if (typeof v === 'number' && Number.isSafeInteger(v)) {
            // (int)(v ^ (v >>> 32)) without BigInt
            const hi = Math.floor(v / 4294967296);
            return (hi ^ (v >>> 0)) | 0;
          }
          return javaHashCode(toLong(v), 'Long');
        },
      );
    case 'float':
      return fixed('Float', 4, (v, w) => w.f32(toFloat(v, 'Float')), (v) => javaHashCode(toFloat(v, 'Float'), 'Float'));
    case 'double':
      return fixed('Double', 8, (v, w) => w.f64(toFloat(v, 'Double')), (v) => javaHashCode(toFloat(v, 'Double'), 'Double'));
    case 'char': {
      const unit = (v: unknown) => {
        if (typeof v === 'string' && v.length === 1) return v.charCodeAt(0);
        return fail('Character', v, 'expected a one-character string');
      };
      return fixed('Character', 2, (v, w) => w.u16(unit(v)), (v) => unit(v));
    }
    case 'string':
      return {
        type: 'String',
        length: -1,
        write: (v, w) => {
          if (v === null) return writeFlinkString(w, null);
          if (typeof v === 'string') return writeFlinkString(w, v);
          if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return writeFlinkString(w, String(v));
          fail('String', v);
        },
        hash: (v) => {
          if (v === null || v === undefined) fail('String key', v, 'a key cannot be null');
          return javaHashCode(String(v), 'String');
        },
      };
    case 'void':
      return fixed('Void', 1, (_v, w) => w.u8(0));
    case 'voidNamespace':
      return fixed('VoidNamespace', 0, (_v, w) => w.u8(0));
    case 'globalWindow':
      return fixed('GlobalWindow', 0, (_v, w) => w.u8(0));
    case 'timeWindow':
      return fixed('TimeWindow', 16, (v, w) => {
        const o = v as { start?: unknown; end?: unknown };
        if (!o || typeof o !== 'object') fail('TimeWindow', v, 'expected {"start":…,"end":…}');
        w.i64(toLong(o.start, 'TimeWindow start'));
        w.i64(toLong(o.end, 'TimeWindow end'));
      });
    case 'bigint':
      return {
        type: 'BigInteger',
        length: -1,
        write: (v, w) => writeBigInteger(isNullish(v) ? null : toBigInt(v, 'BigInteger'), w),
      };
    case 'bigdec':
      return {
        type: 'BigDecimal',
        length: -1,
        write: (v, w) => {
          if (isNullish(v)) {
            w.i32(0);
            return;
          }
          const d = parseBigDecimal(v, 'BigDecimal');
          writeBigInteger(d.unscaled, w);
          w.i32(d.scale);
        },
      };
    case 'instant':
      return fixed('Instant', 12, (v, w) => {
        if (isNullish(v)) {
          w.i64(I64_MIN);
          w.i32(-0x80000000);
          return;
        }
        const i = parseInstant(v, 'Instant');
        w.i64(i.seconds);
        w.i32(i.nanos);
      }, (v) => {
        const i = parseInstant(v, 'Instant');
        return (javaHashCode(i.seconds, 'Long') + Math.imul(51, i.nanos)) | 0;
      });
    case 'localDate': {
      const wd = (v: unknown, w: Sink) => {
        if (isNullish(v)) {
          w.i32(-0x80000000);
          w.i16(-32768);
          return;
        }
        const d = parseDate(v, 'LocalDate');
        w.i32(d.year);
        w.i8(d.month);
        w.i8(d.day);
      };
      return fixed('LocalDate', 6, wd, (v) => {
        const d = parseDate(v, 'LocalDate');
        return ((d.year & 0xfffff800) ^ ((d.year << 11) + (d.month << 6) + d.day)) | 0;
      });
    }
    case 'localTime':
      return fixed('LocalTime', 7, (v, w) => writeLocalTime(v, w));
    case 'localDateTime':
      return fixed('LocalDateTime', 13, (v, w) => {
        if (isNullish(v)) {
          w.i32(-0x80000000);
          w.i16(-32768);
          writeLocalTime(null, w);
          return;
        }
        const m = typeof v === 'string' ? /^(.+?)T(.+)$/.exec(v.trim()) : null;
        if (!m) fail('LocalDateTime', v, 'expected YYYY-MM-DDTHH:MM:SS[.fraction]');
        const d = parseDate(m[1], 'LocalDateTime');
        w.i32(d.year);
        w.i8(d.month);
        w.i8(d.day);
        writeLocalTime(m[2], w);
      });
    case 'date':
    case 'sqlDate':
    case 'sqlTime':
      return fixed(s.kind, 8, (v, w) => w.i64(isNullish(v) ? I64_MIN : toLong(v, 'epoch milliseconds')));
    case 'sqlTimestamp':
      return fixed('SqlTimestamp', 12, (v, w) => {
        if (isNullish(v)) {
          w.i64(I64_MIN);
          w.i32(0);
          return;
        }
        if (typeof v === 'object') {
          const o = v as { millis?: unknown; nanos?: unknown };
          w.i64(toLong(o.millis, 'SqlTimestamp millis'));
          w.i32(toInt(o.nanos ?? 0, 'SqlTimestamp nanos', 0, 999_999_999));
        } else {
          const ms = toLong(v, 'SqlTimestamp');
          w.i64(ms);
          w.i32(Number(((ms % 1000n) + 1000n) % 1000n) * 1_000_000);
        }
      });
    case 'byteArray':
      return {
        type: 'byte[]',
        length: -1,
        write: (v, w) => {
          let b: Uint8Array;
          if (v && typeof v === 'object' && typeof (v as { $hex?: unknown }).$hex === 'string') b = fromHex((v as { $hex: string }).$hex);
          else if (Array.isArray(v)) b = Uint8Array.from(v.map((x) => toInt(x, 'byte', -128, 255) & 0xff));
          else if (typeof v === 'string' && /^([0-9a-fA-F]{2})*$/.test(v)) b = fromHex(v);
          else return fail('byte[]', v, 'expected {"$hex":"…"}');
          w.i32(b.length);
          w.bytes(b);
        },
      };
    case 'intArray':
    case 'longArray':
    case 'shortArray':
    case 'booleanArray':
    case 'charArray':
    case 'floatArray':
    case 'doubleArray': {
      const el = build({ className: '', version: 3, nested: [], kind: s.kind.replace('Array', '') as SerializerSnapshot['kind'] }, depth + 1);
      return {
        type: `${s.kind.replace('Array', '')}[]`,
        length: -1,
        write: (v, w) => {
          if (!Array.isArray(v)) fail(s.kind, v, 'expected an array');
          w.i32(v.length);
          for (const x of v) el.write(x, w);
        },
      };
    }
    case 'stringArray':
      return {
        type: 'String[]',
        length: -1,
        write: (v, w) => {
          if (!Array.isArray(v)) fail('String[]', v, 'expected an array');
          w.i32(v.length);
          for (const x of v) writeFlinkString(w, x === null ? null : String(x));
        },
      };
    case 'genericArray': {
      const el = sub(s.nested[0]);
      return {
        type: `${el.type}[]`,
        length: -1,
        write: (v, w) => {
          if (!Array.isArray(v)) fail(`${el.type}[]`, v, 'expected an array');
          w.i32(v.length);
          for (const x of v) {
            if (isNullish(x)) w.bool(false);
            else {
              w.bool(true);
              el.write(x, w);
            }
          }
        },
      };
    }
    case 'list':
    case 'arrayList': {
      const el = sub(s.nested[0]);
      return {
        type: `List<${el.type}>`,
        length: -1,
        write: (v, w) => {
          if (!Array.isArray(v)) fail(`List<${el.type}>`, v, 'expected an array');
          w.i32(v.length);
          for (const x of v) el.write(x, w);
        },
      };
    }
    case 'set': {
      const el = sub(s.nested[0]);
      return {
        type: `Set<${el.type}>`,
        length: -1,
        write: (v, w) => {
          if (!Array.isArray(v)) fail(`Set<${el.type}>`, v, 'expected an array');
          w.i32(v.length);
          for (const x of v) {
            if (isNullish(x)) w.bool(true);
            else {
              w.bool(false);
              el.write(x, w);
            }
          }
        },
      };
    }
    case 'map': {
      const k = sub(s.nested[0]);
      const val = sub(s.nested[1]);
      return {
        type: `Map<${k.type}, ${val.type}>`,
        length: -1,
        write: (v, w) => {
          const pairs = mapPairs(v, `Map<${k.type}, ${val.type}>`);
          w.i32(pairs.length);
          for (const [pk, pv] of pairs) {
            k.write(pk, w);
            if (isNullish(pv)) w.bool(true);
            else {
              w.bool(false);
              val.write(pv, w);
            }
          }
        },
      };
    }
    case 'tuple0':
      return fixed('Tuple0', 0, () => undefined, () => 0);
    case 'tuple': {
      const fields = s.nested.map((n) => sub(n));
      const type = `Tuple${fields.length}<${fields.map((f) => f.type).join(', ')}>`;
      const length = fields.every((f) => f.length > 0) ? fields.reduce((a, f) => a + f.length, 0) : -1;
      const items = (v: unknown): unknown[] => {
        if (Array.isArray(v) && v.length === fields.length) return v;
        if (v && typeof v === 'object' && !Array.isArray(v)) {
          const o = v as Record<string, unknown>;
          if (fields.every((_f, i) => `f${i}` in o)) return fields.map((_f, i) => o[`f${i}`]);
        }
        return fail(type, v, `expected an array of ${fields.length} fields`);
      };
      return {
        type,
        length,
        write: (v, w) => {
          const a = items(v);
          for (let i = 0; i < fields.length; i++) {
            if (isNullish(a[i])) fail(type, v, 'tuple fields cannot be null');
            fields[i].write(a[i], w);
          }
        },
        hash: fields.every((f) => f.hash)
          ? (v) => {
              const a = items(v);
              let h = 0;
              for (let i = 0; i < fields.length; i++) h = (Math.imul(31, h) + (isNullish(a[i]) ? 0 : fields[i].hash!(a[i]))) | 0;
              return h;
            }
          : undefined,
      };
    }
    case 'row': {
      const fields = s.nested.map((n) => sub(n));
      const kinds = s.row?.supportsRowKind ?? true;
      const type = `Row<${fields.map((f) => f.type).join(', ')}>`;
      return {
        type,
        length: -1,
        write: (v, w) => {
          let kind = 0;
          let a: unknown[];
          if (Array.isArray(v)) a = v;
          else if (v && typeof v === 'object' && Array.isArray((v as { fields?: unknown }).fields)) {
            a = (v as { fields: unknown[] }).fields;
            const k = (v as { $row?: unknown }).$row ?? '+I';
            kind = ['+I', '-U', '+U', '-D'].indexOf(String(k));
            if (kind < 0) fail(type, v, 'row kind must be +I, -U, +U or -D');
          } else return fail(type, v, 'expected {"$row":"+I","fields":[…]} or an array');
          if (a.length !== fields.length) fail(type, v, `expected ${fields.length} fields`);
          const bits: boolean[] = [];
          if (kinds) bits.push((kind & 1) !== 0, (kind & 2) !== 0);
          for (const x of a) bits.push(isNullish(x));
          for (let i = 0; i < bits.length; i += 8) {
            let b = 0;
            for (let j = 0; j < 8; j++) if (i + j < bits.length && bits[i + j]) b |= 0x80 >>> j;
            w.u8(b);
          }
          for (let i = 0; i < fields.length; i++) if (!isNullish(a[i])) fields[i].write(a[i], w);
        },
      };
    }
    case 'nullable': {
      const inner = sub(s.nested[0]);
      const pad = s.nullable?.paddingLength ?? 0;
      return {
        type: `Nullable<${inner.type}>`,
        length: pad > 0 ? inner.length + 1 : -1,
        write: (v, w) => {
          if (isNullish(v)) {
            w.bool(true);
            for (let i = 0; i < pad; i++) w.u8(0);
          } else {
            w.bool(false);
            inner.write(v, w);
          }
        },
        hash: inner.hash,
      };
    }
    case 'enum': {
      const e = s.enum!;
      const index = new Map(e.constants.map((c, i) => [c, i]));
      return fixed(`Enum<${e.className}>`, 4, (v, w) => {
        const i = typeof v === 'string' ? index.get(v) : undefined;
        if (i === undefined) fail(`Enum<${e.className}>`, v, `expected one of ${e.constants.join(', ')}`);
        w.i32(i);
      });
    }
    case 'pojo': {
      const p = s.pojo!;
      if (p.registeredSubclasses.length || p.nonRegisteredSubclasses.length) {
        // the exact class is still writable; subclass values are not
      }
      const fields = p.fields.map((f) => ({ name: f.name, enc: f.snapshot ? build(f.snapshot, depth + 1) : undefined }));
      const type = `Pojo<${p.className}>`;
      return {
        type,
        length: -1,
        write: (v, w) => {
          if (isNullish(v)) {
            w.u8(0x01);
            return;
          }
          if (typeof v !== 'object' || Array.isArray(v)) fail(type, v, 'expected a JSON object of its fields');
          const o = v as Record<string, unknown>;
          if ('$class' in o && o.$class !== p.className) fail(type, v, 'subclass values cannot be written');
          for (const k of Object.keys(o)) {
            if (k !== '$class' && !fields.some((f) => f.name === k)) fail(type, v, `no field ${JSON.stringify(k)}`);
          }
          w.u8(0x02);
          for (const f of fields) {
            const x = o[f.name];
            if (isNullish(x)) w.bool(true);
            else {
              if (!f.enc) fail(type, v, `field ${f.name} has no serializer snapshot`);
              w.bool(false);
              f.enc.write(x, w);
            }
          }
        },
      };
    }
    case 'avro': {
      const a = s.avro!;
      const enc = avroEncoder(a.schema, new Map(), undefined);
      return { type: `Avro`, length: -1, write: (v, w) => enc(v, w) };
    }
    case 'ttl': {
      const user = sub(s.nested[1]);
      return {
        type: `Ttl<${user.type}>`,
        length: -1,
        write: (v, w) => {
          const o = v as { $ttl?: unknown; value?: unknown };
          if (!o || typeof o !== 'object' || !('$ttl' in o)) fail(`Ttl<${user.type}>`, v, 'expected {"$ttl":<timestamp>,"value":…}');
          w.i64(toLong(o.$ttl, 'TTL timestamp'));
          user.write(o.value, w);
        },
      };
    }
    case 'caseClass':
    case 'option':
    case 'either':
    case 'traversable':
    case 'scalaEnum':
      throw new EncodeError(
        `values of ${typeString(s)} cannot be written: Scala API serializers (case classes, Option, Either, Scala collections, Enumeration values) are read-only`,
      );
    case 'rowData':
    case 'binaryRow':
    case 'stringData':
    case 'decimalData':
    case 'timestampData':
    case 'external':
      throw new EncodeError(
        `values of ${typeString(s)} cannot be written: Table API / SQL rows and values (RowData and the table runtime's data serializers, the state of SQL operators) are read-only`,
      );
    default:
      throw new EncodeError(`values of ${s.kind === 'unknown' ? s.className : s.kind} cannot be written (Kryo, Java-serialized and unknown serializers are not supported)`);
  }
}

function writeLocalTime(v: unknown, w: Sink): void {
  if (isNullish(v)) {
    w.i8(-128);
    w.i16(-32768);
    w.i32(-0x80000000);
    return;
  }
  const t = parseTime(v, 'LocalTime');
  w.i8(t.hour);
  w.i8(t.minute);
  w.i8(t.second);
  w.i32(t.nano);
}

function mapPairs(v: unknown, type: string): [unknown, unknown][] {
  if (Array.isArray(v)) {
    return v.map((p) => {
      if (!Array.isArray(p) || p.length !== 2) fail(type, v, 'expected an array of [key, value] pairs');
      return [p[0], p[1]] as [unknown, unknown];
    });
  }
  if (v && typeof v === 'object') return Object.entries(v as Record<string, unknown>);
  return fail(type, v, 'expected [[key, value], …] or an object');
}

// --- Avro with Flink's DataOutputEncoder ---------------------------------------------------------

type AvroWrite = (v: unknown, w: Sink) => void;
const utf8 = new TextEncoder();

function avroEncoder(schema: unknown, named: Map<string, AvroWrite>, ns: string | undefined): AvroWrite {
  if (typeof schema === 'string') {
    switch (schema) {
      case 'null':
        return (v) => {
          if (!isNullish(v)) fail('Avro null', v);
        };
      case 'boolean':
        return (v, w) => w.bool(toBool(v, 'Avro boolean'));
      case 'int':
        return (v, w) => w.i32(toInt(v, 'Avro int', -0x80000000, 0x7fffffff));
      case 'long':
        return (v, w) => w.i64(toLong(v, 'Avro long'));
      case 'float':
        return (v, w) => w.f32(toFloat(v, 'Avro float'));
      case 'double':
        return (v, w) => w.f64(toFloat(v, 'Avro double'));
      case 'string':
        return (v, w) => {
          if (typeof v !== 'string') fail('Avro string', v);
          w.lenBytes(utf8.encode(v));
        };
      case 'bytes':
        return (v, w) => {
          const h = (v as { $hex?: unknown })?.$hex;
          if (typeof h !== 'string') fail('Avro bytes', v, 'expected {"$hex":"…"}');
          w.lenBytes(fromHex(h));
        };
      default: {
        const full = schema.includes('.') || !ns ? schema : `${ns}.${schema}`;
        return (v, w) => {
          const e = named.get(full) ?? named.get(schema);
          if (!e) fail(`Avro ${schema}`, v, 'unknown named type');
          e(v, w);
        };
      }
    }
  }
  if (Array.isArray(schema)) {
    const branches = schema.map((b) => ({ schema: b, enc: avroEncoder(b, named, ns) }));
    return (v, w) => {
      for (let i = 0; i < branches.length; i++) {
        if (avroMatches(branches[i].schema, v, named)) {
          w.i32(i);
          branches[i].enc(v, w);
          return;
        }
      }
      fail('Avro union', v, 'no branch matches');
    };
  }
  const o = schema as Record<string, unknown>;
  const t = o.type;
  if (t === 'record' || t === 'error') {
    const name = String(o.name);
    const space = typeof o.namespace === 'string' ? o.namespace : ns;
    const full = name.includes('.') || !space ? name : `${space}.${name}`;
    let fields: { name: string; enc: AvroWrite; def: unknown; hasDef: boolean }[] = [];
    const enc: AvroWrite = (v, w) => {
      if (!v || typeof v !== 'object' || Array.isArray(v)) fail(`Avro record ${full}`, v);
      const r = v as Record<string, unknown>;
      for (const f of fields) {
        const x = f.name in r ? r[f.name] : f.hasDef ? f.def : undefined;
        f.enc(x === undefined ? null : x, w);
      }
    };
    named.set(full, enc);
    named.set(name, enc);
    fields = (o.fields as Record<string, unknown>[]).map((f) => ({
      name: String(f.name),
      enc: avroEncoder(f.type, named, full.includes('.') ? full.slice(0, full.lastIndexOf('.')) : undefined),
      def: f.default,
      hasDef: 'default' in f,
    }));
    return enc;
  }
  if (t === 'enum') {
    const symbols = o.symbols as string[];
    const enc: AvroWrite = (v, w) => {
      const i = typeof v === 'string' ? symbols.indexOf(v) : -1;
      if (i < 0) fail(`Avro enum ${String(o.name)}`, v);
      w.i32(i);
    };
    named.set(String(o.name), enc);
    return enc;
  }
  if (t === 'fixed') {
    const size = Number(o.size);
    const enc: AvroWrite = (v, w) => {
      const h = (v as { $hex?: unknown })?.$hex;
      if (typeof h !== 'string' || h.length !== size * 2) fail(`Avro fixed(${size})`, v);
      w.bytes(fromHex(h));
    };
    named.set(String(o.name), enc);
    return enc;
  }
  if (t === 'array') {
    const items = avroEncoder(o.items, named, ns);
    return (v, w) => {
      if (!Array.isArray(v)) fail('Avro array', v);
      if (v.length > 0) w.varUint(v.length);
      for (const x of v) items(x, w);
      w.u8(0);
    };
  }
  if (t === 'map') {
    const values = avroEncoder(o.values, named, ns);
    return (v, w) => {
      const pairs = mapPairs(v, 'Avro map');
      if (pairs.length > 0) w.varUint(pairs.length);
      for (const [k, x] of pairs) {
        w.lenBytes(utf8.encode(String(k)));
        values(x, w);
      }
      w.u8(0);
    };
  }
  return avroEncoder(t, named, ns);
}

function avroMatches(schema: unknown, v: unknown, named: Map<string, AvroWrite>): boolean {
  const t = typeof schema === 'string' ? schema : Array.isArray(schema) ? 'union' : String((schema as Record<string, unknown>).type);
  switch (t) {
    case 'null':
      return isNullish(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'int':
    case 'long':
      return typeof v === 'number' ? Number.isInteger(v) : typeof v === 'string' && /^-?\d+$/.test(v);
    case 'float':
    case 'double':
      return typeof v === 'number' || v === 'NaN' || v === 'Infinity' || v === '-Infinity';
    case 'string':
      return typeof v === 'string';
    case 'bytes':
    case 'fixed':
      return !!v && typeof v === 'object' && '$hex' in (v as object);
    case 'enum':
      return typeof v === 'string';
    case 'array':
      return Array.isArray(v);
    case 'map':
    case 'record':
      return !!v && typeof v === 'object' && !Array.isArray(v) && !('$hex' in (v as object));
    default:
      return !isNullish(v) && named.has(t);
  }
}
