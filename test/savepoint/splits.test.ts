// FLIP-27 split state (SourceReaderState elements) decoded for the corpus's sources:
// NumberSequenceSource (built into Flink) and the corpus's own CorpusSource.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../../engine/cli/fsp';
import { openSavepoint, operatorIdFromUid, SavepointFormatError } from '../../engine/savepoint/index';
import { fromHex, toHex } from '../../engine/savepoint/io';
import {
  decodeSourceSplit,
  describeSourceSplits,
  encodeCorpusIdSplit,
  encodeNumberSequenceSplit,
  NumberSequenceSplit,
  readSplitFrame,
  sourceSplitLines,
  splitLine,
} from '../../engine/savepoint/splits';
import { CORPUS_ROOT, corpusCases, memoryIo } from './corpus';

const LONG_MAX = (1n << 63n) - 1n;
const VERSIONS = ['1.20.3', '2.3.0'];
const SEQUENCE_OP = operatorIdFromUid('sequence');

/**
 * Flink's own decoding of the committed number-sequence elements: a throwaway Java main (run once,
 * not part of the repo) fed these bytes to `NumberSequenceSource#getSplitSerializer()` through
 * `SimpleVersionedSerialization.readVersionAndDeSerialize(serializer, byte[])` on the Flink 1.20.3 and
 * 2.3.0 engine jars, printed splitId()/from()/to(), and found `writeVersionAndSerialize` to give the
 * same bytes back. Both Flink versions printed the same lines.
 */
const FLINK_DECODED: Record<string, { splitId: string; from: bigint; to: bigint }> = {
  // flink-1.20.3/number-sequence
  '0000000100000013000132400000000000003e7fffffffffffffff': { splitId: '2', from: 4611686018427387966n, to: 9223372036854775807n },
  '000000010000001300013100000000000000343fffffffffffffff': { splitId: '1', from: 52n, to: 4611686018427387903n },
  // flink-2.3.0/number-sequence
  '0000000100000013000131000000000000002f3fffffffffffffff': { splitId: '1', from: 47n, to: 4611686018427387903n },
  '0000000100000013000132400000000000002a7fffffffffffffff': { splitId: '2', from: 4611686018427387946n, to: 9223372036854775807n },
};
/** …and what the same run said about bytes it rejects (flink-core 1.20.3 and 2.3.0 alike). */
const FLINK_REJECTED: Record<string, string> = {
  // IOException: Corrupt data, conflicting lengths. Length fields: 19, data: 18
  '0000000100000013000131000000000000009d3fffffffffffff': 'framing',
  // IOException: Corrupt data, conflicting lengths. Length fields: 18, data: 19
  '0000000100000012000131000000000000009d3fffffffffffffff': 'framing',
  // IllegalArgumentException: 'from' must be <= 'to'
  '000000010000001300013100000000000000ff0000000000000000': 'layout',
  // IOException: Unrecognized version: 2
  '0000000200000013000131000000000000009d3fffffffffffffff': 'layout',
};

interface Element {
  operator: string;
  subtask: number;
  index: number;
  hex: string;
}

/** SourceReaderState elements of a committed dump (the Java oracle's output). */
function dumpElements(file: string): Element[] {
  const out: Element[] = [];
  for (const l of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!l.startsWith('{"type":"element",')) continue;
    const e = JSON.parse(l) as { operator: string; state: string; subtask: number; index: number; value: { $hex?: string } };
    if (e.state !== 'SourceReaderState') continue;
    assert.equal(typeof e.value.$hex, 'string', l);
    out.push({ operator: e.operator, subtask: e.subtask, index: e.index, hex: e.value.$hex! });
  }
  return out;
}

/** decodeSourceSplit, with the contract: a split, undefined, or a SavepointFormatError. */
function tryDecode(b: Uint8Array): ReturnType<typeof decodeSourceSplit> | 'error' {
  try {
    return decodeSourceSplit(b);
  } catch (e) {
    if (e instanceof SavepointFormatError) return 'error';
    throw e;
  }
}

/** Deterministic PRNG (mulberry32) for the mutation runs. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('FLIP-27 split state', () => {
  for (const v of VERSIONS) {
    const dir = path.join(CORPUS_ROOT, `flink-${v}`, 'number-sequence');
    describe(`number-sequence (Flink ${v})`, () => {
      before(function () {
        assert.ok(fs.existsSync(path.join(dir, 'savepoint', '_metadata')), `corpus case ${dir} is missing`);
      });

      it('every SourceReaderState element is a NumberSequenceSplit that re-encodes to its bytes', async () => {
        const sp = await openSavepoint(path.join(dir, 'savepoint'));
        const els = await describeSourceSplits(sp, SEQUENCE_OP);
        assert.ok(els, 'the sequence operator has a SourceReaderState');
        assert.equal(els.length, 2, 'one split per reader (parallelism 2)');
        assert.deepEqual(els.map((e) => e.subtask).sort(), [0, 1]);
        // the API reads the same bytes the Java oracle dumped
        const oracle = dumpElements(path.join(dir, 'dump.jsonl')).filter((e) => e.operator === SEQUENCE_OP);
        assert.deepEqual(els.map((e) => `${e.subtask}/${e.index}/${toHex(e.bytes)}`).sort(), oracle.map((e) => `${e.subtask}/${e.index}/${e.hex}`).sort());
        for (const e of els) {
          assert.equal(e.error, undefined);
          const s = e.split;
          assert.ok(s && s.type === 'NumberSequenceSplit', `subtask ${e.subtask}: ${toHex(e.bytes)}`);
          assert.equal(s.serializerVersion, 1);
          assert.deepEqual(encodeNumberSequenceSplit(s), e.bytes);
          // Flink's own decoding of the same bytes
          const flink = FLINK_DECODED[toHex(e.bytes)];
          assert.ok(flink, `no Flink decoding recorded for ${toHex(e.bytes)}`);
          assert.deepEqual({ splitId: s.splitId, from: s.from, to: s.to }, flink);
        }
      });

      it('the splits cover disjoint parts of the declared range 0..Long.MAX_VALUE', async () => {
        const sp = await openSavepoint(path.join(dir, 'savepoint'));
        const splits = (await describeSourceSplits(sp, SEQUENCE_OP))!.map((e) => e.split as NumberSequenceSplit);
        // NumberSequenceSource(0, Long.MAX_VALUE) split in two by NumberSequenceIterator#split: "1" = 0..2^62-1,
        // "2" = 2^62..Long.MAX_VALUE; a reader stores its split advanced to the next number it emits.
        const declared = new Map([
          ['1', { start: 0n, to: (1n << 62n) - 1n }],
          ['2', { start: 1n << 62n, to: LONG_MAX }],
        ]);
        assert.deepEqual(splits.map((s) => s.splitId).sort(), ['1', '2']);
        for (const s of splits) {
          const d = declared.get(s.splitId)!;
          assert.equal(s.to, d.to);
          assert.ok(s.from >= d.start && s.from <= s.to, `split ${s.splitId}: next ${s.from} within ${d.start}..${d.to}`);
          assert.ok(s.from > d.start, `split ${s.splitId} has emitted numbers (the reader was live)`);
          assert.ok(s.from >= 0n && s.to <= LONG_MAX);
        }
        const [a, b] = [...splits].sort((x, y) => (x.from < y.from ? -1 : 1));
        assert.ok(a.to < b.from, 'the remaining ranges do not overlap');
      });

      it('other operators have no split state; inspect lines name the splits', async () => {
        const sp = await openSavepoint(path.join(dir, 'savepoint'));
        assert.equal(await describeSourceSplits(sp, operatorIdFromUid('throttle')), undefined);
        assert.equal(await describeSourceSplits(sp, operatorIdFromUid('sink')), undefined);
        assert.equal(await describeSourceSplits(sp, operatorIdFromUid('parity')), undefined);
        const lines = await sourceSplitLines(sp, SEQUENCE_OP);
        assert.equal(lines[0], 'SourceReaderState: 2 splits');
        assert.equal(lines.length, 3);
        for (const l of lines.slice(1)) assert.match(l, /^ {2}\[subtask [01]\] NumberSequenceSplit "[12]": next \d+, to \d+$/);
      });

      it('fsp inspect prints the decoded splits under the source operator', async () => {
        const m = memoryIo();
        assert.equal(await main(['inspect', path.join(dir, 'savepoint')], m.io), 0, m.err());
        const sp = await openSavepoint(path.join(dir, 'savepoint'));
        const want = (await sourceSplitLines(sp, SEQUENCE_OP)).map((l) => `  ${l}`).join('\n');
        const section = m.out().split('\n\n').find((b) => b.startsWith(`operator ${SEQUENCE_OP}`));
        assert.ok(section && section.includes(`\n${want}\n`), m.out());
        assert.equal(m.out().split('SourceReaderState: ').length, 2, 'only the source operator has split lines');
      });
    });
  }

  it('every SourceReaderState element of the corpus decodes (NumberSequenceSource or CorpusSource) and re-encodes exactly', async function () {
    const cases = corpusCases().filter((c) => c.dumpFile);
    assert.ok(cases.length > 0, 'no corpus cases');
    let ns = 0;
    let corpus = 0;
    for (const c of cases) {
      const els = dumpElements(c.dumpFile!);
      const parallelism = new Map<string, number>();
      for (const l of fs.readFileSync(c.dumpFile!, 'utf8').split('\n')) {
        if (l.startsWith('{"type":"operator",')) {
          const o = JSON.parse(l) as { id: string; parallelism: number };
          parallelism.set(o.id, o.parallelism);
        }
      }
      for (const e of els) {
        const b = fromHex(e.hex);
        const s = decodeSourceSplit(b);
        assert.ok(s, `${c.name} ${e.operator}/${e.subtask}: ${e.hex} not decoded`);
        if (s.type === 'NumberSequenceSplit') {
          ns++;
          assert.deepEqual(encodeNumberSequenceSplit(s), b);
        } else {
          corpus++;
          assert.deepEqual(encodeCorpusIdSplit(s), b);
          // CorpusSource: split i of n goes to reader i, n = the source's parallelism
          assert.equal(s.stride, parallelism.get(e.operator), `${c.name} ${e.hex}`);
          assert.equal(s.index, e.subtask, `${c.name} ${e.hex}`);
        }
      }
    }
    assert.ok(ns >= 4, `NumberSequenceSplits seen: ${ns}`);
    assert.ok(corpus >= 4, `CorpusSource splits seen: ${corpus}`);
  });

  it('CorpusSource splits decode through the API (operator-state case: 3 readers)', async function () {
    const c = corpusCases().find((x) => x.name.endsWith('/operator-state'));
    assert.ok(c, 'the operator-state corpus case is missing');
    const sp = await openSavepoint(c!.savepoint);
    const els = await describeSourceSplits(sp, operatorIdFromUid('ids'));
    assert.ok(els);
    assert.equal(els.length, 3);
    for (const e of els) {
      assert.ok(e.split && e.split.type === 'IdSplit');
      assert.deepEqual([e.split.index, e.split.stride, e.split.emitted, e.split.splitId], [e.subtask, 3, 10n, `ids-${e.subtask}`]);
      assert.match(splitLine(e), /^\[subtask \d\] CorpusSource split "ids-\d": ids \d \+ k\*3, 10 emitted$/);
    }
  });

  it('agrees with Flink on bytes Flink rejects', () => {
    for (const [hex, why] of Object.entries(FLINK_REJECTED)) {
      const r = tryDecode(fromHex(hex));
      if (why === 'framing') assert.equal(r, 'error', hex);
      else assert.equal(r, undefined, hex);
    }
  });

  it('unknown layouts are left undecoded, never guessed', () => {
    const enc = (version: number, payload: number[]) => {
      const b = new Uint8Array(8 + payload.length);
      new DataView(b.buffer).setInt32(0, version);
      new DataView(b.buffer).setInt32(4, payload.length);
      b.set(payload, 8);
      return b;
    };
    const longs = (...xs: bigint[]) => xs.flatMap((x) => [...fromHex(BigInt.asUintN(64, x).toString(16).padStart(16, '0'))]);
    const id = (s: string) => [0, s.length, ...[...s].map((c) => c.charCodeAt(0))];
    assert.equal(decodeSourceSplit(enc(1, [])), undefined, 'empty payload');
    assert.equal(decodeSourceSplit(enc(1, new Array(17).fill(0))), undefined, '17 bytes');
    assert.equal(decodeSourceSplit(enc(1, [...id('01'), ...longs(0n, 1n)])), undefined, 'split id with a leading zero');
    assert.equal(decodeSourceSplit(enc(1, [...id('a'), ...longs(0n, 1n)])), undefined, 'non-numeric split id');
    assert.equal(decodeSourceSplit(enc(1, [0, 2, 0xc0, 0xb1, ...longs(0n, 1n)])), undefined, 'overlong encoding of "1"');
    assert.equal(decodeSourceSplit(enc(1, [...id('1'), ...longs(5n, 4n)])), undefined, 'from > to');
    assert.equal(decodeSourceSplit(enc(1, [...id('1'), ...longs(0n, 1n), 0])), undefined, 'a trailing byte');
    assert.equal(decodeSourceSplit(enc(3, [...id('1'), ...longs(0n, 1n)])), undefined, 'serializer version 3');
    assert.equal(decodeSourceSplit(enc(1, [0, 0, 0, 3, 0, 0, 0, 3, ...longs(1n)])), undefined, 'IdSplit index == stride');
    assert.equal(decodeSourceSplit(enc(1, [0, 0, 0, 0, 0, 0, 0, 0, ...longs(1n)])), undefined, 'IdSplit stride 0');
    assert.equal(decodeSourceSplit(enc(1, [0, 0, 0, 0, 0, 0, 0, 1, ...longs(-1n)])), undefined, 'IdSplit emitted < 0');
    // the extremes do decode
    const ext = decodeSourceSplit(encodeNumberSequenceSplit({ splitId: '2147483647', from: -(1n << 63n), to: LONG_MAX }));
    assert.deepEqual(ext && ext.type === 'NumberSequenceSplit' && [ext.splitId, ext.from, ext.to], ['2147483647', -(1n << 63n), LONG_MAX]);
    assert.throws(() => encodeNumberSequenceSplit({ splitId: '1', from: 0n, to: LONG_MAX + 1n }), RangeError);
  });

  it('broken framing is a SavepointFormatError', () => {
    for (const hex of ['', '000000', '00000001', '0000000100000000ff', '00000001ffffffff', '000000017fffffff00']) {
      assert.throws(() => readSplitFrame(fromHex(hex)), SavepointFormatError, hex);
      assert.throws(() => decodeSourceSplit(fromHex(hex)), SavepointFormatError, hex);
    }
    const f = readSplitFrame(fromHex('00000001000000020102'));
    assert.deepEqual([f.version, [...f.payload]], [1, [1, 2]]);
  });

  it('truncated and mutated real elements: a split that re-encodes exactly, undefined or a SavepointFormatError', () => {
    const samples = [
      ...Object.keys(FLINK_DECODED),
      toHex(encodeCorpusIdSplit({ index: 1, stride: 3, emitted: 10n })),
      toHex(encodeNumberSequenceSplit({ splitId: '12', from: 7n, to: 9n })),
    ];
    const next = rng(0x5eed);
    let decoded = 0;
    for (const hex of samples) {
      const b = fromHex(hex);
      for (let n = 0; n < b.length; n++) {
        const r = tryDecode(b.subarray(0, n));
        assert.ok(r === 'error' || r === undefined, `${hex} cut to ${n}: ${String(r)}`);
      }
      const check = (m: Uint8Array) => {
        const r = tryDecode(m);
        if (r === 'error' || r === undefined) return;
        decoded++;
        const again = r.type === 'NumberSequenceSplit' ? encodeNumberSequenceSplit(r) : encodeCorpusIdSplit(r);
        assert.deepEqual(again, m, `${toHex(m)} decoded to something that does not re-encode to it`);
      };
      for (let i = 0; i < b.length; i++) {
        for (const x of [0x01, 0x80, 0xff]) {
          const m = Uint8Array.from(b);
          m[i] ^= x;
          check(m);
        }
      }
      for (let k = 0; k < 300; k++) {
        const m = Uint8Array.from(b);
        for (let j = 1 + Math.floor(next() * 3); j > 0; j--) m[Math.floor(next() * m.length)] = Math.floor(next() * 256);
        check(m);
        check(m.subarray(0, Math.floor(next() * (m.length + 1))));
      }
    }
    assert.ok(decoded > 0);
  });

  it('the finished source of finished-source has no split state left', async function () {
    for (const v of VERSIONS) {
      const dir = path.join(CORPUS_ROOT, `flink-${v}`, 'finished-source', 'savepoint');
      if (!fs.existsSync(path.join(dir, '_metadata'))) continue;
      const sp = await openSavepoint(dir);
      assert.equal(await describeSourceSplits(sp, operatorIdFromUid('numbers')), undefined);
      assert.deepEqual(await sourceSplitLines(sp, operatorIdFromUid('numbers')), []);
    }
  });
});
