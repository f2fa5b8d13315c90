import { strict as assert } from 'assert';
import { SavepointFormatError } from '../../engine/savepoint/errors';
import { ByteReader } from '../../engine/savepoint/io';
import {
  COMPOSITE_MAGIC,
  isDecodableInTail,
  isOpaque,
  NESTED_MAGIC,
  readFramedSnapshot,
  readVersionedSnapshot,
  SerializerSnapshot,
  snapshots as S,
  typeString,
  writeFramedSnapshot,
  writeVersionedSnapshot,
} from '../../engine/savepoint/serializers';
import { ByteWriter } from '../../engine/savepoint/writer-io';

function bytesOf(s: SerializerSnapshot, preferRaw = false): Uint8Array {
  const w = new ByteWriter();
  writeVersionedSnapshot(s, w, preferRaw);
  return w.toBytes();
}
function reread(s: SerializerSnapshot): SerializerSnapshot {
  const b = bytesOf(s);
  const r = new ByteReader(b, 'test');
  const out = readVersionedSnapshot(r);
  r.expectEnd('the snapshot');
  assert.deepEqual(Buffer.from(out.raw ?? out.ttlAware!.raw!), Buffer.from(b));
  return out;
}
const read = (b: Uint8Array) => {
  const r = new ByteReader(b, 'test');
  const s = readVersionedSnapshot(r);
  r.expectEnd('the snapshot');
  return s;
};

const simpleKinds = [
  ['boolean', 'Boolean'], ['byte', 'Byte'], ['short', 'Short'], ['int', 'Integer'], ['long', 'Long'], ['float', 'Float'],
  ['double', 'Double'], ['char', 'Character'], ['string', 'String'], ['bigint', 'BigInteger'], ['bigdec', 'BigDecimal'],
  ['void', 'Void'], ['instant', 'Instant'], ['localDate', 'LocalDate'], ['localTime', 'LocalTime'],
  ['localDateTime', 'LocalDateTime'], ['date', 'Date'], ['sqlDate', 'SqlDate'], ['sqlTime', 'SqlTime'],
  ['sqlTimestamp', 'SqlTimestamp'], ['byteArray', 'byte[]'], ['intArray', 'int[]'], ['longArray', 'long[]'],
  ['shortArray', 'short[]'], ['booleanArray', 'boolean[]'], ['charArray', 'char[]'], ['floatArray', 'float[]'],
  ['doubleArray', 'double[]'], ['stringArray', 'String[]'], ['tuple0', 'Tuple0'], ['java', 'Java'],
  ['voidNamespace', 'VoidNamespace'], ['timeWindow', 'TimeWindow'], ['globalWindow', 'GlobalWindow'],
] as const;

describe('serializer snapshots', () => {
  it('simple snapshots read back with their type strings', () => {
    for (const [kind, type] of simpleKinds) {
      const s = reread(S.simple(kind));
      assert.equal(s.kind, kind);
      assert.equal(s.version, 3);
      assert.equal(typeString(s), type);
    }
  });

  it('framed snapshots need proxy version 2', () => {
    const w = new ByteWriter();
    writeFramedSnapshot(S.simple('int'), w, false);
    assert.equal(typeString(readFramedSnapshot(new ByteReader(w.toBytes(), 't'))), 'Integer');
    const bad = w.toBytes();
    bad[3] = 1;
    assert.throws(() => readFramedSnapshot(new ByteReader(bad, 't')), /proxy version 2.*found 1/);
  });

  it('composite snapshots and type strings', () => {
    const str = S.simple('string');
    const long = S.simple('long');
    const cases: [SerializerSnapshot, string][] = [
      [S.composite('list', [str]), 'List<String>'],
      [S.composite('arrayList', [long]), 'List<Long>'],
      [S.composite('map', [str, long]), 'Map<String, Long>'],
      [S.composite('set', [str]), 'Set<String>'],
      [S.tuple([str, long, S.simple('int')]), 'Tuple3<String, Long, Integer>'],
      [S.row([str, long], true), 'Row<String, Long>'],
      [S.nullable(long, 8), 'Nullable<Long>'],
      [S.ttl(S.composite('list', [str])), 'Ttl<List<String>>'],
      [S.genericArray(str, 'java.lang.String'), 'String[]'],
      [S.genericArray(S.genericArray(long, 'java.lang.Long'), '[Ljava.lang.Long;'), 'Long[][]'],
      [S.composite('timer', [str, S.simple('voidNamespace')]), 'Timer<String, VoidNamespace>'],
      [S.composite('timer', [long, S.simple('timeWindow')]), 'Timer<Long, TimeWindow>'],
      [S.enumOf('com.example.Color', ['RED', 'GREEN']), 'Enum<com.example.Color>'],
      [S.kryo('com.example.Blob'), 'Kryo<com.example.Blob>'],
      [S.avro({ type: 'record', name: 'User', namespace: 'com.example', fields: [{ name: 'a', type: 'int' }] }), 'Avro<com.example.User>'],
      [S.avro('string'), 'Avro<string>'],
      [S.avro({ type: 'array', items: 'long' }), 'Avro<array>'],
      [S.pojo('com.example.Order', [{ name: 'id', snapshot: long }, { name: 'tags', snapshot: S.composite('list', [str]) }]), 'Pojo<com.example.Order>'],
    ];
    for (const [snap, type] of cases) {
      const back = reread(snap);
      assert.equal(typeString(back), type);
      assert.equal(back.kind, snap.kind);
    }
    const row = reread(S.row([str], false));
    assert.equal(row.row!.supportsRowKind, false);
    assert.equal(reread(S.nullable(long, 8)).nullable!.paddingLength, 8);
    const en = reread(S.enumOf('com.example.Color', ['RED', 'GREEN']));
    assert.deepEqual(en.enum, { className: 'com.example.Color', constants: ['RED', 'GREEN'] });
    const avro = reread(S.avro({ type: 'enum', name: 'E', symbols: ['A'] }, 'com.example.E'));
    assert.equal(avro.avro!.runtimeClass, 'com.example.E');
    assert.deepEqual(avro.avro!.schema, { type: 'enum', name: 'E', symbols: ['A'] });
  });

  it('POJO snapshots keep field order, declaring classes and subclasses', () => {
    const sub = S.pojo('com.example.Special', [{ name: 'extra', snapshot: S.simple('int') }]);
    const p = S.pojo(
      'com.example.Base',
      [{ name: 'a', snapshot: S.simple('int') }, { name: 'b', snapshot: undefined }, { name: 'c', snapshot: S.simple('string') }],
      [{ className: 'com.example.Special', snapshot: sub }],
      [{ className: 'com.example.Other', snapshot: S.kryo('com.example.Other') }],
    );
    const back = reread(p);
    assert.deepEqual(back.pojo!.fields.map((f) => [f.name, f.declaringClass, f.snapshot && typeString(f.snapshot)]), [
      ['a', 'com.example.Base', 'Integer'],
      ['b', 'com.example.Base', undefined],
      ['c', 'com.example.Base', 'String'],
    ]);
    assert.equal(typeString(back.pojo!.registeredSubclasses[0].snapshot!), 'Pojo<com.example.Special>');
    assert.equal(typeString(back.pojo!.nonRegisteredSubclasses[0].snapshot!), 'Kryo<com.example.Other>');
  });

  it('an unknown snapshot inside a POJO field frame only makes that field Unknown', () => {
    const unknownField: SerializerSnapshot = {
      className: 'com.example.CustomSerializer$Snapshot',
      version: 1,
      nested: [],
      kind: 'unknown',
      raw: (() => {
        const w = new ByteWriter();
        w.utf('com.example.CustomSerializer$Snapshot').i32(1).i32(12345).utf('opaque payload');
        return w.toBytes();
      })(),
    };
    const p = S.pojo('com.example.P', [{ name: 'x', snapshot: unknownField }, { name: 'y', snapshot: S.simple('long') }]);
    const back = read(bytesOf(p));
    const x = back.pojo!.fields[0].snapshot!;
    assert.equal(x.unreadable, true);
    assert.equal(typeString(x), 'Unknown<com.example.CustomSerializer$Snapshot>');
    assert.equal(typeString(back.pojo!.fields[1].snapshot!), 'Long');
    assert.equal(isOpaque(back), true);
    assert.equal(isDecodableInTail(back), false);
  });

  it('legacy forms: simple v2 with a class name payload, composite read version <= 2', () => {
    const w = new ByteWriter();
    w.utf('org.apache.flink.api.common.typeutils.base.IntSerializer$IntSerializerSnapshot').i32(2).utf('org.apache.flink.api.common.typeutils.base.IntSerializer');
    const s = read(w.toBytes());
    assert.equal(typeString(s), 'Integer');
    assert.equal(s.legacySerializerClass, 'org.apache.flink.api.common.typeutils.base.IntSerializer');

    const l = new ByteWriter();
    l.utf('org.apache.flink.api.common.typeutils.base.ListSerializerSnapshot').i32(1); // legacy: no magic
    l.i32(NESTED_MAGIC).i32(1).i32(1);
    writeVersionedSnapshot(S.simple('string'), l, false);
    const ls = read(l.toBytes());
    assert.equal(typeString(ls), 'List<String>');
    assert.equal(ls.outerVersion, 1);

    // Row outer version 3 means "with row kind", < 3 without
    for (const [ov, kind] of [[2, false], [3, true]] as const) {
      const rw = new ByteWriter();
      rw.utf('org.apache.flink.api.java.typeutils.runtime.RowSerializer$RowSerializerSnapshot').i32(3).i32(COMPOSITE_MAGIC).i32(ov);
      rw.i32(NESTED_MAGIC).i32(1).i32(0);
      assert.equal(read(rw.toBytes()).row!.supportsRowKind, kind);
    }
  });

  it('rejects what cannot be skipped, naming the class', () => {
    const w = new ByteWriter();
    w.utf('com.example.MySerializerSnapshot').i32(1).i32(5);
    assert.throws(() => read(w.toBytes()), (e: unknown) => e instanceof SavepointFormatError && /com\.example\.MySerializerSnapshot/.test(e.message));
    const c = new ByteWriter();
    c.utf('org.apache.flink.api.java.typeutils.runtime.PojoSerializer$PojoSerializerConfigSnapshot').i32(0x7a53c4f0).i32(1);
    assert.throws(() => read(c.toBytes()), /TypeSerializerConfigSnapshot.*PojoSerializerConfigSnapshot/);
    // bad composite magic
    const m = new ByteWriter();
    m.utf('org.apache.flink.api.common.typeutils.base.ListSerializerSnapshot').i32(3).i32(42);
    assert.throws(() => read(m.toBytes()), /composite snapshot magic/);
    // huge nested count
    const n = new ByteWriter();
    n.utf('org.apache.flink.api.common.typeutils.base.ListSerializerSnapshot').i32(3).i32(COMPOSITE_MAGIC).i32(1).i32(NESTED_MAGIC).i32(1).i32(0x7fffffff);
    assert.throws(() => read(n.toBytes()), SavepointFormatError);
    // truncated
    const t = bytesOf(S.composite('map', [S.simple('string'), S.simple('long')]));
    for (let cut = 0; cut < t.length; cut++) assert.throws(() => read(t.subarray(0, cut)), SavepointFormatError);
  });

  it('reads an unknown composite snapshot by finding its nested block', () => {
    const w = new ByteWriter();
    w.utf('org.apache.flink.streaming.api.functions.sink.TwoPhaseCommitSinkFunction$StateSerializerSnapshot').i32(3);
    w.i32(COMPOSITE_MAGIC).i32(2).i32(NESTED_MAGIC).i32(1).i32(2);
    writeVersionedSnapshot(S.simple('string'), w, false);
    writeVersionedSnapshot(S.kryo('java.lang.Object'), w, false);
    w.utf('trailer');
    const r = new ByteReader(w.toBytes(), 't');
    const s = readVersionedSnapshot(r);
    assert.equal(typeString(s), 'Unknown<org.apache.flink.streaming.api.functions.sink.TwoPhaseCommitSinkFunction$StateSerializerSnapshot>');
    assert.equal(s.nested.length, 2);
    assert.equal(r.utf(), 'trailer');
  });

  it('reads Scala snapshots (Flink 1.x): case classes and Enumerations (more in scala.test.ts)', () => {
    const w = new ByteWriter();
    w.utf('org.apache.flink.api.scala.typeutils.ScalaCaseClassSerializerSnapshot').i32(3).i32(COMPOSITE_MAGIC).i32(2).utf('com.example.Event');
    w.i32(NESTED_MAGIC).i32(1).i32(1);
    writeVersionedSnapshot(S.simple('long'), w, false);
    const s = read(w.toBytes());
    assert.equal(typeString(s), 'CaseClass<com.example.Event>');
    assert.equal(s.detail, 'com.example.Event');
    const e = new ByteWriter();
    e.utf('org.apache.flink.api.scala.typeutils.ScalaEnumSerializerSnapshot').i32(3).utf('com.example.Weekday$').i32(2).utf('Mon').i32(0).utf('Tue').i32(1);
    assert.deepEqual(read(e.toBytes()).scalaEnum!.constants, [{ name: 'Mon', id: 0 }, { name: 'Tue', id: 1 }]);
    assert.equal(typeString(read(e.toBytes())), 'Enumeration<com.example.Weekday$>');
    const t = new ByteWriter();
    t.utf('org.apache.flink.api.scala.typeutils.ScalaTrySerializerSnapshot').i32(3).i32(COMPOSITE_MAGIC).i32(2);
    t.i32(NESTED_MAGIC).i32(1).i32(2);
    writeVersionedSnapshot(S.simple('long'), t, false);
    writeVersionedSnapshot(S.kryo('java.lang.Throwable'), t, false);
    assert.equal(typeString(read(t.toBytes())), 'Unknown<org.apache.flink.api.scala.typeutils.ScalaTrySerializerSnapshot>');
  });

  it('unwraps the 2.x TtlAwareSerializerSnapshot', () => {
    const w = new ByteWriter();
    w.utf('org.apache.flink.runtime.state.ttl.TtlAwareSerializerSnapshot').i32(1).bool(true);
    writeVersionedSnapshot(S.ttl(S.simple('string')), w, false);
    const b = w.toBytes();
    const s = read(b);
    assert.equal(typeString(s), 'Ttl<String>');
    assert.equal(s.ttlAware!.ttlEnabled, true);
    const again = new ByteWriter();
    writeVersionedSnapshot(s, again);
    assert.deepEqual(Buffer.from(again.toBytes()), Buffer.from(b));
  });

  it('reads Kryo snapshots with registrations', () => {
    const w = new ByteWriter();
    w.utf('org.apache.flink.api.java.typeutils.runtime.kryo.KryoSerializerSnapshot').i32(2).utf('com.example.Thing');
    const frame = (f: (x: ByteWriter) => void) => {
      const x = new ByteWriter();
      f(x);
      w.i32(x.length).bytes(x.toBytes());
    };
    w.i64(0x4f2c69a3d70n).i32(1).utf('com.example.Reg').bool(true);
    frame((x) => x.utf('com.example.Reg'));
    w.bool(true);
    frame((x) => x.utf('com.example.Reg').i32(1).utf('com.example.RegSerializer'));
    w.i64(0x4f2c69a3d70n).i32(0);
    w.i64(0x4f2c69a3d70n).i32(0);
    const s = read(w.toBytes());
    assert.equal(typeString(s), 'Kryo<com.example.Thing>');
    assert.equal(isOpaque(s), true);
    assert.equal(isDecodableInTail(s), true);
  });

  it('Avro snapshot versions 1, 2 and 3', () => {
    const schema = '{"type":"record","name":"R","namespace":"n","fields":[{"name":"x","type":"long"}]}';
    const v1 = new ByteWriter().utf('org.apache.flink.formats.avro.typeutils.AvroSerializerSnapshot').i32(1).utf(schema);
    assert.equal(typeString(read(v1.toBytes())), 'Avro<n.R>');
    const v2 = new ByteWriter().utf('org.apache.flink.formats.avro.typeutils.AvroSerializerSnapshot').i32(2).utf('n.R').utf(schema);
    const s2 = read(v2.toBytes());
    assert.equal(s2.avro!.runtimeClass, 'n.R');
    assert.equal(typeString(s2), 'Avro<n.R>');
    assert.equal(typeString(reread(S.avro(JSON.parse(schema)))), 'Avro<n.R>');
  });

  it('decodable in tail position (dump-format §3.3)', () => {
    const kryo = S.kryo('x.Y');
    const java = S.simple('java');
    const str = S.simple('string');
    const unknown: SerializerSnapshot = { className: 'x.Unknown', version: 1, nested: [], kind: 'unknown' };
    const t = (s: SerializerSnapshot) => [isOpaque(s), isDecodableInTail(s)];
    assert.deepEqual(t(str), [false, true]);
    assert.deepEqual(t(kryo), [true, true]);
    assert.deepEqual(t(java), [true, true]);
    assert.deepEqual(t(unknown), [true, false]);
    assert.deepEqual(t(S.tuple([str, kryo])), [true, true]);
    assert.deepEqual(t(S.tuple([kryo, str])), [true, false]);
    assert.deepEqual(t(S.row([str, S.nullable(kryo)])), [true, true]);
    assert.deepEqual(t(S.ttl(S.pojo('P', [{ name: 'a', snapshot: str }, { name: 'z', snapshot: kryo }]))), [true, true]);
    assert.deepEqual(t(S.pojo('P', [{ name: 'a', snapshot: kryo }, { name: 'z', snapshot: str }])), [true, false]);
    assert.deepEqual(t(S.pojo('P', [{ name: 'a', snapshot: str }], [{ className: 'Q', snapshot: S.pojo('Q', [{ name: 'k', snapshot: kryo }]) }])), [true, false]);
    assert.deepEqual(t(S.composite('list', [kryo])), [true, false]);
    assert.deepEqual(t(S.composite('map', [str, kryo])), [true, false]);
    assert.deepEqual(t(S.tuple([str, unknown])), [true, false]);
    assert.deepEqual(t(S.pojo('P', [{ name: 'a', snapshot: undefined }])), [true, false]);
  });
});

describe('serializer snapshots: Table/SQL', () => {
  it('reads the Java-serialized logical types of RowDataSerializerSnapshot, and rejects streams that are not LogicalTypes', () => {
    // well-formed LogicalTypes (and the real SQL jobs' snapshots) are in rowdata.test.ts; these are truncated class descriptors
    const w = new ByteWriter();
    w.utf('org.apache.flink.table.runtime.typeutils.RowDataSerializer$RowDataSerializerSnapshot').i32(3).i32(2);
    const typesAt = w.toBytes().length;
    w.bytes(Uint8Array.from([0xac, 0xed, 0x00, 0x05, 0x73, 0x72, 0x00, 0x01, 0x41, 1, 2, 3]));
    w.bytes(Uint8Array.from([0xac, 0xed, 0x00, 0x05, 0x73, 0x72, 0x00, 0x01, 0x42, 4, 5]));
    w.i32(NESTED_MAGIC).i32(1).i32(2);
    writeVersionedSnapshot(S.simple('int'), w, false);
    writeVersionedSnapshot(S.simple('string'), w, false);
    assert.throws(
      () => read(w.toBytes()),
      (e: unknown) => e instanceof SavepointFormatError && e.offset > typesAt && /Java serialization|field|class/.test(e.message),
    );
  });
});
