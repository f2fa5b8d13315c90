import { strict as assert } from 'assert';
import { SavepointFormatError } from '../../engine/savepoint/errors';
import { ByteReader, toHex } from '../../engine/savepoint/io';
import { SerializerSnapshot, snapshots as S } from '../../engine/savepoint/serializers';
import { bigIntToByteArray, codecFor, encodeWith, flipSign, UndecodableValueError, Value } from '../../engine/savepoint/values';
import { ByteWriter } from '../../engine/savepoint/writer-io';
import { hex, roundTrip } from './roundtrip';


/** Decodes the bytes to the end and returns the JSON text. */
function dec(s: SerializerSnapshot, bytes: Uint8Array | string): string {
  const b = typeof bytes === 'string' ? hex(bytes) : bytes;
  const c = codecFor(s);
  const r = new ByteReader(b, 'test');
  const v = c.decode(r);
  r.expectEnd('the value');
  return c.toJson(v);
}

/** encode → decode → encode is stable; returns the JSON of the decoded value. */
function encRoundTrip(s: SerializerSnapshot, v: Value): string {
  const c = codecFor(s);
  const b = encodeWith(c, v);
  const back = c.decode(new ByteReader(b, 'test'));
  assert.equal(toHex(encodeWith(c, back)), toHex(b));
  assert.equal(c.toJson(back), c.toJson(v));
  return c.toJson(back);
}

const w = () => new ByteWriter();
const fstr = (s: string | null) => {
  const c = codecFor(S.simple('string'));
  return encodeWith(c, s === null ? { t: 'null' } : { t: 'string', v: s });
};

describe('values: primitives', () => {
  it('integers and longs beyond 2^53', () => {
    assert.equal(roundTrip(S.simple('byte'), 'ff'), '-1');
    assert.equal(roundTrip(S.simple('short'), '8000'), '-32768');
    assert.equal(roundTrip(S.simple('int'), '7fffffff'), '2147483647');
    assert.equal(roundTrip(S.simple('long'), '0020000000000001'), '9007199254740993');
    assert.equal(roundTrip(S.simple('long'), '8000000000000000'), '-9223372036854775808');
    assert.equal(roundTrip(S.simple('boolean'), '01'), 'true');
    assert.equal(dec(S.simple('boolean'), '02'), 'true');
    assert.equal(roundTrip(S.simple('boolean'), '00'), 'false');
    assert.equal(roundTrip(S.simple('char'), '0041'), '"A"');
    assert.equal(roundTrip(S.simple('char'), 'd800'), '"\\ud800"');
    assert.equal(roundTrip(S.simple('void'), '00'), 'null');
  });

  it('floats and doubles: NaN, infinities, -0', () => {
    assert.equal(roundTrip(S.simple('double'), '7ff8000000000000'), '"NaN"');
    assert.equal(roundTrip(S.simple('double'), '7ff0000000000000'), '"Infinity"');
    assert.equal(roundTrip(S.simple('double'), 'fff0000000000000'), '"-Infinity"');
    assert.equal(roundTrip(S.simple('double'), '8000000000000000'), '0');
    assert.equal(roundTrip(S.simple('double'), '3fb999999999999a'), '0.1');
    assert.equal(roundTrip(S.simple('float'), '3dcccccd'), '0.1');
    assert.equal(roundTrip(S.simple('float'), '7fc00000'), '"NaN"');
    assert.equal(roundTrip(S.simple('float'), 'ff800000'), '"-Infinity"');
    assert.equal(roundTrip(S.simple('float'), '80000000'), '0');
    assert.equal(roundTrip(S.simple('float'), '7f7fffff'), '3.4028235e+38');
  });

  it('strings: null, empty, non-BMP, lone surrogates, long', () => {
    const s = S.simple('string');
    assert.equal(roundTrip(s, '00'), 'null');
    assert.equal(roundTrip(s, '01'), '""');
    assert.equal(roundTrip(s, '11 48 65 72 65 20 62 65 20 64 72 61 67 6f 6e 73 21'), '"Here be dragons!"');
    assert.equal(roundTrip(s, fstr('😀é\u0000x')), JSON.stringify('😀é\u0000x'));
    assert.equal(roundTrip(s, fstr('a\udc00b')), '"a\\udc00b"');
    const long = 'x'.repeat(70000) + '\u4e2d';
    assert.equal(roundTrip(s, fstr(long)), JSON.stringify(long));
    // varint code units: U+4E2D = 0xAD 0x9C 0x01
    assert.equal(toHex(fstr('\u4e2d')), '02ad9c01');
    // a huge declared length fails before allocating
    assert.throws(() => dec(s, 'ffffffff07'), SavepointFormatError);
    assert.throws(() => dec(s, '05 41'), SavepointFormatError);
  });

  it('BigInteger and BigDecimal', () => {
    const bi = S.simple('bigint');
    assert.equal(roundTrip(bi, '00000000'), 'null');
    assert.equal(roundTrip(bi, '00000001'), '0');
    assert.equal(roundTrip(bi, '00000002'), '1');
    assert.equal(roundTrip(bi, '00000003'), '10');
    assert.equal(roundTrip(bi, '00000005 00'), '0');
    assert.equal(roundTrip(bi, '00000005 ff'), '-1');
    assert.equal(roundTrip(bi, '00000006 0080'), '128');
    assert.equal(roundTrip(bi, '0000000d 00ffffffffffffffff'), '18446744073709551615');
    for (const v of [0n, 1n, -1n, 127n, 128n, -128n, -129n, 255n, 256n, -(2n ** 200n), 2n ** 64n - 1n]) {
      const b = bigIntToByteArray(v);
      const back = BigInt.asIntN(b.length * 8, BigInt('0x' + toHex(b)));
      assert.equal(back, v);
      assert.ok(b.length === 1 || !(b[0] === 0 && (b[1] & 0x80) === 0) && !(b[0] === 0xff && (b[1] & 0x80) !== 0), `minimal for ${v}`);
    }
    const bd = S.simple('bigdec');
    assert.equal(roundTrip(bd, '00000000'), 'null');
    assert.equal(roundTrip(bd, '00000002 fffffffd'), '"1E+3"');
    assert.equal(roundTrip(bd, '00000002 00000005'), '"0.00001"');
    assert.equal(roundTrip(bd, '00000006 ff6a 00000002'), '"-1.50"');
    assert.equal(roundTrip(bd, '00000001 00000000'), '"0"');
    assert.equal(encRoundTrip(bd, { t: 'bigdec', unscaled: 12345678901234567890123n, scale: 3 }), '"12345678901234567890.123"');
  });

  it('time types', () => {
    assert.equal(roundTrip(S.simple('date'), '8000000000000000'), 'null');
    assert.equal(roundTrip(S.simple('date'), '0000018df74ebc00'), '1709251148800');
    assert.equal(roundTrip(S.simple('sqlDate'), 'ffffffffffffffff'), '-1');
    assert.equal(roundTrip(S.simple('sqlTime'), '0000000000000064'), '100');
    assert.equal(roundTrip(S.simple('sqlTimestamp'), '00000000000003e9 000f4240'), '{"millis":1001,"nanos":1000000}');
    // Flink reads only the long of a null Timestamp
    assert.equal(dec(S.simple('sqlTimestamp'), '8000000000000000'), 'null');
    assert.equal(roundTrip(S.simple('sqlTimestamp'), 'fffffffffffffc19 000f4240'), '{"millis":-999,"nanos":1000000}');
    assert.throws(() => dec(S.simple('localDate'), '000007e7 02 1d'), /valid LocalDate/);
    assert.throws(() => dec(S.simple('localTime'), '18 00 00 00000000'), /valid LocalTime/);
    assert.throws(() => dec(S.simple('instant'), '7fffffffffffffff 00000000'), /Instant\.MIN/);
    const inst = S.simple('instant');
    assert.equal(roundTrip(inst, '8000000000000000 80000000'), 'null');
    assert.equal(roundTrip(inst, '0000000000000000 00000000'), '"1970-01-01T00:00:00.000000000Z"');
    assert.equal(encRoundTrip(inst, { t: 'instant', seconds: -31557014167219200n, nanos: 0 }), '"-1000000000-01-01T00:00:00.000000000Z"');
    assert.equal(encRoundTrip(inst, { t: 'instant', seconds: 31556889864403199n, nanos: 999999999 }), '"+1000000000-12-31T23:59:59.999999999Z"');
    const ld = S.simple('localDate');
    assert.equal(roundTrip(ld, '000007e8 02 1d'), '"2024-02-29"');
    assert.equal(roundTrip(ld, '00002710 01 01'), '"+10000-01-01"');
    assert.equal(roundTrip(ld, 'fffffffb 0c 1f'), '"-0005-12-31"');
    assert.equal(roundTrip(ld, '80000000 8000'), 'null');
    const lt = S.simple('localTime');
    assert.equal(roundTrip(lt, '17 3b 07 00000000'), '"23:59:07.000000000"');
    assert.equal(roundTrip(lt, '80 8000 80000000'), 'null');
    const ldt = S.simple('localDateTime');
    assert.equal(roundTrip(ldt, '000007e8 02 1d 17 3b 07 0000000c'), '"2024-02-29T23:59:07.000000012"');
    assert.equal(roundTrip(ldt, '80000000 8000 80 8000 80000000'), 'null');
  });

  it('arrays', () => {
    assert.equal(roundTrip(S.simple('byteArray'), '00000003 0aff00'), '{"$hex":"0aff00"}');
    assert.equal(roundTrip(S.simple('byteArray'), '00000000'), '{"$hex":""}');
    assert.equal(roundTrip(S.simple('intArray'), '00000002 00000001 ffffffff'), '[1,-1]');
    assert.equal(roundTrip(S.simple('longArray'), '00000001 0020000000000001'), '[9007199254740993]');
    assert.equal(roundTrip(S.simple('shortArray'), '00000001 7fff'), '[32767]');
    assert.equal(roundTrip(S.simple('booleanArray'), '00000002 0100'), '[true,false]');
    assert.equal(roundTrip(S.simple('charArray'), '00000002 0068 0069'), '["h","i"]');
    assert.equal(roundTrip(S.simple('floatArray'), '00000001 3fc00000'), '[1.5]');
    assert.equal(roundTrip(S.simple('doubleArray'), '00000001 7ff0000000000000'), '["Infinity"]');
    assert.equal(roundTrip(S.simple('stringArray'), '00000003 02 61 00 01'), '["a",null,""]');
    assert.throws(() => dec(S.simple('longArray'), '10000000 00'), SavepointFormatError);
    assert.throws(() => dec(S.simple('byteArray'), 'ffffffff'), SavepointFormatError);
    const ga = S.genericArray(S.simple('long'), 'java.lang.Long');
    assert.equal(roundTrip(ga, '00000002 01 0000000000000005 00'), '[5,null]');
  });
});

describe('values: composites', () => {
  const str = S.simple('string');
  const long = S.simple('long');
  const int = S.simple('int');

  it('List, ArrayList, Map (sorted by key bytes), Set', () => {
    assert.equal(roundTrip(S.composite('list', [long]), '00000002 0000000000000002 0000000000000001'), '[2,1]');
    assert.equal(roundTrip(S.composite('arrayList', [str]), '00000001 02 78'), '["x"]');
    // map in stored order b, a, c(null); printed sorted by serialized key bytes
    const m = roundTrip(S.composite('map', [str, long]), '00000003 02 62 00 0000000000000002 02 61 00 0000000000000001 03 61 61 01');
    // "aa" (03 61 61) sorts after "b" (02 62): serialized bytes, not string order
    assert.equal(m, '[["a",1],["b",2],["aa",null]]');
    const set = roundTrip(S.composite('set', [int]), '00000003 00 00000002 01 00 ffffffff');
    assert.equal(set, '[null,2,-1]');
    assert.throws(() => dec(S.composite('list', [long]), '7fffffff'), SavepointFormatError);
    // values built in code (no key bytes) sort the same way
    assert.equal(
      encRoundTrip(S.composite('map', [int, str]), {
        t: 'map',
        entries: [
          { key: { t: 'int', v: -1 }, value: { t: 'string', v: 'neg' } },
          { key: { t: 'int', v: 7 }, value: { t: 'null' } },
        ],
      }),
      '[[7,null],[-1,"neg"]]',
    );
  });

  it('Tuples, Tuple0', () => {
    assert.equal(roundTrip(S.tuple([str, long]), '02 6b 000000000000000c'), '["k",12]');
    assert.equal(roundTrip(S.simple('tuple0'), '2a'), '[]');
    assert.equal(codecFor(S.tuple([int, long])).fixedLength, 12);
    assert.equal(codecFor(S.tuple([int, str])).fixedLength, -1);
  });

  it('Rows: kinds and null masks across byte boundaries', () => {
    // 3 fields, kind +I, field 0 null → 0,0,1,0,0 → 0x20
    const r3 = S.row([long, str, int], true);
    assert.equal(roundTrip(r3, '20 01 00000007'), '{"$row":"+I","fields":[null,"",7]}');
    assert.equal(roundTrip(r3, 'c0 0000000000000001 02 61 00000002'), '{"$row":"-D","fields":[1,"a",2]}');
    assert.equal(roundTrip(r3, 'b8'), '{"$row":"-U","fields":[null,null,null]}');
    assert.equal(roundTrip(r3, '70 00000005'), '{"$row":"+U","fields":[null,null,5]}');
    // 7 fields + 2 kind bits = 9 mask bits → 2 bytes; last field null sits in byte 2
    const fields = Array.from({ length: 7 }, () => int);
    const r7 = S.row(fields, true);
    const b = w().u8(0b00000000).u8(0b10000000);
    for (let i = 0; i < 6; i++) b.i32(i);
    assert.equal(roundTrip(r7, b.toBytes()), '{"$row":"+I","fields":[0,1,2,3,4,5,null]}');
    // without row kind (legacy): 8 fields in exactly one byte
    const r8 = S.row(Array.from({ length: 8 }, () => int), false);
    const b8 = w().u8(0b11111110).i32(9);
    assert.equal(roundTrip(r8, b8.toBytes()), '{"$row":"+I","fields":[null,null,null,null,null,null,null,9]}');
    assert.equal(roundTrip(S.row([], true), '00'), '{"$row":"+I","fields":[]}');
  });

  it('Nullable with and without padding', () => {
    assert.equal(roundTrip(S.nullable(long, 8), '01 0000000000000000'), 'null');
    assert.equal(roundTrip(S.nullable(long, 8), '00 0000000000000003'), '3');
    assert.equal(roundTrip(S.nullable(str, 0), '01'), 'null');
    assert.equal(codecFor(S.nullable(long, 8)).fixedLength, 9);
    assert.equal(codecFor(S.nullable(str, 0)).fixedLength, -1);
  });

  it('Enums index into the snapshot constants', () => {
    const e = S.enumOf('com.example.Color', ['RED', 'GREEN', 'BLUE']);
    assert.equal(roundTrip(e, '00000002'), '"BLUE"');
    assert.throws(() => dec(e, '00000003'), /enum index below 3/);
    assert.throws(() => dec(e, 'ffffffff'), SavepointFormatError);
  });

  it('TTL, windows, namespaces, timers', () => {
    assert.equal(roundTrip(S.ttl(str), '0000018df74ebc00 02 76'), '{"$ttl":1709251148800,"value":"v"}');
    assert.equal(roundTrip(S.simple('timeWindow'), '0000000000000000 000000000000ea60'), '{"start":0,"end":60000}');
    assert.equal(roundTrip(S.simple('globalWindow'), '00'), '"GlobalWindow"');
    assert.equal(roundTrip(S.simple('voidNamespace'), '00'), 'null');
    const timer = S.composite('timer', [str, S.simple('voidNamespace')]);
    const c = codecFor(timer);
    const b = w().i64(flipSign(1000n)).bytes(fstr('k')).u8(0).toBytes();
    assert.equal(toHex(b.subarray(0, 8)), '80000000000003e8');
    const v = c.decode(new ByteReader(b, 't'));
    assert.equal(v.t === 'timer' && v.timestamp, 1000n);
    assert.equal(c.toJson(v), '{"timestamp":1000,"key":"k","namespace":null}');
    assert.equal(roundTrip(timer, b), '{"timestamp":1000,"key":"k","namespace":null}');
    assert.equal(flipSign(flipSign(-5n)), -5n);
  });

  it('fixed lengths mirror TypeSerializer#getLength', () => {
    const len = (s: SerializerSnapshot) => codecFor(s).fixedLength;
    assert.equal(len(S.simple('voidNamespace')), 0);
    assert.equal(len(S.simple('globalWindow')), 0);
    assert.equal(len(S.simple('timeWindow')), 16);
    assert.equal(len(S.simple('long')), 8);
    assert.equal(len(S.simple('instant')), 12);
    assert.equal(len(S.simple('localDateTime')), 13);
    assert.equal(len(S.simple('string')), -1);
    assert.equal(len(S.composite('timer', [long, S.simple('timeWindow')])), 32);
    assert.equal(len(S.composite('timer', [str, S.simple('voidNamespace')])), -1);
    assert.equal(len(S.pojo('P', [{ name: 'a', snapshot: int }])), -1);
    assert.equal(len(S.enumOf('E', ['A'])), 4);
    // TupleSerializerBase: positive only when every field is positive (VoidNamespace declares 0)
    assert.equal(len(S.tuple([long, S.simple('voidNamespace')])), -1);
    assert.equal(len(S.tuple([long, S.simple('timeWindow')])), 24);
    assert.equal(len(S.ttl(long)), 16);
    assert.equal(len(S.nullable(S.simple('string'))), -1);
  });
});

describe('values: POJOs', () => {
  const long = S.simple('long');
  const str = S.simple('string');
  const special = S.pojo('com.example.Special', [{ name: 'extra', snapshot: S.simple('int') }, { name: 'id', snapshot: long }]);
  const other = S.pojo('com.example.Other', [{ name: 'id', snapshot: long }]);
  const base = S.pojo(
    'com.example.Base',
    [{ name: 'id', snapshot: long }, { name: 'name', snapshot: str }],
    [{ className: 'com.example.Special', snapshot: special }],
    [{ className: 'com.example.Other', snapshot: other }],
  );

  it('exact class with null fields, null POJO', () => {
    assert.equal(roundTrip(base, '02 00 0000000000000001 01'), '{"id":1,"name":null}');
    assert.equal(roundTrip(base, '02 00 0000000000000001 00 02 78'), '{"id":1,"name":"x"}');
    assert.equal(roundTrip(base, '01'), 'null');
  });

  it('registered (tagged) and named subclasses render $class first', () => {
    assert.equal(roundTrip(base, '08 00 02 00 00000007 00 0000000000000009'), '{"$class":"com.example.Special","extra":7,"id":9}');
    const named = w().u8(4).utf('com.example.Other').u8(2).u8(0).i64(3n).toBytes();
    assert.equal(roundTrip(base, named), '{"$class":"com.example.Other","id":3}');
  });

  it('a subclass without a serializer snapshot cannot be decoded', () => {
    const b = w().u8(4).utf('com.example.Unseen').u8(2).toBytes();
    assert.throws(() => dec(base, b), UndecodableValueError);
    assert.throws(() => dec(base, '08 05'), /subclass tag below 1/);
    assert.throws(() => dec(base, '00'), /POJO flags/);
  });

  it('nested POJOs and Kryo in tail position', () => {
    const inner = S.pojo('com.example.Inner', [{ name: 'v', snapshot: S.simple('double') }]);
    const outer = S.pojo('com.example.Outer', [{ name: 'a', snapshot: inner }, { name: 'z', snapshot: S.kryo('com.example.Blob') }]);
    assert.equal(roundTrip(outer, '02 00 02 00 3ff8000000000000 00 0906'), '{"a":{"v":1.5},"z":{"$kryo":"com.example.Blob","hex":"0906"}}');
    assert.equal(codecFor(outer).decodableInTail, true);
    assert.equal(codecFor(outer).opaque, true);
  });
});

describe('values: Kryo, Java, Unknown', () => {
  it('Kryo and Java take the rest of the bytes', () => {
    assert.equal(roundTrip(S.kryo('java.lang.Object'), '0906'), '{"$kryo":"java.lang.Object","hex":"0906"}');
    assert.equal(roundTrip(S.simple('java'), 'aced0005740001 61'), '{"$java":"aced000574000161"}');
    assert.equal(roundTrip(S.tuple([S.simple('int'), S.kryo('x.Y')]), '00000001 0102'), '[1,{"$kryo":"x.Y","hex":"0102"}]');
  });

  it('Unknown types never decode', () => {
    const u: SerializerSnapshot = { className: 'com.example.Snap', version: 1, nested: [], kind: 'unknown' };
    const c = codecFor(u);
    assert.equal(c.type, 'Unknown<com.example.Snap>');
    assert.equal(c.opaque, true);
    assert.equal(c.decodableInTail, false);
    assert.throws(() => c.decode(new ByteReader(hex('00'), 't')), UndecodableValueError);
    assert.equal(c.toJson({ t: 'raw', bytes: hex('0a'), type: c.type }), '{"$raw":"0a","type":"Unknown<com.example.Snap>"}');
  });
});

describe('values: Avro (Flink encoding)', () => {
  const schema = {
    type: 'record',
    name: 'User',
    namespace: 'com.example',
    fields: [
      { name: 'name', type: 'string' },
      { name: 'age', type: ['null', 'int'] },
      { name: 'score', type: 'double' },
      { name: 'ratio', type: 'float' },
      { name: 'big', type: 'long' },
      { name: 'ok', type: 'boolean' },
      { name: 'raw', type: 'bytes' },
      { name: 'hash', type: { type: 'fixed', name: 'Hash', size: 2 } },
      { name: 'color', type: { type: 'enum', name: 'Color', symbols: ['RED', 'GREEN'] } },
      { name: 'tags', type: { type: 'array', items: 'string' } },
      { name: 'attrs', type: { type: 'map', values: 'long' } },
      { name: 'next', type: ['null', 'User'] },
      { name: 'same', type: 'Color' },
    ],
  };
  const s = S.avro(schema);

  it('decodes records with every type, recursion and named references', () => {
    const b = w();
    b.i32(3).bytes(hex('616c69')); // name "ali"
    b.i32(1).i32(30); // age: union branch 1 (int)
    b.f64(0.5).f32(Math.fround(0.1)).i64(9007199254740993n).bool(true);
    b.i32(2).bytes(hex('0aff')); // raw bytes
    b.bytes(hex('beef')); // fixed
    b.i32(1); // GREEN
    b.u8(2).i32(1).bytes(hex('78')).i32(1).bytes(hex('79')).u8(0); // tags ["x","y"]
    b.u8(2).i32(1).bytes(hex('7a')).i64(1n).i32(1).bytes(hex('61')).i64(2n).u8(0); // attrs z→1, a→2
    // next: branch 1 → nested User
    b.i32(1);
    b.i32(0).i32(0).f64(-0).f32(NaN).i64(-1n).bool(false).i32(0).bytes(hex('0000')).i32(0).u8(0).u8(0).i32(0).i32(0);
    b.i32(0); // same = RED
    const json = roundTrip(s, b.toBytes());
    assert.equal(
      json,
      '{"name":"ali","age":30,"score":0.5,"ratio":0.1,"big":9007199254740993,"ok":true,"raw":{"$hex":"0aff"},"hash":{"$hex":"beef"},' +
        '"color":"GREEN","tags":["x","y"],"attrs":[["a",2],["z",1]],' +
        '"next":{"name":"","age":null,"score":0,"ratio":"NaN","big":-1,"ok":false,"raw":{"$hex":""},"hash":{"$hex":"0000"},"color":"RED","tags":[],"attrs":[],"next":null,"same":"RED"},' +
        '"same":"RED"}',
    );
  });

  it('reads multi-block arrays and LEB128 counts', () => {
    const arr = S.avro({ type: 'array', items: 'int' });
    const b = w().u8(1).i32(7).u8(2).i32(8).i32(9).u8(0).toBytes();
    assert.equal(dec(arr, b), '[7,8,9]');
    const many = w().u8(0x80 | 44).u8(1); // 172 items
    for (let i = 0; i < 172; i++) many.i32(i);
    many.u8(0);
    assert.equal(JSON.parse(roundTrip(arr, many.toBytes())).length, 172);
    assert.throws(() => dec(arr, 'ffffffff0f'), SavepointFormatError);
  });

  it('non-record top-level schemas and bad indexes', () => {
    assert.equal(roundTrip(S.avro('string'), '00000002 6869'), '"hi"');
    assert.equal(roundTrip(S.avro(['null', 'long']), '00000000'), 'null');
    assert.throws(() => dec(S.avro(['null', 'long']), '00000002'), /union index below 2/);
    assert.equal(codecFor(S.avro('string')).type, 'Avro<string>');
  });
});

describe('values: bounds', () => {
  it('every truncation of a valid value fails with a SavepointFormatError', () => {
    const snap = S.pojo('P', [
      { name: 'a', snapshot: S.composite('map', [S.simple('string'), S.composite('list', [S.simple('long')])]) },
      { name: 'b', snapshot: S.row([S.simple('int'), S.simple('bigdec')]) },
      { name: 'c', snapshot: S.simple('localDateTime') },
    ]);
    const c = codecFor(snap);
    const v: Value = {
      t: 'pojo',
      className: 'P',
      fields: [
        { name: 'a', value: { t: 'map', entries: [{ key: { t: 'string', v: 'k' }, value: { t: 'list', items: [{ t: 'long', v: 5n }] } }] } },
        { name: 'b', value: { t: 'row', kind: 2, fields: [{ t: 'int', v: 1 }, { t: 'bigdec', unscaled: -15n, scale: 1 }] } },
        { name: 'c', value: { t: 'localDateTime', date: { year: 2020, month: 1, day: 2 }, time: { hour: 3, minute: 4, second: 5, nano: 6 } } },
      ],
    };
    const b = encodeWith(c, v);
    assert.equal(c.toJson(c.decode(new ByteReader(b, 't'))), '{"a":[["k",[5]]],"b":{"$row":"+U","fields":[1,"-1.5"]},"c":"2020-01-02T03:04:05.000000006"}');
    for (let cut = 0; cut < b.length; cut++) {
      assert.throws(() => c.decode(new ByteReader(b.subarray(0, cut), 't')), SavepointFormatError, `cut at ${cut}`);
    }
  });
});
