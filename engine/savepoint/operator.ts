/**
 * Operator state files (savepoint-format.md §6): the operator backend header (proxy v5/v6),
 * list/union elements at the handle's offsets and broadcast maps, plain or Snappy-compressed.
 */
import { ByteReader, compareBytes, toHex } from './io';
import { typeString } from './serializers';
import { snappyFramedDecode } from './snappy';
import { readStateMetaInfo, StateMetaInfo, stateTypes, StateTypes } from './statemeta';
import { codecOf, rawJson } from './keyed';
import { Limits } from './errors';

export interface OperatorHeader {
  version: number;
  compressed: boolean;
  operatorStates: StateMetaInfo[];
  broadcastStates: StateMetaInfo[];
  types: StateTypes[];
  end: number;
}

export function readOperatorHeader(r: ByteReader): OperatorHeader {
  const vAt = r.offset;
  const version = r.i32('the operator backend proxy version');
  if (version !== 5 && version !== 6) r.fail('operator backend proxy version 5 or 6', String(version), vAt);
  const compressed = version >= 6 ? r.bool('the compression flag') : false;
  const nAt = r.offset;
  const n = r.i16('the operator state count');
  if (n < 0) r.fail('a non-negative operator state count', String(n), nAt);
  const operatorStates: StateMetaInfo[] = [];
  for (let i = 0; i < n; i++) {
    const at = r.offset;
    const m = readStateMetaInfo(r);
    if (m.backend !== 'OPERATOR') r.fail('an OPERATOR state meta info', m.backend, at);
    operatorStates.push(m);
  }
  const bAt = r.offset;
  const nb = r.i16('the broadcast state count');
  if (nb < 0) r.fail('a non-negative broadcast state count', String(nb), bAt);
  const broadcastStates: StateMetaInfo[] = [];
  for (let i = 0; i < nb; i++) {
    const at = r.offset;
    const m = readStateMetaInfo(r);
    if (m.backend !== 'BROADCAST') r.fail('a BROADCAST state meta info', m.backend, at);
    broadcastStates.push(m);
  }
  const types = [...operatorStates, ...broadcastStates].map((m) => stateTypes(m));
  return { version, compressed, operatorStates, broadcastStates, types, end: r.offset };
}

/** Bytes of one element / broadcast map, given its [start, end) range in the data stream. */
export function sliceRange(
  data: Uint8Array,
  file: string,
  base: number,
  start: number,
  end: number,
  compressed: boolean,
): ByteReader {
  const s = start - base;
  const e = end - base;
  if (s < 0 || e > data.length || s > e) {
    new ByteReader(data, file, base).fail(`an element range inside the state data [${base}, ${base + data.length})`, `[${start}, ${end})`, start);
  }
  if (!compressed) return new ByteReader(data, file, base, s, e);
  const plain = snappyFramedDecode(data, file, base, s, e, Limits.maxBytes);
  return new ByteReader(plain, file, start);
}

/** Renders one list/union element (a tail position). */
export function renderListElement(t: StateTypes, r: ByteReader): string {
  const c = t.value ? codecOf(t.value) : undefined;
  if (!c || !c.decodableInTail) return rawJson(r.buf.subarray(r.pos, r.end), t.value ? typeString(t.value) : 'Unknown');
  return (c.json ? c.json(r) : c.toJson(c.decode(r)));
}

export interface BroadcastEntry {
  rawKey: Uint8Array;
  key?: string;
  value: string;
}

/** Reads a broadcast map at `r`: i32 count, then key/value pairs (no null flags). */
export function readBroadcastMap(t: StateTypes, r: ByteReader): BroadcastEntry[] | { raw: string } {
  const kc = t.key ? codecOf(t.key) : undefined;
  const vc = t.value ? codecOf(t.value) : undefined;
  const n = r.count('the broadcast entry count', 0);
  if (!kc || !vc || kc.opaque || vc.opaque) {
    const type = `Map<${t.key ? typeString(t.key) : 'Unknown'}, ${t.value ? typeString(t.value) : 'Unknown'}>`;
    return { raw: `{"$raw":"${toHex(r.buf.subarray(r.pos, r.end))}","type":${JSON.stringify(type)}}` };
  }
  const out: BroadcastEntry[] = [];
  for (let i = 0; i < n; i++) {
    const ks = r.pos;
    if (r.remaining <= 0) r.fail('a broadcast entry', 'the end of the data');
    const key = (kc.json ? kc.json(r) : kc.toJson(kc.decode(r)));
    const rawKey = r.buf.subarray(ks, r.pos);
    const value = (vc.json ? vc.json(r) : vc.toJson(vc.decode(r)));
    out.push({ rawKey, key, value });
  }
  out.sort((a, b) => compareBytes(a.rawKey, b.rawKey));
  return out;
}
