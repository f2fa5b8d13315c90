/**
 * The Scala API's serializers (flink-scala, Flink 1.x): snapshots, values, the raw rule and the
 * writer's refusal. The main evidence is the conformance test over flink-1.20.3/types-scala (a real
 * Scala job's savepoint against engine.jar dump); these are the focused checks and hand-made edge cases.
 */
import { strict as assert } from 'assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SavepointFormatError } from '../../engine/savepoint/errors';
import { ByteReader, toHex } from '../../engine/savepoint/io';
import {
  COMPOSITE_MAGIC,
  isDecodableInTail,
  isOpaque,
  NESTED_MAGIC,
  readVersionedSnapshot,
  scalaPart,
  SerializerSnapshot,
  snapshots as S,
  typeString,
  writeVersionedSnapshot,
} from '../../engine/savepoint/serializers';
import { StateTypes } from '../../engine/savepoint/statemeta';
import { codecFor, encodeWith, UndecodableValueError } from '../../engine/savepoint/values';
import { EncodeError, encoderFor } from '../../engine/savepoint/write/encode';
import { writeVersionedSnapshot as writeSnapshotForFiles } from '../../engine/savepoint/write/snapshots';
import { ByteWriter } from '../../engine/savepoint/writer-io';
import { readOnlyReason } from '../../extension/editors/valueEdit';
import { main } from '../../engine/cli/fsp';
import { CORPUS_ROOT, corpusKeyedHeader, memoryIo } from './corpus';
import { cli, tmp } from '../writer/helpers';
import { hex, roundTrip } from './roundtrip';

const SC = 'org.apache.flink.api.scala.typeutils.';
const CASE = path.join(CORPUS_ROOT, 'flink-1.20.3', 'types-scala');
const SAVEPOINT = path.join(CASE, 'savepoint');
/** uid "scala-state" (String keys) and uid "account-state" (case class keys) of the corpus job */
const SCALA_STATE = '7c3a517805581d31bb06d65186963eaf';
const ACCOUNT_STATE = 'bdab0fa58a5abd3de224d7421ec2edc6';

/** A CompositeTypeSerializerSnapshot of flink-scala as Flink writes it (snapshot version 3). */
function composite(cls: string, outerVersion: number, nested: SerializerSnapshot[], outer?: (w: ByteWriter) => void): Uint8Array {
  const w = new ByteWriter();
  w.utf(SC + cls).i32(3).i32(COMPOSITE_MAGIC).i32(outerVersion);
  outer?.(w);
  w.i32(NESTED_MAGIC).i32(1).i32(nested.length);
  for (const n of nested) writeVersionedSnapshot(n, w, false);
  return w.toBytes();
}

function read(b: Uint8Array): SerializerSnapshot {
  const r = new ByteReader(b, 'test');
  const s = readVersionedSnapshot(r);
  r.expectEnd('the snapshot');
  return s;
}

const caseClass = (cls: string, fields: SerializerSnapshot[]) => read(composite('ScalaCaseClassSerializerSnapshot', 2, fields, (w) => w.utf(cls)));
const option = (e: SerializerSnapshot) => read(composite('ScalaOptionSerializerSnapshot', 2, [e]));
const either = (l: SerializerSnapshot, r: SerializerSnapshot) => read(composite('ScalaEitherSerializerSnapshot', 1, [l, r]));
const traversable = (e: SerializerSnapshot, cbf = 'implicitly[scala.collection.generic.CanBuildFrom[List[String], String, List[String]]]') =>
  read(composite('TraversableSerializerSnapshot', 2, [e], (w) => w.utf(cbf)));
function enumeration(cls: string, values: [string, number][]): SerializerSnapshot {
  const w = new ByteWriter();
  w.utf(SC + 'ScalaEnumSerializerSnapshot').i32(3).utf(cls).i32(values.length);
  for (const [name, id] of values) w.utf(name).i32(id);
  return read(w.toBytes());
}

const str = S.simple('string');
const long = S.simple('long');
const int = S.simple('int');
const kryo = S.kryo('com.example.Note');
const fstr = (s: string | null) => toHex(encodeWith(codecFor(str), s === null ? { t: 'null' } : { t: 'string', v: s }));

const dec = roundTrip;

function formatError(s: SerializerSnapshot, h: string): SavepointFormatError {
  try {
    const r = new ByteReader(hex(h), 'value.bin', 100);
    codecFor(s).decode(r);
    r.expectEnd('the value');
  } catch (e) {
    assert.ok(e instanceof SavepointFormatError, `a SavepointFormatError, got ${e}`);
    return e;
  }
  return assert.fail('no error');
}

/** The snapshot trees of every state of one operator of the types-scala corpus case (subtask 0's header). */
function corpusStates(operator: string): { key: SerializerSnapshot; states: Map<string, Map<string, SerializerSnapshot>> } {
  const p = corpusKeyedHeader(SAVEPOINT, operator, 'npm run corpus -- --version 1.20.3 --case types-scala');
  return { key: p.keySerializer, states: new Map(p.states.map((s) => [s.name, s.serializers])) };
}

describe('Scala API serializers (Flink 1.x)', () => {
  describe('snapshots', () => {
    it('the types-scala corpus: every Scala snapshot of a real Scala job, with its payload and type string', () => {
      const { states } = corpusStates(SCALA_STATE);
      const value = (name: string) => states.get(name)!.get('VALUE_SERIALIZER')!;
      const expected: [string, string][] = [
        ['caseClass', 'CaseClass<dev.flinksavepoints.engine.corpus.ScalaOrder>'],
        ['tuple', 'CaseClass<scala.Tuple2>'],
        ['option', 'Option<String>'],
        ['optionLong', 'Option<Long>'],
        ['optionCaseClass', 'Option<CaseClass<dev.flinksavepoints.engine.corpus.ScalaAddress>>'],
        ['either', 'Either<String, Long>'],
        ['eitherNested', 'Either<CaseClass<dev.flinksavepoints.engine.corpus.ScalaAddress>, CaseClass<scala.Tuple2>>'],
        ['list', 'Traversable<String>'],
        ['set', 'Traversable<Integer>'],
        ['enumeration', 'Enumeration<dev.flinksavepoints.engine.corpus.ScalaLevel$>'],
        ['empty', 'CaseClass<dev.flinksavepoints.engine.corpus.ScalaEmpty>'],
        ['kryoTail', 'CaseClass<dev.flinksavepoints.engine.corpus.ScalaTagged>'],
        ['optionKryo', 'Option<Kryo<dev.flinksavepoints.engine.corpus.ScalaNote>>'],
        ['eitherKryo', 'Either<String, Kryo<dev.flinksavepoints.engine.corpus.ScalaNote>>'],
        ['byAccount', 'Map<CaseClass<dev.flinksavepoints.engine.corpus.ScalaAccount>, Either<String, Long>>'],
        ['history', 'List<CaseClass<scala.Tuple2>>'],
      ];
      for (const [name, type] of expected) assert.equal(typeString(value(name)), type, name);

      // ScalaCaseClassSerializerSnapshot: outer version 2, the class name, the field snapshots in declaration order
      const order = value('caseClass');
      assert.equal(order.className, SC + 'ScalaCaseClassSerializerSnapshot');
      assert.equal(order.version, 3);
      assert.equal(order.outerVersion, 2);
      assert.deepEqual(order.nested.map((n) => typeString(n)), [
        'Long', 'String', 'CaseClass<dev.flinksavepoints.engine.corpus.ScalaAddress>', 'Option<String>', 'CaseClass<scala.Tuple2>',
        'Traversable<String>', 'Enumeration<dev.flinksavepoints.engine.corpus.ScalaLevel$>', 'Traversable<CaseClass<scala.Tuple2>>', 'Double',
      ]);
      // ScalaEitherSerializerSnapshot is outer version 1; ScalaOptionSerializerSnapshot 2
      assert.equal(value('either').outerVersion, 1);
      assert.equal(value('option').outerVersion, 2);
      // TraversableSerializerSnapshot: the CanBuildFrom code the macro generated
      assert.equal(value('list').detail, 'implicitly[scala.collection.generic.CanBuildFrom[List[String], String, List[String]]]');
      assert.equal(value('set').detail, 'implicitly[scala.collection.generic.CanBuildFrom[Set[Int], Int, Set[Int]]]');
      // ScalaEnumSerializerSnapshot: (name, id) pairs, ids with a gap and a renamed value
      assert.deepEqual(value('enumeration').scalaEnum, {
        className: 'dev.flinksavepoints.engine.corpus.ScalaLevel$',
        constants: [{ name: 'Low', id: 0 }, { name: 'middle', id: 5 }, { name: 'High', id: 6 }],
      });
      // a case class as the key serializer
      assert.equal(typeString(corpusStates(ACCOUNT_STATE).key), 'CaseClass<dev.flinksavepoints.engine.corpus.ScalaAccount>');
    });

    it('hand-made snapshots in Flink’s layout, Tuple2CaseClassSerializerSnapshot included; written back byte for byte', () => {
      const tuple2 = composite('Tuple2CaseClassSerializerSnapshot', 2, [str, long], (w) => w.utf('scala.Tuple2'));
      const cases: [Uint8Array, string][] = [
        [tuple2, 'CaseClass<scala.Tuple2>'],
        [composite('ScalaCaseClassSerializerSnapshot', 2, [], (w) => w.utf('com.example.Empty')), 'CaseClass<com.example.Empty>'],
        [composite('ScalaOptionSerializerSnapshot', 2, [read(tuple2)]), 'Option<CaseClass<scala.Tuple2>>'],
        [composite('ScalaEitherSerializerSnapshot', 1, [str, kryo]), 'Either<String, Kryo<com.example.Note>>'],
        [composite('TraversableSerializerSnapshot', 2, [int], (w) => w.utf('implicitly[CanBuildFrom[Seq[Int], Int, Seq[Int]]]')), 'Traversable<Integer>'],
      ];
      for (const [bytes, type] of cases) {
        const s = read(bytes);
        assert.equal(typeString(s), type);
        assert.equal(toHex(s.raw!), toHex(bytes));
        // both snapshot writers carry Scala snapshots over as read (the writer never builds them)
        const a = new ByteWriter();
        writeVersionedSnapshot(s, a);
        assert.equal(toHex(a.toBytes()), toHex(bytes));
        const b = new ByteWriter();
        writeSnapshotForFiles(b, s);
        assert.equal(toHex(b.toBytes()), toHex(bytes));
      }
    });

    it('a damaged Scala snapshot is a SavepointFormatError naming what was expected', () => {
      const good = composite('ScalaOptionSerializerSnapshot', 2, [str]);
      const bad = good.slice();
      const at = 2 + (SC + 'ScalaOptionSerializerSnapshot').length + 4; // after the class name and the version
      bad[at] ^= 0xff;
      assert.throws(() => read(bad), (e: unknown) => e instanceof SavepointFormatError && e.offset === at && /composite snapshot magic/.test(e.message));
      assert.throws(() => read(good.subarray(0, good.length - 3)), SavepointFormatError);
    });
  });

  describe('values', () => {
    it('Option: None is null, Some(v) is {"$some":v}, Some(null) is {"$some":null}', () => {
      const o = option(str);
      assert.equal(dec(o, '00'), 'null');
      assert.equal(dec(o, '01' + fstr('x')), '{"$some":"x"}');
      assert.equal(dec(o, '01' + fstr(null)), '{"$some":null}');
      assert.equal(dec(option(option(long)), '0100'), '{"$some":null}');
      assert.equal(dec(option(option(long)), '0101' + '000000000000002a'), '{"$some":{"$some":42}}');
    });

    it('Either: {"$left":v} / {"$right":v}', () => {
      const e = either(str, long);
      assert.equal(dec(e, '01' + fstr('l')), '{"$left":"l"}');
      assert.equal(dec(e, '00' + '7fffffffffffffff'), '{"$right":9223372036854775807}');
      assert.equal(dec(either(option(str), long), '01' + '00'), '{"$left":null}');
    });

    it('case classes: a JSON array of the fields in declaration order (null fields, no fields, nesting)', () => {
      const address = caseClass('com.example.Address', [str, str, int]);
      assert.equal(dec(address, fstr(null) + fstr('Zürich') + '00001f40'), '[null,"Zürich",8000]');
      assert.equal(dec(caseClass('com.example.Empty', []), ''), '[]');
      assert.equal(codecFor(caseClass('com.example.Empty', [])).fixedLength, 0);
      assert.equal(codecFor(caseClass('scala.Tuple2', [int, long])).fixedLength, 12);
      assert.equal(codecFor(address).fixedLength, -1);
      const order = caseClass('com.example.Order', [long, address, option(address)]);
      assert.equal(dec(order, '0000000000000007' + fstr('a') + fstr('b') + '00000001' + '01' + fstr('c') + fstr('d') + '00000002'),
        '[7,["a","b",1],{"$some":["c","d",2]}]');
    });

    it('Traversable: a JSON array in stored order, null elements as null', () => {
      const t = traversable(str);
      assert.equal(dec(t, '00000000'), '[]');
      assert.equal(dec(t, '00000003' + '01' + fstr('a') + '00' + '01' + fstr('c')), '["a",null,"c"]');
      assert.equal(dec(traversable(int), '00000002' + '01' + '00000002' + '01' + '00000001'), '[2,1]');
    });

    it('Enumeration: the name the snapshot stores for the id', () => {
      const e = enumeration('com.example.Level$', [['Low', 0], ['middle', 5], ['High', 6]]);
      assert.equal(dec(e, '00000005'), '"middle"');
      assert.equal(dec(e, '00000006'), '"High"');
      assert.equal(codecFor(e).fixedLength, 4);
    });

    it('bad bytes: SavepointFormatErrors with the file, the offset and what was expected', () => {
      const e = formatError(enumeration('com.example.Level$', [['Low', 0], ['middle', 5]]), '00000001');
      assert.equal(e.file, 'value.bin');
      assert.equal(e.offset, 100);
      assert.match(e.expected, /the id of a value of com\.example\.Level\$ \(0, 5\)/);
      assert.equal(e.found, '1');
      const t = formatError(traversable(str), 'ffffffff');
      assert.equal(t.offset, 100);
      assert.match(t.expected, /the size of a Traversable<String>/);
      assert.match(formatError(traversable(str), '0000000201' + fstr('a')).message, /collection element flag/);
      assert.match(formatError(option(long), '01000000').message, /a Long/);
      assert.match(formatError(either(str, long), '').message, /an Either flag/);
    });

    it('the raw rule: Option, Either and case classes are tail-decodable like Nullable and tuples; Traversable only without opaque parts', () => {
      assert.ok(!isOpaque(option(caseClass('A', [str, either(str, long)]))));
      assert.ok(isDecodableInTail(option(kryo)));
      assert.ok(isDecodableInTail(either(str, kryo)));
      assert.ok(isDecodableInTail(caseClass('T', [str, kryo])));
      assert.ok(!isDecodableInTail(caseClass('T', [kryo, str])));
      assert.ok(!isDecodableInTail(traversable(kryo)));
      assert.ok(isOpaque(traversable(kryo)));

      // Kryo at the tail: the class name and the bytes to the end, never guessed
      assert.equal(dec(option(kryo), '01' + 'aabbcc'), '{"$some":{"$kryo":"com.example.Note","hex":"aabbcc"}}');
      assert.equal(dec(either(str, kryo), '00' + '0102'), '{"$right":{"$kryo":"com.example.Note","hex":"0102"}}');
      assert.equal(dec(caseClass('T', [str, kryo]), fstr('x') + 'ff'), '["x",{"$kryo":"com.example.Note","hex":"ff"}]');
    });

    it('an unknown nested serializer (Try) makes the type opaque: raw view, never a guess', () => {
      const w = new ByteWriter();
      w.utf(SC + 'ScalaTrySerializerSnapshot').i32(3).i32(COMPOSITE_MAGIC).i32(2).i32(NESTED_MAGIC).i32(1).i32(2);
      writeVersionedSnapshot(long, w, false);
      writeVersionedSnapshot(S.kryo('java.lang.Throwable'), w, false);
      const t = read(w.toBytes());
      for (const [s, h] of [[option(t), '01'], [either(str, t), '00'], [caseClass('C', [t]), '01'], [traversable(t), '00000001 01']] as const) {
        const c = codecFor(s);
        assert.ok(c.opaque, c.type);
        assert.ok(!c.decodableInTail, c.type);
        // the dump never decodes such a type (it prints {"$raw":…}); decoding anyway is an error, not a guess
        assert.throws(() => c.decode(new ByteReader(hex(h + '0000000000000001'), 'v')), UndecodableValueError, c.type);
      }
      assert.equal(typeString(option(t)), `Option<Unknown<${SC}ScalaTrySerializerSnapshot>>`);
    });
  });

  describe('writing', () => {
    it('encoders refuse Scala types with a clear error, nested ones too', () => {
      for (const s of [option(str), either(str, long), caseClass('C', [str]), traversable(str), enumeration('E$', [['A', 0]]), S.tuple([str, option(long)])]) {
        assert.throws(() => encoderFor(s), (e: unknown) => e instanceof EncodeError && /cannot be written: Scala API serializers/.test(e.message), typeString(s));
      }
      assert.equal(typeString(scalaPart(S.composite('list', [S.tuple([str, option(long)])]))!), 'Option<Long>');
      assert.equal(scalaPart(S.composite('map', [str, long])), undefined);
    });

    it('the state editor shows Scala-typed state read-only', () => {
      const t = (value: SerializerSnapshot, key: SerializerSnapshot = str): StateTypes =>
        ({ name: 's', backend: 'KEY_VALUE', kind: 'VALUE', key, namespace: S.simple('voidNamespace'), value }) as StateTypes;
      assert.match(readOnlyReason(t(option(str)))!.reason, /Option<String> are read-only \(Scala API/);
      assert.match(readOnlyReason(t(long, caseClass('K', [str])))!.reason, /CaseClass<K> are read-only/);
      assert.equal(readOnlyReason(t(long)), undefined);
    });

    it('fsp edit refuses Scala-typed state and writes nothing; other commands carry Scala state over unchanged', async () => {
      const dir = tmp('fsp-scala-');
      try {
        for (const [state, op, set] of [
          ['option', SCALA_STATE, 'a={"$some":"x"}'],
          ['caseClass', SCALA_STATE, 'a=[1,"a",["s","c",1],null,["p",1],[],"Low",[],1.5]'],
          ['count', ACCOUNT_STATE, '["a",1]=5'],
        ]) {
          const out = path.join(dir, state);
          const r = await cli('edit', SAVEPOINT, '--out', out, '--operator', op, '--state', state, '--set', set);
          assert.equal(r.code, 1, r.stderr);
          assert.match(r.stderr, /cannot be written: Scala API serializers/);
          assert.ok(!fs.existsSync(out), 'nothing written');
        }
        // removing the case-class-keyed operator rewrites _metadata around the Scala state of the other
        const out = path.join(dir, 'removed');
        const r = await cli('remove-operator', SAVEPOINT, '--out', out, '--operator', ACCOUNT_STATE);
        assert.equal(r.code, 0, r.stderr);
        const m = memoryIo();
        assert.equal(await main(['dump', out], m.io), 0, m.err());
        const expected = fs.readFileSync(path.join(CASE, 'dump.jsonl'), 'utf8').split('\n')
          .filter((l) => l && !l.includes(ACCOUNT_STATE))
          .map((l) => (l.startsWith('{"type":"savepoint"') ? l.replace('"operators":5', '"operators":4') : l));
        assert.deepEqual(m.out().split('\n').filter(Boolean), expected);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
