/**
 * Timers in written savepoints (savepoint-format.md §5.3–5.6): the bootstrap spec's `timers` section
 * of a keyed operator becomes the two PRIORITY_QUEUE states Flink's InternalTimeServiceManager
 * registers for a timer service — `_timer_state/processing_<service>` and `_timer_state/event_<service>`,
 * no options, one VALUE_SERIALIZER = TimerSerializerSnapshot(key, namespace) — and one entry per timer:
 *
 *   key   = key-group prefix ‖ i64 (timestamp XOR sign bit) ‖ key bytes ‖ namespace bytes   (TimerSerializer)
 *   value = empty
 *
 * Also the single-timer helpers the entries editor uses to add and remove timers of an existing
 * savepoint (`timerKeyBytes`, `isTimerState`, `timerStateName`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SerializerSnapshot } from '../serializers';
import { StateMetaInfo, TIMER_SNAPSHOT } from '../statemeta';
import { keyGroupForHash } from '../murmur';
import { Encoder, encoderFor, EncodeError, toLong } from './encode';
import type { EntryStore, Sink } from './store';
import { ByteWriter } from '../writer-io';
import type { DataCache } from './bootstrap';
import { VOID_NAMESPACE } from './types';

export type TimerDomain = 'event' | 'processing';

export const TIME_WINDOW_NAMESPACE: SerializerSnapshot = {
  className: 'org.apache.flink.streaming.api.windowing.windows.TimeWindow$Serializer$TimeWindowSerializerSnapshot',
  version: 3,
  nested: [],
  kind: 'timeWindow',
};

/** The `timers` section of a keyed operator in the bootstrap spec (docs/bootstrap-spec.md §Timers). */
export interface TimersSpec {
  /** absolute path of the .jsonl / .csv data file */
  data: string;
  keyField: string;
  timestampField: string;
  /** per-row domain ("event" / "processing") … */
  domainField?: string;
  /** … or one domain for every row */
  domain?: TimerDomain;
  /** the timer service name: `user-timers` for ProcessFunctions, `window-timers` for window operators */
  service: string;
  namespaceType: 'VoidNamespace' | 'TimeWindow';
  windowStartField?: string;
  windowEndField?: string;
}

/** Bad `timers` sections and rows (an EncodeError, so the CLI reports it as one line). */
export class TimersSpecError extends EncodeError {}

const PREFIX = '_timer_state/';
const SIGN = 1n << 63n;

/** `_timer_state/event_<service>` / `_timer_state/processing_<service>` (InternalTimeServiceManagerImpl). */
export function timerStateName(domain: TimerDomain, service = 'user-timers'): string {
  return `${PREFIX}${domain}_${service}`;
}

/** The domain and service of a timer state name, or undefined for other states. */
export function parseTimerStateName(name: string): { domain: TimerDomain; service: string } | undefined {
  const m = /^_timer_state\/(event|processing)_(.+)$/.exec(name);
  return m ? { domain: m[1] as TimerDomain, service: m[2] } : undefined;
}

/** A PRIORITY_QUEUE state whose elements are TimerSerializer timers. */
export function isTimerState(m: StateMetaInfo): boolean {
  return m.backend === 'PRIORITY_QUEUE' && m.serializers.get('VALUE_SERIALIZER')?.className === TIMER_SNAPSHOT;
}

/** TimerSerializerSnapshot: composite, snapshot version 3, outer version 2, nested (key, namespace). */
export function timerSnapshot(key: SerializerSnapshot, namespace: SerializerSnapshot): SerializerSnapshot {
  return { className: TIMER_SNAPSHOT, version: 3, nested: [key, namespace], kind: 'timer', outerVersion: 2 };
}

/** The meta info of one timer queue exactly as RegisteredPriorityQueueStateBackendMetaInfo snapshots it. */
export function timerStateMeta(domain: TimerDomain, service: string, key: SerializerSnapshot, namespace: SerializerSnapshot): StateMetaInfo {
  return {
    name: timerStateName(domain, service),
    backend: 'PRIORITY_QUEUE',
    options: new Map(),
    serializers: new Map([['VALUE_SERIALIZER', timerSnapshot(key, namespace)]]),
  };
}

function parseDomain(v: unknown, where: string): TimerDomain {
  const s = typeof v === 'string' ? v.trim().toLowerCase().replace(/[_-]?time$/, '') : '';
  if (s === 'event' || s === 'processing') return s;
  throw new TimersSpecError(`${where}: timer domain must be "event" or "processing", got ${JSON.stringify(v)}`);
}

function field(o: Record<string, unknown>, k: string, where: string, optional = false): string | undefined {
  const v = o[k];
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'string' || v === '') throw new TimersSpecError(`${where}: "${k}" must be a non-empty string`);
  return v;
}

/** Reads a `timers` section; `where` names it in errors (e.g. `operators[0].timers`). */
export function parseTimersSpec(raw: unknown, specDir: string, where: string): TimersSpec {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new TimersSpecError(`${where}: expected a JSON object`);
  const o = raw as Record<string, unknown>;
  const known = new Set(['data', 'keyField', 'timestampField', 'domainField', 'domain', 'service', 'namespaceType', 'windowStartField', 'windowEndField']);
  for (const k of Object.keys(o)) if (!known.has(k)) throw new TimersSpecError(`${where}: unknown member "${k}" (expected ${[...known].join(', ')})`);
  const data = path.resolve(specDir, field(o, 'data', where)!);
  if (!fs.existsSync(data)) throw new TimersSpecError(`${where}: data file not found: ${data}`);
  const spec: TimersSpec = {
    data,
    keyField: field(o, 'keyField', where)!,
    timestampField: field(o, 'timestampField', where)!,
    service: field(o, 'service', where, true) ?? 'user-timers',
    namespaceType: 'VoidNamespace',
  };
  spec.domainField = field(o, 'domainField', where, true);
  if (o.domain !== undefined) spec.domain = parseDomain(o.domain, `${where}.domain`);
  if (!spec.domainField && !spec.domain) throw new TimersSpecError(`${where}: give "domain" ("event" or "processing") or a "domainField"`);
  if (spec.domainField && spec.domain) throw new TimersSpecError(`${where}: give either "domain" or "domainField", not both`);
  const nt = o.namespaceType ?? 'VoidNamespace';
  if (nt !== 'VoidNamespace' && nt !== 'TimeWindow') throw new TimersSpecError(`${where}: "namespaceType" must be "VoidNamespace" or "TimeWindow"`);
  spec.namespaceType = nt;
  if (nt === 'TimeWindow') {
    spec.windowStartField = field(o, 'windowStartField', where)!;
    spec.windowEndField = field(o, 'windowEndField', where)!;
  }
  if (/[\s/]/.test(spec.service)) throw new TimersSpecError(`${where}: "service" must not contain blanks or "/"`);
  return spec;
}

export function namespaceSnapshotOf(spec: Pick<TimersSpec, 'namespaceType'>): SerializerSnapshot {
  return spec.namespaceType === 'TimeWindow' ? TIME_WINDOW_NAMESPACE : VOID_NAMESPACE;
}

/** A timestamp from the data: an integer (or digit string, for every digit of a long) or an ISO-8601 date-time. */
export function timerTimestamp(v: unknown): bigint {
  if (typeof v === 'string' && !/^\s*[-+]?\d+\s*$/.test(v)) {
    const ms = Date.parse(v);
    if (Number.isNaN(ms)) throw new EncodeError(`cannot read ${JSON.stringify(v.slice(0, 40))} as a timestamp (epoch milliseconds or an ISO-8601 date-time)`);
    return BigInt(ms);
  }
  return toLong(v, 'timestamp');
}

/** TimerSerializer's element bytes after the key-group prefix: flipped timestamp, key, namespace. */
export function writeTimerElement(w: Sink, timestamp: bigint, key: unknown, keyEnc: Encoder, namespace: unknown, nsEnc: Encoder): void {
  w.i64(BigInt.asIntN(64, timestamp ^ SIGN));
  keyEnc.write(key, w);
  nsEnc.write(namespace, w);
}

function prefixBytes(maxParallelism: number): number {
  return maxParallelism > 128 ? 2 : 1;
}

function keyGroupOf(keyEnc: Encoder, key: unknown, maxParallelism: number): number {
  if (!keyEnc.hash) throw new EncodeError(`key groups of ${keyEnc.type} keys cannot be computed`);
  return keyGroupForHash(keyEnc.hash(key), maxParallelism);
}

/** One timer's composite key (the entry's key bytes; its value is empty) and key group. */
export function timerKeyBytes(
  keySerializer: SerializerSnapshot,
  namespaceSerializer: SerializerSnapshot,
  maxParallelism: number,
  key: unknown,
  timestamp: bigint | number | string,
  namespace: unknown = null,
): { keyGroup: number; bytes: Uint8Array } {
  const keyEnc = encoderFor(keySerializer);
  const nsEnc = encoderFor(namespaceSerializer);
  const kg = keyGroupOf(keyEnc, key, maxParallelism);
  const w = new ByteWriter(64);
  if (prefixBytes(maxParallelism) === 2) w.u16(kg);
  else w.u8(kg);
  writeTimerElement(w, timerTimestamp(timestamp), key, keyEnc, namespace, nsEnc);
  return { keyGroup: kg, bytes: w.toBytes() };
}

/**
 * Adds the two timer queue states of `spec.service` to `states` (processing first, then event, as the
 * timer service registers them) and one entry per data row to `store`. Rows with the same key,
 * namespace, timestamp and domain are one timer (a priority queue *set*). Returns the timer count.
 */
export function addTimers(
  spec: TimersSpec,
  keySerializer: SerializerSnapshot,
  maxParallelism: number,
  store: EntryStore,
  states: StateMetaInfo[],
  cache: DataCache,
): number {
  const nsSnap = namespaceSnapshotOf(spec);
  for (const s of states) {
    if (s.name === timerStateName('event', spec.service) || s.name === timerStateName('processing', spec.service)) {
      throw new TimersSpecError(`timers: the states of timer service "${spec.service}" are already declared`);
    }
  }
  const ids: Record<TimerDomain, number> = { processing: states.length, event: states.length + 1 };
  states.push(timerStateMeta('processing', spec.service, keySerializer, nsSnap));
  states.push(timerStateMeta('event', spec.service, keySerializer, nsSnap));
  const keyEnc = encoderFor(keySerializer);
  const nsEnc = encoderFor(nsSnap);
  const arena = store.arena;
  const data = cache.get(spec.data);
  const two = prefixBytes(maxParallelism) === 2;
  const LONG = { className: '', version: 3, nested: [], kind: 'long' } as SerializerSnapshot;
  let n = 0;
  for (let i = 0; i < data.count; i++) {
    const k0 = arena.length;
    try {
      const key = data.get(i, spec.keyField, keySerializer);
      if (key === null) throw new EncodeError(`no key in field ${JSON.stringify(spec.keyField)}`);
      const rawTs = data.get(i, spec.timestampField, LONG);
      if (rawTs === null) throw new EncodeError(`no timestamp in field ${JSON.stringify(spec.timestampField)}`);
      const ts = timerTimestamp(rawTs);
      const domain = spec.domain ?? parseDomain(data.get(i, spec.domainField!, { className: '', version: 3, nested: [], kind: 'string' } as SerializerSnapshot), `field ${JSON.stringify(spec.domainField)}`);
      const ns = spec.namespaceType === 'TimeWindow' ? { start: data.get(i, spec.windowStartField!, LONG), end: data.get(i, spec.windowEndField!, LONG) } : null;
      const kg = keyGroupOf(keyEnc, key, maxParallelism);
      if (two) arena.u16(kg);
      else arena.u8(kg);
      writeTimerElement(arena, ts, key, keyEnc, ns, nsEnc);
      const { slot, created } = store.commitKey(kg, ids[domain], k0);
      if (created) {
        store.setValue(slot, arena.length); // empty value
        n++;
      }
    } catch (e) {
      arena.length = k0;
      if (e instanceof EncodeError || e instanceof TimersSpecError) throw new TimersSpecError(`${spec.data}:${data.line(i)}: ${e.message}`);
      throw e;
    }
  }
  return n;
}
