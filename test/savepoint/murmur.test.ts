import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { flinkMurmur, javaHashCode, keyGroupForHash, keyGroupRange, operatorIdFromUid } from '../../engine/savepoint/murmur';
import { openSavepoint } from '../../engine/savepoint/index';
import { corpusCases, hasPlainKeyEntries } from './corpus';

describe('murmur: uid → OperatorID', () => {
  const vectors: [string, string][] = [
    ['42', '6c4f323f22da8fb6e34f80c61be7a689'],
    ['44', '3e129e83691e7737fbf876b47452acbc'],
    ['CheckpointingSource2', '1f2b5df5a66154aca61fcb26193792be'],
    ['CheckpointingKeyedStateFlatMap1', 'd5c8b168c6cbfe8c507a10f88b325243'],
    ['first', 'adf090656b210b1609ad3203d4ee7329'],
    ['second', '6730ef7375fb60f9d9bbdfdfd174d803'],
    ['window', '01203aa9a12dc1ec725e03853dd7c8f2'],
  ];
  for (const [uid, id] of vectors) {
    it(`"${uid}" → ${id}`, () => assert.equal(operatorIdFromUid(uid), id));
  }

  it('hashes every tail length 0..40 differently and deterministically', () => {
    const seen = new Set<string>();
    for (let n = 0; n <= 40; n++) {
      const uid = 'x'.repeat(n);
      const id = operatorIdFromUid(uid);
      assert.match(id, /^[0-9a-f]{32}$/);
      assert.equal(operatorIdFromUid(uid), id);
      seen.add(id);
    }
    assert.equal(seen.size, 41);
  });

  it('hashes UTF-8, not UTF-16', () => {
    assert.notEqual(operatorIdFromUid('é'), operatorIdFromUid('\u00c3\u00a9'));
  });

  const cases = corpusCases();
  for (const c of cases) {
    it(`corpus ${c.name}: stored uids hash to the stored ids`, async function () {
      const sp = await openSavepoint(c.savepoint);
      let checked = 0;
      for (const o of sp.operators) {
        if (o.uid) {
          assert.equal(o.id, operatorIdFromUid(o.uid), `operator ${o.uid}`);
          checked++;
        }
      }
      const uids = c.caseJson ? uidsInCaseJson(JSON.parse(fs.readFileSync(c.caseJson, 'utf8'))) : [];
      const ids = new Set(sp.operators.map((o) => o.id));
      for (const u of uids) {
        assert.ok(ids.has(operatorIdFromUid(u)), `uid ${u} from case.json has no operator ${operatorIdFromUid(u)}`);
        checked++;
      }
      assert.ok(checked > 0, "neither the metadata nor case.json names a uid");
    });
  }
});

/** Collects strings under keys named "uid" / "uids" anywhere in case.json. */
function uidsInCaseJson(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) uidsInCaseJson(x, out);
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if ((k === 'uid' || k === 'uids') && typeof x === 'string') out.push(x);
      else if (k === 'uids' && Array.isArray(x)) for (const s of x) if (typeof s === 'string') out.push(s);
      else uidsInCaseJson(x, out);
    }
  }
  return out;
}

describe('murmur: key groups', () => {
  it('matches the fixture facts of savepoint-format.md §8 (Long keys, max parallelism 4)', () => {
    assert.equal(keyGroupForHash(javaHashCode(0n, 'Long'), 4), 2);
    assert.equal(keyGroupForHash(javaHashCode(1n, 'Long'), 4), 2);
    assert.equal(keyGroupForHash(javaHashCode(2n, 'Long'), 4), 3);
    assert.equal(keyGroupForHash(javaHashCode(3n, 'Long'), 4), 1);
    assert.equal(keyGroupForHash(javaHashCode([3n], ['Long']), 4), 1);
  });

  it('computes Java hash codes', () => {
    assert.equal(javaHashCode('hello', 'String'), 99162322);
    assert.equal(javaHashCode('', 'String'), 0);
    assert.equal(javaHashCode(-1n, 'Long'), 0);
    assert.equal(javaHashCode(1n << 32n, 'Long'), 1);
    assert.equal(javaHashCode(true, 'Boolean'), 1231);
    assert.equal(javaHashCode(false, 'Boolean'), 1237);
    assert.equal(javaHashCode(1.0, 'Double'), 1072693248);
    assert.equal(javaHashCode(1.0, 'Float'), 1065353216);
    assert.equal(javaHashCode('a', 'Character'), 97);
    assert.equal(javaHashCode(['a', 1], ['String', 'Integer']), 31 * 97 + 1);
  });

  it('never returns a negative murmur value and keeps key groups in range', () => {
    for (let i = -100000; i < 100000; i += 37) {
      const h = flinkMurmur(i * 7919);
      assert.ok(h >= 0);
      const kg = keyGroupForHash(i, 128);
      assert.ok(kg >= 0 && kg < 128);
    }
  });

  it('splits key groups like KeyGroupRangeAssignment', () => {
    assert.deepEqual(keyGroupRange(0, 2, 128), { start: 0, end: 63 });
    assert.deepEqual(keyGroupRange(1, 2, 128), { start: 64, end: 127 });
    assert.deepEqual(keyGroupRange(0, 3, 10), { start: 0, end: 3 });
    assert.deepEqual(keyGroupRange(1, 3, 10), { start: 4, end: 6 });
    assert.deepEqual(keyGroupRange(2, 3, 10), { start: 7, end: 9 });
  });

  // only cases with String/Long/Integer keyed entries (native and FileSink cases have none)
  const cases = corpusCases().filter((c) => c.dumpFile && hasPlainKeyEntries(fs.readFileSync(c.dumpFile, 'utf8').split('\n').filter(Boolean)));
  for (const c of cases) {
    it(`corpus ${c.name}: String/Long/Integer keys sit in their key group`, function () {
      const text = fs.readFileSync(c.dumpFile!, 'utf8').split('\n').filter(Boolean);
      const maxPar = new Map<string, number>();
      const keyType = new Map<string, string>();
      let checked = 0;
      for (const line of text) {
        if (line.startsWith('{"type":"operator"')) {
          const l = JSON.parse(line);
          maxPar.set(l.id, l.maxParallelism);
        } else if (line.startsWith('{"type":"state"')) {
          const l = JSON.parse(line);
          if (l.key) keyType.set(`${l.operator}/${l.name}`, l.key);
        } else if (line.startsWith('{"type":"entry"')) {
          // keys are matched on the raw text so that Longs beyond 2^53 stay exact
          const m = /^\{"type":"entry","operator":"([0-9a-f]{32})","state":("(?:[^"\\]|\\.)*"),"keyGroup":(\d+),"key":(-?\d+|"(?:[^"\\]|\\.)*")[,}]/.exec(line);
          if (!m) continue;
          const op = m[1];
          const state = JSON.parse(m[2]) as string;
          const kt = keyType.get(`${op}/${state}`);
          if (kt !== 'String' && kt !== 'Long' && kt !== 'Integer') continue;
          const key = kt === 'String' ? (JSON.parse(m[4]) as string) : kt === 'Long' ? BigInt(m[4]) : Number(m[4]);
          if (kt === 'String' && typeof key !== 'string') continue;
          assert.equal(keyGroupForHash(javaHashCode(key, kt), maxPar.get(op)!), Number(m[3]), `${state} key ${m[4]}`);
          checked++;
        }
      }
      assert.ok(checked > 0, 'no key was checked');
    });
  }
});
