import { strict as assert } from 'assert';
import { SavepointFormatError } from '../../engine/savepoint/errors';
import { ByteReader } from '../../engine/savepoint/io';
import { readVersionedSnapshot, SerializerSnapshot, snapshots as S, writeVersionedSnapshot } from '../../engine/savepoint/serializers';
import { codecFor, encodeWith, Value } from '../../engine/savepoint/values';
import { ByteWriter } from '../../engine/savepoint/writer-io';
import { random01 } from './random';

const rng = random01;

function mutate(b: Uint8Array, rand: () => number): Uint8Array {
  const out = Uint8Array.from(b);
  const n = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(rand() * out.length);
    out[at] = rand() < 0.5 ? Math.floor(rand() * 256) : out[at] ^ (1 << Math.floor(rand() * 8));
  }
  return rand() < 0.2 ? out.subarray(0, Math.floor(rand() * out.length)) : out;
}

const onlyFormatErrors = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (!(e instanceof SavepointFormatError)) throw e;
  }
};

describe('fuzzing: damaged bytes only ever raise SavepointFormatError', () => {
  const pojo = S.pojo('com.example.P', [
    { name: 'a', snapshot: S.composite('map', [S.simple('string'), S.composite('list', [S.simple('long')])]) },
    { name: 'b', snapshot: S.row([S.simple('int'), S.simple('bigdec'), S.nullable(S.simple('instant'), 12)]) },
    { name: 'c', snapshot: S.enumOf('com.example.E', ['X', 'Y']) },
    { name: 'd', snapshot: S.avro({ type: 'record', name: 'R', fields: [{ name: 'm', type: { type: 'map', values: ['null', 'string'] } }] }) },
    { name: 'e', snapshot: S.simple('stringArray') },
  ]);
  const snap: SerializerSnapshot = S.ttl(pojo);

  it('serializer snapshots', () => {
    const w = new ByteWriter();
    writeVersionedSnapshot(snap, w, false);
    const good = w.toBytes();
    const rand = rng(42);
    for (let i = 0; i < 3000; i++) onlyFormatErrors(() => readVersionedSnapshot(new ByteReader(mutate(good, rand), 'fuzz')));
  });

  it('values', () => {
    const c = codecFor(snap);
    const v: Value = {
      t: 'ttl',
      timestamp: 5n,
      value: {
        t: 'pojo',
        className: 'com.example.P',
        fields: [
          { name: 'a', value: { t: 'map', entries: [{ key: { t: 'string', v: 'k' }, value: { t: 'list', items: [{ t: 'long', v: 1n }] } }] } },
          { name: 'b', value: { t: 'row', kind: 0, fields: [{ t: 'int', v: 1 }, { t: 'bigdec', unscaled: 15n, scale: 1 }, { t: 'instant', seconds: 1n, nanos: 2 }] } },
          { name: 'c', value: { t: 'enum', index: 1, name: 'Y' } },
          { name: 'd', value: { t: 'avroRecord', name: 'R', fields: [{ name: 'm', value: { t: 'avroMap', entries: [['q', { t: 'avroUnion', branch: 1, value: { t: 'string', v: 'w' } }]] } }] } },
          { name: 'e', value: { t: 'list', items: [{ t: 'string', v: 'x' }, { t: 'null' }] } },
        ],
      },
    };
    const good = encodeWith(c, v);
    assert.equal(
      c.toJson(c.decode(new ByteReader(good, 't'))),
      '{"$ttl":5,"value":{"a":[["k",[1]]],"b":{"$row":"+I","fields":[1,"1.5","1970-01-01T00:00:01.000000002Z"]},"c":"Y","d":{"m":[["q","w"]]},"e":["x",null]}}',
    );
    const rand = rng(7);
    for (let i = 0; i < 5000; i++) {
      onlyFormatErrors(() => {
        const val = c.decode(new ByteReader(mutate(good, rand), 'fuzz'));
        c.toJson(val);
      });
    }
  });
});
