/**
 * Type descriptions of the bootstrap spec (docs/bootstrap-spec.md §Types) → the serializer snapshot
 * tree Flink writes for the matching TypeInformation (Types.LONG, Types.LIST(…), PojoTypeInfo, …).
 *
 *   "Long", "String", "List<String>", "Map<String, Long>", "Tuple2<String, Long>", "Row<String, Long>",
 *   "long[]", "String[]", "Set<Integer>", "Nullable<Long>",
 *   {"type":"pojo","class":"com.example.Order","fields":[{"name":"id","type":"Long"}, …]}
 *   {"type":"enum","class":"com.example.Color","constants":["RED","GREEN"]}
 *   {"type":"avro","schema":{…Avro record schema…}}
 *   {"type":"list","element":T}, {"type":"map","key":K,"value":V}, {"type":"tuple","fields":[…]},
 *   {"type":"row","fields":[…]}, {"type":"array","element":T,"class":"…"}
 */
import { SerializerSnapshot, SnapshotKind, typeString } from '../serializers';

const BASE = 'org.apache.flink.api.common.typeutils.base.';
const ARR = BASE + 'array.';
const RT = 'org.apache.flink.api.java.typeutils.runtime.';

export type TypeDesc = string | { [k: string]: unknown };

export class TypeDescError extends Error {}

const SIMPLE: Record<string, [string, SnapshotKind, string]> = {
  // spec name: [snapshot class, kind, Java class for generic arrays]
  Boolean: [`${BASE}BooleanSerializer$BooleanSerializerSnapshot`, 'boolean', 'java.lang.Boolean'],
  Byte: [`${BASE}ByteSerializer$ByteSerializerSnapshot`, 'byte', 'java.lang.Byte'],
  Short: [`${BASE}ShortSerializer$ShortSerializerSnapshot`, 'short', 'java.lang.Short'],
  Integer: [`${BASE}IntSerializer$IntSerializerSnapshot`, 'int', 'java.lang.Integer'],
  Long: [`${BASE}LongSerializer$LongSerializerSnapshot`, 'long', 'java.lang.Long'],
  Float: [`${BASE}FloatSerializer$FloatSerializerSnapshot`, 'float', 'java.lang.Float'],
  Double: [`${BASE}DoubleSerializer$DoubleSerializerSnapshot`, 'double', 'java.lang.Double'],
  Character: [`${BASE}CharSerializer$CharSerializerSnapshot`, 'char', 'java.lang.Character'],
  String: [`${BASE}StringSerializer$StringSerializerSnapshot`, 'string', 'java.lang.String'],
  Void: [`${BASE}VoidSerializer$VoidSerializerSnapshot`, 'void', 'java.lang.Void'],
  BigInteger: [`${BASE}BigIntSerializer$BigIntSerializerSnapshot`, 'bigint', 'java.math.BigInteger'],
  BigDecimal: [`${BASE}BigDecSerializer$BigDecSerializerSnapshot`, 'bigdec', 'java.math.BigDecimal'],
  Instant: [`${BASE}InstantSerializer$InstantSerializerSnapshot`, 'instant', 'java.time.Instant'],
  LocalDate: [`${BASE}LocalDateSerializer$LocalDateSerializerSnapshot`, 'localDate', 'java.time.LocalDate'],
  LocalTime: [`${BASE}LocalTimeSerializer$LocalTimeSerializerSnapshot`, 'localTime', 'java.time.LocalTime'],
  LocalDateTime: [`${BASE}LocalDateTimeSerializer$LocalDateTimeSerializerSnapshot`, 'localDateTime', 'java.time.LocalDateTime'],
  Date: [`${BASE}DateSerializer$DateSerializerSnapshot`, 'date', 'java.util.Date'],
  SqlDate: [`${BASE}SqlDateSerializer$SqlDateSerializerSnapshot`, 'sqlDate', 'java.sql.Date'],
  SqlTime: [`${BASE}SqlTimeSerializer$SqlTimeSerializerSnapshot`, 'sqlTime', 'java.sql.Time'],
  SqlTimestamp: [`${BASE}SqlTimestampSerializer$SqlTimestampSerializerSnapshot`, 'sqlTimestamp', 'java.sql.Timestamp'],
  'byte[]': [`${ARR}BytePrimitiveArraySerializer$BytePrimitiveArraySerializerSnapshot`, 'byteArray', '[B'],
  'int[]': [`${ARR}IntPrimitiveArraySerializer$IntPrimitiveArraySerializerSnapshot`, 'intArray', '[I'],
  'long[]': [`${ARR}LongPrimitiveArraySerializer$LongPrimitiveArraySerializerSnapshot`, 'longArray', '[J'],
  'short[]': [`${ARR}ShortPrimitiveArraySerializer$ShortPrimitiveArraySerializerSnapshot`, 'shortArray', '[S'],
  'boolean[]': [`${ARR}BooleanPrimitiveArraySerializer$BooleanPrimitiveArraySerializerSnapshot`, 'booleanArray', '[Z'],
  'char[]': [`${ARR}CharPrimitiveArraySerializer$CharPrimitiveArraySerializerSnapshot`, 'charArray', '[C'],
  'float[]': [`${ARR}FloatPrimitiveArraySerializer$FloatPrimitiveArraySerializerSnapshot`, 'floatArray', '[F'],
  'double[]': [`${ARR}DoublePrimitiveArraySerializer$DoublePrimitiveArraySerializerSnapshot`, 'doubleArray', '[D'],
  'String[]': [`${ARR}StringArraySerializer$StringArraySerializerSnapshot`, 'stringArray', '[Ljava.lang.String;'],
};
const ALIASES: Record<string, string> = { Int: 'Integer', int: 'Integer', long: 'Long', string: 'String', boolean: 'Boolean', double: 'Double', float: 'Float', short: 'Short', byte: 'Byte', Char: 'Character', char: 'Character' };

export const VOID_NAMESPACE: SerializerSnapshot = {
  className: 'org.apache.flink.runtime.state.VoidNamespaceSerializer$VoidNamespaceSerializerSnapshot',
  version: 3,
  nested: [],
  kind: 'voidNamespace',
};

function simple(name: string): SerializerSnapshot {
  const [className, kind] = SIMPLE[name];
  return { className, version: 3, nested: [], kind };
}

function comp(kind: SnapshotKind, className: string, outerVersion: number, nested: SerializerSnapshot[], extra: Partial<SerializerSnapshot> = {}): SerializerSnapshot {
  return { className, version: 3, nested, kind, outerVersion, ...extra };
}

export function listSnapshot(element: SerializerSnapshot): SerializerSnapshot {
  return comp('list', `${BASE}ListSerializerSnapshot`, 1, [element]);
}

export function mapSnapshot(key: SerializerSnapshot, value: SerializerSnapshot): SerializerSnapshot {
  return comp('map', `${BASE}MapSerializerSnapshot`, 1, [key, value]);
}

/** Splits "A, B<C, D>, E" at top-level commas. */
function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '<') depth++;
    if (ch === '>') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** The Java class a generic array / POJO field of this type holds (for GenericArraySerializer's component class). */
function javaClassOf(s: SerializerSnapshot): string {
  for (const [, [cls, kind, java]] of Object.entries(SIMPLE)) if (cls === s.className && kind === s.kind) return java;
  switch (s.kind) {
    case 'list':
      return 'java.util.List';
    case 'map':
      return 'java.util.Map';
    case 'set':
      return 'java.util.Set';
    case 'tuple':
      return s.tupleClass!;
    case 'row':
      return 'org.apache.flink.types.Row';
    case 'pojo':
      return s.pojo!.className;
    case 'enum':
      return s.enum!.className;
    case 'avro':
      return s.avro!.runtimeClass ?? 'org.apache.avro.generic.GenericRecord';
    default:
      return 'java.lang.Object';
  }
}

/** Parses a spec type into the snapshot Flink writes for it. */
export function snapshotOfType(t: unknown, where = 'type'): SerializerSnapshot {
  if (typeof t === 'string') return snapshotOfTypeString(t.trim(), where);
  if (!t || typeof t !== 'object' || Array.isArray(t)) throw new TypeDescError(`${where}: expected a type name or a type object, got ${JSON.stringify(t)}`);
  const o = t as Record<string, unknown>;
  const kind = String(o.type ?? '');
  switch (kind) {
    case 'list':
      return listSnapshot(snapshotOfType(o.element, `${where}.element`));
    case 'set':
      return comp('set', `${BASE}SetSerializerSnapshot`, 1, [snapshotOfType(o.element, `${where}.element`)]);
    case 'map':
      return mapSnapshot(snapshotOfType(o.key, `${where}.key`), snapshotOfType(o.value, `${where}.value`));
    case 'tuple': {
      const fields = arr(o.fields, `${where}.fields`).map((f, i) => snapshotOfType(f, `${where}.fields[${i}]`));
      return tuple(fields, where);
    }
    case 'row': {
      const fields = arr(o.fields, `${where}.fields`).map((f, i) => snapshotOfType(isObj(f) && typeof f.name === 'string' ? f.type : f, `${where}.fields[${i}]`));
      return comp('row', `${RT}RowSerializer$RowSerializerSnapshot`, 4, fields, { row: { supportsRowKind: true } });
    }
    case 'nullable':
      return comp('nullable', `${RT}NullableSerializer$NullableSerializerSnapshot`, 2, [snapshotOfType(o.element ?? o.value, `${where}.element`)], {
        nullable: { paddingLength: Number(o.padding ?? 0) },
      });
    case 'array': {
      const el = snapshotOfType(o.element, `${where}.element`);
      return comp('genericArray', `${BASE}GenericArraySerializerSnapshot`, 1, [el], {
        genericArray: { componentClass: typeof o.class === 'string' ? o.class : javaClassOf(el) },
      });
    }
    case 'enum': {
      const className = str(o.class, `${where}.class`);
      const constants = arr(o.constants, `${where}.constants`).map((c) => str(c, `${where}.constants[]`));
      if (constants.length === 0) throw new TypeDescError(`${where}: an enum needs its constants in declaration order`);
      return { className: `${BASE}EnumSerializer$EnumSerializerSnapshot`, version: 3, nested: [], kind: 'enum', enum: { className, constants } };
    }
    case 'pojo': {
      const className = str(o.class, `${where}.class`);
      const rawFields = arr(o.fields, `${where}.fields`);
      const fields = rawFields.map((f, i) => {
        if (!isObj(f)) throw new TypeDescError(`${where}.fields[${i}]: expected {"name":…,"type":…}`);
        const name = str(f.name, `${where}.fields[${i}].name`);
        return {
          name,
          declaringClass: typeof f.declaringClass === 'string' ? f.declaringClass : className,
          snapshot: snapshotOfType(f.type, `${where}.fields[${i}].type`),
        };
      });
      // PojoTypeInfo sorts the fields by name
      fields.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      return {
        className: `${RT}PojoSerializerSnapshot`,
        version: 2,
        nested: [],
        kind: 'pojo',
        pojo: { className, fields, registeredSubclasses: [], nonRegisteredSubclasses: [] },
      };
    }
    case 'avro': {
      const schema = typeof o.schema === 'string' ? JSON.parse(o.schema) : o.schema;
      if (!isObj(schema)) throw new TypeDescError(`${where}.schema: expected an Avro schema object`);
      const runtimeClass = typeof o.class === 'string' ? o.class : 'org.apache.avro.generic.GenericRecord';
      const schemaText = typeof o.schemaText === 'string' ? o.schemaText : avroSchemaText(schema);
      return {
        className: 'org.apache.flink.formats.avro.typeutils.AvroSerializerSnapshot',
        version: 3,
        nested: [],
        kind: 'avro',
        avro: { runtimeClass, schemaText, schema },
      };
    }
    default:
      throw new TypeDescError(`${where}: unknown type object ${JSON.stringify(t).slice(0, 80)} (type must be list, set, map, tuple, row, nullable, array, enum, pojo or avro)`);
  }
}

function tuple(fields: SerializerSnapshot[], where: string): SerializerSnapshot {
  if (fields.length === 0) return { className: `${RT}Tuple0SerializerSnapshot`, version: 3, nested: [], kind: 'tuple0' };
  if (fields.length > 25) throw new TypeDescError(`${where}: tuples have at most 25 fields`);
  return comp('tuple', `${RT}TupleSerializerSnapshot`, 2, fields, { tupleClass: `org.apache.flink.api.java.tuple.Tuple${fields.length}` });
}

function snapshotOfTypeString(t: string, where: string): SerializerSnapshot {
  const name = ALIASES[t] ?? t;
  if (SIMPLE[name]) return simple(name);
  const m = /^([A-Za-z][A-Za-z0-9]*)\s*<(.*)>$/.exec(name);
  if (m) {
    const args = splitArgs(m[2]).map((a, i) => snapshotOfType(a, `${where}<${i}>`));
    const n = m[1];
    const need = (k: number) => {
      if (args.length !== k) throw new TypeDescError(`${where}: ${n} takes ${k} type argument${k > 1 ? 's' : ''}, got ${args.length}`);
    };
    if (n === 'List') return need(1), listSnapshot(args[0]);
    if (n === 'Set') return need(1), comp('set', `${BASE}SetSerializerSnapshot`, 1, [args[0]]);
    if (n === 'Map') return need(2), mapSnapshot(args[0], args[1]);
    if (n === 'Nullable') return need(1), comp('nullable', `${RT}NullableSerializer$NullableSerializerSnapshot`, 2, [args[0]], { nullable: { paddingLength: 0 } });
    if (n === 'Row') return comp('row', `${RT}RowSerializer$RowSerializerSnapshot`, 4, args, { row: { supportsRowKind: true } });
    const tm = /^Tuple(\d+)$/.exec(n);
    if (tm) {
      need(Number(tm[1]));
      return tuple(args, where);
    }
  }
  if (name === 'Tuple0') return tuple([], where);
  const arrM = /^(.+)\[\]$/.exec(name);
  if (arrM) {
    const el = snapshotOfType(arrM[1], `${where}[]`);
    return comp('genericArray', `${BASE}GenericArraySerializerSnapshot`, 1, [el], { genericArray: { componentClass: javaClassOf(el) } });
  }
  throw new TypeDescError(
    `${where}: unknown type ${JSON.stringify(t)} (use String, Long, Integer, Short, Byte, Boolean, Double, Float, Character, BigInteger, BigDecimal, Instant, LocalDate, LocalTime, LocalDateTime, Date, SqlDate, SqlTime, SqlTimestamp, byte[]…, String[], List<T>, Set<T>, Map<K, V>, TupleN<…>, Row<…>, or a pojo/enum/avro object)`,
  );
}

/** Avro's Schema#toString form for a schema given as JSON: compact JSON in the given member order. */
export function avroSchemaText(schema: unknown): string {
  return JSON.stringify(schema);
}

function isObj(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}
function arr(v: unknown, where: string): unknown[] {
  if (!Array.isArray(v)) throw new TypeDescError(`${where}: expected an array`);
  return v;
}
function str(v: unknown, where: string): string {
  if (typeof v !== 'string' || !v) throw new TypeDescError(`${where}: expected a non-empty string`);
  return v;
}

export function describe(s: SerializerSnapshot): string {
  return typeString(s);
}
