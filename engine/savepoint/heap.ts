/**
 * Key groups of a hashmap (heap) backend checkpoint (dump-format.md §2.4): the handle's offsets point
 * at, per key group, an i32 key-group id, then per state a block (Snappy-framed on its own when the
 * header says compressed): a u16 state id and the state's entries. Key/value states: an i32 count,
 * then namespace, key and state value per entry (a list as ListSerializer writes it, a map as
 * MapSerializer does); priority queues (timers): an i32 count, then the elements. Nothing is length
 * delimited, so every part is walked with its codec.
 *
 * A key group is turned into the canonical section the heap backend would write for a savepoint
 * (composite keys: key-group prefix, key, namespace, with the ambiguity suffixes; a list's elements
 * joined by the delimiter byte; one entry per map key with the null flag before the value; timers as
 * their element bytes), so the canonical decoders, the dump order and key lookups apply unchanged.
 */
import { SavepointFormatError } from './errors';
import * as fs from 'node:fs';
import { ByteReader, ByteSink } from './io';
import { KeyGroupsHandle, KeyedHandle, StreamHandle } from './metadata';
import { codecOf, SectionIndex } from './keyed';
import { snappyFramedDecode } from './snappy';
import { StateTypes } from './statemeta';
import { typeString } from './serializers';
import { keyGroupPrefixBytes } from './murmur';
import { Codec } from './values';

/**
 * A checkpoint key-group handle in the heap layout. `_metadata` does not say which backend wrote a
 * key-group handle, so the bytes decide: the heap backend writes every key group of its range (none
 * is at offset 0) and starts each with its id as an i32; a full RocksDB checkpoint (the canonical
 * layout) leaves key groups without data at 0 and starts a key group with a 2-byte state id (or a
 * Snappy frame), so its first i32 is not the key group's id. When the first bytes cannot be read (a
 * moved checkpoint), the offsets decide and reading reports the missing file.
 */
export function isHeapKeyGroups(h: KeyedHandle | null): h is KeyGroupsHandle {
  if (!h || (h.type !== 3 && h.type !== 12) || h.offsets.length === 0 || !h.offsets.every((o) => o !== 0)) return false;
  let known = heapLayoutOf.get(h);
  if (known === undefined) {
    const first = firstI32(h.data, h.offsets[0]);
    known = first === undefined || first === h.start;
    heapLayoutOf.set(h, known);
  }
  return known;
}

const heapLayoutOf = new WeakMap<KeyGroupsHandle, boolean>();

/** The big-endian i32 at `offset` of a handle's data, or undefined when it cannot be read. */
function firstI32(d: StreamHandle | null, offset: number): number | undefined {
  if (!d || offset < 0) return undefined;
  const four = new Uint8Array(4);
  try {
    if (d.type === 1) {
      if (offset + 4 > d.data.length) return undefined;
      four.set(d.data.subarray(offset, offset + 4));
    } else {
      const file = d.type === 15 ? d.path : d.type === 2 || d.type === 6 ? d.path : undefined;
      if (!file) return undefined;
      const at = (d.type === 15 ? d.startPos : 0) + offset;
      const fd = fs.openSync(file, 'r');
      try {
        if (fs.readSync(fd, four, 0, 4, at) !== 4) return undefined;
      } finally {
        fs.closeSync(fd);
      }
    }
  } catch {
    return undefined;
  }
  return new DataView(four.buffer).getInt32(0);
}

/** How one state's entries are walked (codecs of the parts stored without a length). */
interface HeapState {
  t: StateTypes;
  key?: Codec;
  ns?: Codec;
  userKey?: Codec;
  value?: Codec;
  ambiguous: boolean;
}

function known(c: Codec | undefined, r: ByteReader, what: string, type: string): Codec {
  if (!c || c.opaque) r.fail(`${what} of a type with a known serialized length (heap checkpoint layout)`, type);
  return c;
}

function heapState(t: StateTypes): HeapState {
  const s: HeapState = { t, ambiguous: false };
  if (t.key) s.key = codecOf(t.key);
  if (t.namespace) s.ns = codecOf(t.namespace);
  if (t.userKey) s.userKey = codecOf(t.userKey);
  if (t.value) s.value = codecOf(t.value);
  s.ambiguous = !!(s.key && s.ns && s.key.fixedLength < 0 && s.ns.fixedLength < 0);
  return s;
}

const cache = new WeakMap<StateTypes, HeapState>();

/** CompositeKeySerializationUtils.writeVariableIntBytes */
function variableIntBytes(out: ByteSink, value: number): void {
  do {
    out.byte(value & 0xff);
    value >>>= 8;
  } while (value !== 0);
}

/**
 * The canonical section index of one heap key group: `bytes` are the key group's bytes (from its
 * offset to the next one) at file offset `base`.
 */
export function heapKeyGroupIndex(bytes: Uint8Array, file: string, base: number, kg: number, compressed: boolean, types: StateTypes[], maxParallelism: number): SectionIndex {
  const r = new ByteReader(bytes, file, base);
  const idAt = r.offset;
  const id = r.i32('the key-group id (heap checkpoint layout)');
  if (id !== kg) r.fail(`key-group id ${kg} (heap checkpoint layout)`, String(id), idAt);
  if (!compressed) return heapBlocks(r, kg, types, maxParallelism);
  const plain = snappyFramedDecode(bytes.subarray(4), file, base + 4);
  try {
    return heapBlocks(new ByteReader(plain, file, 0), kg, types, maxParallelism);
  } catch (e) {
    if (e instanceof SavepointFormatError) {
      throw new SavepointFormatError(file, base, `${e.expected} (at byte ${e.offset} of the decompressed key group)`, e.found);
    }
    throw e;
  }
}

function heapBlocks(r: ByteReader, kg: number, types: StateTypes[], maxParallelism: number): SectionIndex {
  const prefix = keyGroupPrefixBytes(maxParallelism);
  const out = new ByteSink(Math.max(1 << 10, r.remaining * 2));
  const state: number[] = [];
  const ks: number[] = [];
  const ke: number[] = [];
  const vs: number[] = [];
  const ve: number[] = [];
  const buf = r.buf;
  let keyStart = 0;
  const beginKey = () => {
    keyStart = out.pos;
    if (prefix === 2) out.byte((kg >>> 8) & 0xff);
    out.byte(kg & 0xff);
  };
  /** the entry whose composite key began at keyStart; its value is written after this call */
  const endKey = (id: number) => {
    state.push(id);
    ks.push(keyStart);
    ke.push(out.pos);
    vs.push(out.pos);
  };
  const endValue = () => ve.push(out.pos);
  /** one part walked with its codec, copied into the composite key or value */
  const copy = (c: Codec) => {
    const from = r.pos;
    c.decode(r);
    out.bytes(buf.subarray(from, r.pos));
    return r.pos - from;
  };
  while (r.remaining > 0) {
    const sAt = r.offset;
    const id = r.u16('a state id (heap checkpoint layout)');
    if (id >= types.length) r.fail(`a state id below ${types.length}`, String(id), sAt);
    const t = types[id];
    let s = cache.get(t);
    if (!s) cache.set(t, (s = heapState(t)));
    const n = r.count(`the entry count of state ${JSON.stringify(t.name)}`, 1);
    if (t.backend === 'PRIORITY_QUEUE') {
      for (let i = 0; i < n; i++) {
        beginKey();
        if (t.kind === 'TIMER') {
          out.bytes(r.bytes(8, 'the timer timestamp'));
          copy(known(s.key, r, 'the timer key', t.key ? typeString(t.key) : 'Unknown'));
          copy(known(s.ns, r, 'the timer namespace', t.namespace ? typeString(t.namespace) : 'Unknown'));
        } else {
          copy(known(s.value, r, 'a priority queue element', t.value ? typeString(t.value) : 'Unknown'));
        }
        endKey(id);
        endValue();
      }
      continue;
    }
    const keyC = known(s.key, r, 'a key', t.key ? typeString(t.key) : 'Unknown');
    const nsC = known(s.ns, r, 'a namespace', t.namespace ? typeString(t.namespace) : 'Unknown');
    const valueC = () => known(s!.value, r, 'a state value', t.value ? typeString(t.value) : 'Unknown');
    for (let i = 0; i < n; i++) {
      // stored namespace first, then the key; the composite key is key, then namespace
      const nsFrom = r.pos;
      nsC.decode(r);
      const nsBytes = buf.subarray(nsFrom, r.pos);
      beginKey();
      const kl = copy(keyC);
      if (s.ambiguous) variableIntBytes(out, kl);
      out.bytes(nsBytes);
      if (s.ambiguous) variableIntBytes(out, nsBytes.length);
      if (t.kind === 'LIST') {
        endKey(id);
        const m = r.count(`the list size of state ${JSON.stringify(t.name)}`, 1);
        const c = valueC();
        for (let j = 0; j < m; j++) {
          if (j > 0) out.byte(0x2c);
          copy(c);
        }
        endValue();
      } else if (t.kind === 'MAP') {
        const m = r.count(`the map size of state ${JSON.stringify(t.name)}`, 1);
        const ukC = known(s.userKey, r, 'a user key', t.userKey ? typeString(t.userKey) : 'Unknown');
        const keyHead = out.buf.slice(keyStart, out.pos);
        for (let j = 0; j < m; j++) {
          if (j > 0) {
            keyStart = out.pos;
            out.bytes(keyHead);
          }
          copy(ukC);
          endKey(id);
          const isNull = r.bool('the map value null flag');
          out.byte(isNull ? 1 : 0);
          if (!isNull) copy(valueC());
          endValue();
        }
        // an empty map prints nothing: drop its composite key
        if (m === 0) out.pos = keyStart;
      } else {
        endKey(id);
        copy(valueC());
        endValue();
      }
    }
  }
  const count = state.length;
  return {
    buf: out.view(),
    file: r.file,
    base: 0,
    count,
    state: Uint16Array.from(state),
    keyStart: Int32Array.from(ks),
    keyEnd: Int32Array.from(ke),
    valStart: Int32Array.from(vs),
    valEnd: Int32Array.from(ve),
  };
}
