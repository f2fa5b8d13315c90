/**
 * State meta infos (StateMetaInfoSnapshot, savepoint-format.md §5.3), shared by the keyed and the
 * operator backend headers, and the type summary the dump's `state` lines print.
 */
import { ByteReader } from './io';
import { readFramedSnapshot, SerializerSnapshot, typeString } from './serializers';

export const BACKEND_TYPES = ['KEY_VALUE', 'OPERATOR', 'BROADCAST', 'PRIORITY_QUEUE', 'KEY_VALUE_V2'] as const;
export type BackendType = (typeof BACKEND_TYPES)[number];

export interface StateMetaInfo {
  name: string;
  backend: BackendType;
  options: Map<string, string>;
  serializers: Map<string, SerializerSnapshot>;
}

export const TIMER_SNAPSHOT = 'org.apache.flink.streaming.api.operators.TimerSerializerSnapshot';
export const LIST_SNAPSHOTS = [
  'org.apache.flink.api.common.typeutils.base.ListSerializerSnapshot',
  'org.apache.flink.runtime.state.ArrayListSerializerSnapshot',
];
export const MAP_SNAPSHOT = 'org.apache.flink.api.common.typeutils.base.MapSerializerSnapshot';

export function readStateMetaInfo(r: ByteReader): StateMetaInfo {
  const name = r.utf('a state name');
  const tAt = r.offset;
  const t = r.i32('a backend state type');
  if (t < 0 || t >= BACKEND_TYPES.length) r.fail('a backend state type ordinal (0–4)', String(t), tAt);
  const options = new Map<string, string>();
  const no = r.count('the option count', 4, 1024);
  for (let i = 0; i < no; i++) {
    const k = r.utf('an option key');
    options.set(k, r.utf('an option value'));
  }
  const serializers = new Map<string, SerializerSnapshot>();
  const ns = r.count('the serializer count', 6, 1024);
  for (let i = 0; i < ns; i++) {
    const k = r.utf('a serializer key');
    serializers.set(k, readFramedSnapshot(r));
  }
  return { name, backend: BACKEND_TYPES[t], options, serializers };
}

/** The per-state view the dump's `state` line and the decoders use. */
export interface StateTypes {
  name: string;
  backend: BackendType;
  /** VALUE, LIST, MAP, REDUCING, AGGREGATING, TIMER, PRIORITY_QUEUE, UNION, BROADCAST */
  kind: string;
  key?: SerializerSnapshot;
  namespace?: SerializerSnapshot;
  userKey?: SerializerSnapshot;
  /** element / user value / value snapshot */
  value?: SerializerSnapshot;
  /** the full VALUE_SERIALIZER (List<…>, Map<…> for keyed list/map state) */
  stateValue?: SerializerSnapshot;
}

function nestedAt(s: SerializerSnapshot | undefined, i: number): SerializerSnapshot | undefined {
  return s && s.nested && s.nested.length > i ? s.nested[i] : undefined;
}

export function stateTypes(m: StateMetaInfo, keySerializer?: SerializerSnapshot): StateTypes {
  const vs = m.serializers.get('VALUE_SERIALIZER');
  switch (m.backend) {
    case 'KEY_VALUE':
    case 'KEY_VALUE_V2': {
      const kind = m.options.get('KEYED_STATE_TYPE') ?? 'UNKNOWN';
      const out: StateTypes = {
        name: m.name,
        backend: m.backend,
        kind,
        key: keySerializer,
        namespace: m.serializers.get('NAMESPACE_SERIALIZER'),
        stateValue: vs,
        value: vs,
      };
      if (m.backend === 'KEY_VALUE') {
        if (kind === 'LIST' && vs && LIST_SNAPSHOTS.includes(vs.className)) out.value = nestedAt(vs, 0);
        if (kind === 'MAP' && vs && vs.className === MAP_SNAPSHOT) {
          out.userKey = nestedAt(vs, 0);
          out.value = nestedAt(vs, 1);
        }
      } else if (kind === 'MAP') {
        out.userKey = m.serializers.get('USER_KEY_SERIALIZER');
      }
      return out;
    }
    case 'PRIORITY_QUEUE': {
      if (vs && vs.className === TIMER_SNAPSHOT) {
        return { name: m.name, backend: m.backend, kind: 'TIMER', key: nestedAt(vs, 0), namespace: nestedAt(vs, 1), stateValue: vs };
      }
      return { name: m.name, backend: m.backend, kind: 'PRIORITY_QUEUE', value: vs, stateValue: vs };
    }
    case 'OPERATOR': {
      const mode = m.options.get('OPERATOR_STATE_DISTRIBUTION_MODE');
      return { name: m.name, backend: m.backend, kind: mode === 'UNION' ? 'UNION' : 'LIST', value: vs, stateValue: vs };
    }
    case 'BROADCAST':
      return {
        name: m.name,
        backend: m.backend,
        kind: 'BROADCAST',
        key: m.serializers.get('KEY_SERIALIZER'),
        value: vs,
        stateValue: vs,
      };
  }
}

/** The dump's `state` line members after `operator` and `name`. */
export function stateLineFields(t: StateTypes): string {
  let s = `,"backend":${JSON.stringify(t.backend)},"kind":${JSON.stringify(t.kind)}`;
  if (t.key) s += `,"key":${JSON.stringify(typeString(t.key))}`;
  if (t.namespace && t.backend !== 'BROADCAST') s += `,"namespace":${JSON.stringify(typeString(t.namespace))}`;
  if (t.userKey) s += `,"userKey":${JSON.stringify(typeString(t.userKey))}`;
  if (t.value && t.kind !== 'TIMER') s += `,"value":${JSON.stringify(typeString(t.value))}`;
  return s;
}
