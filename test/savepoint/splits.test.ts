// FLIP-27 split state (SourceReaderState elements) decoded for the corpus's sources:
// NumberSequenceSource and FileSource (built into Flink) and the corpus's own CorpusSource; and the
// FileSource enumerator's checkpoint (the source's coordinator state). Flink's own decoding of the same
// bytes is checked live in splits-oracle.test.ts.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../../engine/cli/fsp';
import { openSavepoint, operatorIdFromUid, SavepointFormatError } from '../../engine/savepoint/index';
import { fromHex, toHex } from '../../engine/savepoint/io';
import {
  decodeFileSourceSplitV1,
  decodeSourceCoordinatorState,
  decodeSourceSplit,
  DecodedSplit,
  describeSourceCoordinator,
  describeSourceSplits,
  encodeCorpusIdSplit,
  encodeFileSourceEnumeratorState,
  encodeFileSourceSplit,
  encodeNumberSequenceSplit,
  FileSourceSplit,
  FileSourceSplitFields,
  fileSourceSplitPayload,
  fileSplitText as fileSplitLine,
  flinkPathString,
  FlinkPathUri,
  NumberSequenceSplit,
  readSplitFrame,
  sourceSplitLines,
  splitLine,
} from '../../engine/savepoint/splits';
import { CORPUS_ROOT, corpusCases, memoryIo } from './corpus';

const LONG_MAX = (1n << 63n) - 1n;
const VERSIONS = ['1.20.3', '2.3.0'];
const SEQUENCE_OP = operatorIdFromUid('sequence');
const FILES_OP = operatorIdFromUid('files');
const LONG_MIN = -(1n << 63n);

/** Any decoded split encoded again, by its type. */
function reencode(s: DecodedSplit): Uint8Array {
  if (s.type === 'NumberSequenceSplit') return encodeNumberSequenceSplit(s);
  if (s.type === 'FileSourceSplit') return encodeFileSourceSplit(s);
  return encodeCorpusIdSplit(s);
}

/**
 * Flink's own decoding of the committed number-sequence elements: a throwaway Java main (run once,
 * not part of the repo) fed these bytes to `NumberSequenceSource#getSplitSerializer()` through
 * `SimpleVersionedSerialization.readVersionAndDeSerialize(serializer, byte[])` on the Flink 1.20.3 and
 * 2.3.0 engine jars, printed splitId()/from()/to(), and found `writeVersionAndSerialize` to give the
 * same bytes back. Both Flink versions printed the same lines. (splits-oracle.test.ts now checks every
 * split of the corpus live against `engine.jar splits`.)
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

  for (const v of VERSIONS) {
    const dir = path.join(CORPUS_ROOT, `flink-${v}`, 'file-source');
    describe(`file-source (Flink ${v})`, () => {
      // FileSourceJob (engine/runtime): 4 files part-<i>.txt of 10 lines "part-<i> line-<j>\n" (140 bytes), modified
      // 2024-01-01T00:00:00Z, read by 2 readers that each stopped after forwarding 4 lines of their first file
      const FILE_NAMES = ['part-0.txt', 'part-1.txt', 'part-2.txt', 'part-3.txt'];
      const MODIFIED = 1704067200000n;
      const fileName = (s: FileSourceSplit) => s.path.slice(s.path.lastIndexOf('/') + 1);
      const checkFile = (s: FileSourceSplit) => {
        assert.match(s.path, /^file:\/.*\/file-source-input\/part-[0-3]\.txt$/);
        assert.deepEqual({ ...s.uri, path: null }, { scheme: 'file', userInfo: null, host: null, port: -1, path: null, query: null, fragment: null });
        assert.equal(`file:${s.uri.path}`, s.path);
        assert.match(s.splitId, /^000000000[1-4]$/, 'the enumerator numbers splits 0000000001, 0000000002, …');
        assert.deepEqual([s.offset, s.length, s.fileSize, s.fileModificationTime, s.hostnames], [0n, 140n, 140n, MODIFIED, []]);
      };
      before(function () {
        assert.ok(fs.existsSync(path.join(dir, 'savepoint', '_metadata')), `corpus case ${dir} is missing`);
      });

      it('each reader holds a FileSourceSplit it has read 4 lines of, re-encoding to its bytes', async () => {
        const sp = await openSavepoint(path.join(dir, 'savepoint'));
        const els = await describeSourceSplits(sp, FILES_OP);
        assert.ok(els, 'the files operator has a SourceReaderState');
        assert.deepEqual(els.map((e) => e.subtask).sort(), [0, 1], 'one split per reader (a FileSource reader asks for one split at a time)');
        const oracle = dumpElements(path.join(dir, 'dump.jsonl')).filter((e) => e.operator === FILES_OP);
        assert.deepEqual(els.map((e) => `${e.subtask}/${e.index}/${toHex(e.bytes)}`).sort(), oracle.map((e) => `${e.subtask}/${e.index}/${e.hex}`).sort());
        for (const e of els) {
          assert.equal(e.error, undefined);
          const s = e.split;
          assert.ok(s && s.type === 'FileSourceSplit', `subtask ${e.subtask}: ${toHex(e.bytes)}`);
          checkFile(s);
          // TextLineInputFormat has no checkpointable offset: the position is "from the split start, skip 4 records"
          assert.deepEqual(s.readerPosition, { offset: -1n, recordsAfterOffset: 4n });
          assert.deepEqual(encodeFileSourceSplit(s), e.bytes);
          assert.match(
            splitLine(e),
            /^\[subtask [01]\] FileSourceSplit "000000000[1-4]": file:\/\S+\/part-[0-3]\.txt, offset 0, length 140 \(file 140 bytes, modified 2024-01-01T00:00:00\.000Z\); resume at the split start and skip 4 records$/,
          );
        }
        assert.notEqual(fileName(els[0].split as FileSourceSplit), fileName(els[1].split as FileSourceSplit));
      });

      it("the enumerator's checkpoint: the 2 other files pending, all 4 processed", async () => {
        const sp = await openSavepoint(path.join(dir, 'savepoint'));
        const c = describeSourceCoordinator(sp, FILES_OP);
        assert.ok(c && c.state, 'the coordinator state decodes as a FileSource enumerator checkpoint');
        const opLine = fs.readFileSync(path.join(dir, 'dump.jsonl'), 'utf8').split('\n').find((l) => l.includes(`"id":"${FILES_OP}"`))!;
        assert.equal(c.bytes.length, (JSON.parse(opLine) as { coordinatorBytes: number }).coordinatorBytes, "the oracle's coordinatorBytes");
        const st = c.state;
        assert.equal(st.pendingSplits.length, 2);
        for (const s of st.pendingSplits) {
          checkFile(s);
          assert.equal(s.readerPosition, undefined, 'a pending split has not been read');
        }
        const reading = (await describeSourceSplits(sp, FILES_OP))!.map((e) => e.split as FileSourceSplit);
        const all = [...reading, ...st.pendingSplits];
        assert.deepEqual(all.map(fileName).sort(), FILE_NAMES, 'every file is in exactly one split');
        assert.deepEqual(all.map((s) => s.splitId).sort(), ['0000000001', '0000000002', '0000000003', '0000000004']);
        assert.deepEqual([...st.alreadyProcessedPaths].sort(), all.map((s) => s.path).sort(), 'the processed paths are the 4 files');
        assert.deepEqual(encodeFileSourceEnumeratorState(st), c.bytes);
        // other operators have no coordinator state
        for (const uid of ['pause', 'line-counts', 'sink']) assert.equal(describeSourceCoordinator(sp, operatorIdFromUid(uid)), undefined, uid);
      });

      it('fsp inspect prints the splits and the enumerator under the source operator', async () => {
        const m = memoryIo();
        assert.equal(await main(['inspect', path.join(dir, 'savepoint')], m.io), 0, m.err());
        const sp = await openSavepoint(path.join(dir, 'savepoint'));
        const lines = await sourceSplitLines(sp, FILES_OP);
        assert.equal(lines.length, 10, lines.join('\n'));
        assert.equal(lines[0], 'SourceReaderState: 2 splits');
        assert.match(lines[1], /^ {2}\[subtask 0\] FileSourceSplit "\d{10}": file:\S+, offset 0, length 140 .*; resume at the split start and skip 4 records$/);
        assert.match(lines[2], /^ {2}\[subtask 1\] FileSourceSplit "\d{10}": file:\S+, offset 0, length 140 .*; resume at the split start and skip 4 records$/);
        assert.equal(lines[3], 'FileSource enumerator: 2 pending splits, 4 processed paths');
        for (const l of lines.slice(4, 6)) assert.match(l, /^ {2}pending FileSourceSplit "\d{10}": file:\S+, offset 0, length 140 \(file 140 bytes, modified 2024-01-01T00:00:00\.000Z\); not read yet$/);
        for (const l of lines.slice(6)) assert.match(l, /^ {2}processed file:\/\S+\/file-source-input\/part-[0-3]\.txt$/);
        const want = lines.map((l) => `  ${l}`).join('\n');
        const section = m.out().split('\n\n').find((b) => b.startsWith(`operator ${FILES_OP}`));
        assert.ok(section && section.includes(`\n${want}\n`), m.out());
      });
    });
  }

  it('every SourceReaderState element of the corpus decodes (NumberSequenceSource, FileSource or CorpusSource) and re-encodes exactly', async function () {
    const cases = corpusCases().filter((c) => c.dumpFile);
    assert.ok(cases.length > 0, 'no corpus cases');
    let ns = 0;
    let corpus = 0;
    let file = 0;
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
        } else if (s.type === 'FileSourceSplit') {
          file++;
          assert.deepEqual(encodeFileSourceSplit(s), b);
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
    assert.ok(file >= 4, `FileSourceSplits seen: ${file}`);
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

  describe('FileSourceSplit and FileSource enumerator checkpoints: hand-made bytes', () => {
    const uri = (u: Partial<FlinkPathUri>): FlinkPathUri => ({ scheme: null, userInfo: null, host: null, port: -1, path: null, query: null, fragment: null, ...u });
    const split: FileSourceSplitFields = {
      splitId: '0000000007',
      uri: uri({ scheme: 'file', path: '/data/in/part-0.txt' }),
      offset: 0n,
      length: 140n,
      fileModificationTime: 1704067200000n,
      fileSize: 140n,
      hostnames: [],
      readerPosition: { offset: -1n, recordsAfterOffset: 4n },
    };
    const enc = (version: number, payload: Uint8Array) => {
      const b = new Uint8Array(8 + payload.length);
      new DataView(b.buffer).setInt32(0, version);
      new DataView(b.buffer).setInt32(4, payload.length);
      b.set(payload, 8);
      return b;
    };
    const payload = fileSourceSplitPayload(split);
    /** The payload with bytes [at, at + n) replaced. */
    const patched = (at: number, ...bytes: number[]) => {
      const p = Uint8Array.from(payload);
      p.set(bytes, at < 0 ? p.length + at : at);
      return p;
    };
    const decodes = (p: Uint8Array) => decodeSourceSplit(enc(1, p));

    it('decodes the layout field by field', () => {
      const s = decodeSourceSplit(encodeFileSourceSplit(split));
      assert.ok(s && s.type === 'FileSourceSplit');
      assert.deepEqual(s, { source: 'FileSource', type: 'FileSourceSplit', serializerVersion: 1, path: 'file:/data/in/part-0.txt', ...split });
      assert.equal(
        splitLine({ subtask: 1, index: 0, bytes: encodeFileSourceSplit(split), split: s }),
        '[subtask 1] FileSourceSplit "0000000007": file:/data/in/part-0.txt, offset 0, length 140 (file 140 bytes, modified 2024-01-01T00:00:00.000Z); resume at the split start and skip 4 records',
      );
      // the layout of the payload: writeUTF id, path flag, scheme "file" (StringValue: length + 1 = 5), no userInfo, no host, port -1, …
      assert.equal(toHex(payload.subarray(0, 25)), '000a30303030303030303037' + '01' + '010566696c65' + '00' + '00' + 'ffffffff');
      assert.equal(toHex(payload.subarray(-17)), '01' + 'ffffffffffffffff' + '0000000000000004');
      const other = decodeFileSourceSplitV1(
        fileSourceSplitPayload({
          ...split,
          uri: uri({ scheme: 'hdfs', userInfo: 'alice', host: 'nn.example.com', port: 8020, path: '/x', query: 'q=1', fragment: 'f' }),
          hostnames: ['dn1', 'dn2'],
          readerPosition: { offset: 4096n, recordsAfterOffset: 0n },
        }),
      );
      assert.ok(other);
      assert.equal(other.path, 'hdfs://alice@nn.example.com:8020/x', "Flink's Path#toString leaves out query and fragment");
      assert.deepEqual(other.hostnames, ['dn1', 'dn2']);
      assert.match(fileSplitLine(other), /, hosts dn1, dn2\); resume at offset 4096 and skip 0 records$/);
      const fresh = decodeFileSourceSplitV1(fileSourceSplitPayload({ ...split, readerPosition: undefined }));
      assert.ok(fresh && !('readerPosition' in fresh));
      assert.match(fileSplitLine(fresh), /; not read yet$/);
    });

    it("Flink's Path#toString: a Windows drive loses its slash only without scheme and authority", () => {
      assert.equal(flinkPathString(uri({ path: '/C:/data/x.txt' })), 'C:/data/x.txt');
      assert.equal(flinkPathString(uri({ scheme: 'file', path: '/C:/data/x.txt' })), 'file:/C:/data/x.txt');
      assert.equal(flinkPathString(uri({ path: 'relative/x' })), 'relative/x');
      assert.equal(flinkPathString(uri({ scheme: 'hdfs', host: 'nn', path: '' })), 'hdfs://nn');
    });

    it('truncated payloads and framing: undefined or a SavepointFormatError, never a FileSourceSplit', () => {
      for (let n = 0; n < payload.length; n++) {
        assert.equal(decodeFileSourceSplitV1(payload.subarray(0, n)), undefined, `payload cut to ${n}`);
        // (16 bytes of it can pass for this project's IdSplit, whose layout is that loose)
        assert.notEqual(decodes(payload.subarray(0, n))?.type, 'FileSourceSplit', `payload cut to ${n}, framed`);
      }
      const framed = encodeFileSourceSplit(split);
      for (let n = 0; n < framed.length; n++) {
        const r = tryDecode(framed.subarray(0, n));
        assert.ok(r === 'error' || r === undefined, `element cut to ${n}`);
      }
    });

    it('other serializer versions, wrong flags, trailing bytes, implausible fields: undefined', () => {
      for (const v of [0, 2, -1]) assert.equal(decodeSourceSplit(enc(v, payload)), undefined, `serializer version ${v}`);
      const trailing = new Uint8Array(payload.length + 1);
      trailing.set(payload);
      assert.equal(decodes(trailing), undefined, 'a trailing byte');
      assert.equal(decodes(patched(-17, 2)), undefined, 'a position flag of 2 (Flink reads it as true)');
      assert.equal(decodes(patched(12, 0)), undefined, 'no path (Flink would make it an empty Path)');
      assert.equal(decodes(patched(12, 2)), undefined, 'a path flag of 2');
      const at = (o: number) => payload.length - 17 - 4 - 32 + o; // the four longs
      // the patch positions hit the fields meant (positive controls)
      const field = (p: Uint8Array) => decodeFileSourceSplitV1(p)!;
      assert.equal(field(patched(at(0), 0, 0, 0, 0, 0, 0, 0, 5)).offset, 5n);
      assert.equal(field(patched(at(8), 0, 0, 0, 0, 0, 0, 0, 6)).length, 6n);
      assert.equal(field(patched(-16, 0, 0, 0, 0, 0, 0, 0, 7)).readerPosition!.offset, 7n);
      assert.equal(field(patched(-8, 0, 0, 0, 0, 0, 0, 0, 8)).readerPosition!.recordsAfterOffset, 8n);
      assert.deepEqual(field(patched(-21, 0, 0, 0, 0)).hostnames, []);
      assert.equal(decodes(patched(at(0), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)), undefined, 'offset -1');
      assert.equal(decodes(patched(at(8), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)), undefined, 'length -1');
      assert.equal(decodes(patched(-16, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe)), undefined, 'position offset -2');
      assert.equal(decodes(patched(-8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)), undefined, 'recordsAfterOffset -1');
      assert.equal(decodes(patched(-21, 0xff, 0xff, 0xff, 0xff)), undefined, 'host count -1');
      assert.equal(decodes(patched(-21, 0, 0, 0, 1)), undefined, 'host count 1 without a host');
      assert.equal(decodes(fileSourceSplitPayload({ ...split, splitId: '' })), undefined, 'an empty split id');
      assert.equal(decodes(fileSourceSplitPayload({ ...split, uri: uri({ scheme: 'file', port: 65536, host: 'h', path: '/x' }) })), undefined, 'port 65536');
      assert.equal(decodes(fileSourceSplitPayload({ ...split, uri: uri({ scheme: 'file', port: -2, host: 'h', path: '/x' }) })), undefined, 'port -2');
      assert.equal(decodes(fileSourceSplitPayload({ ...split, uri: uri({ scheme: 'file' }) })), undefined, 'no path component');
      // a non-canonical StringValue: the scheme's length 5 as two varint bytes (0x85 0x00)
      const long = new Uint8Array(payload.length + 1);
      long.set(payload.subarray(0, 14));
      long.set([0x85, 0x00], 14);
      long.set(payload.subarray(15), 16);
      assert.equal(decodes(long), undefined, 'a non-canonical string length');
      // the extremes decode
      const ext = decodeFileSourceSplitV1(
        fileSourceSplitPayload({ ...split, offset: LONG_MAX, length: 0n, fileModificationTime: LONG_MIN, fileSize: -1n, readerPosition: { offset: LONG_MAX, recordsAfterOffset: LONG_MAX } }),
      );
      assert.ok(ext);
      assert.deepEqual([ext.offset, ext.fileModificationTime, ext.readerPosition], [LONG_MAX, LONG_MIN, { offset: LONG_MAX, recordsAfterOffset: LONG_MAX }]);
      assert.match(fileSplitLine(ext), /modified -9223372036854775808\)/);
      assert.throws(() => encodeFileSourceSplit({ ...split, offset: LONG_MAX + 1n }), RangeError);
    });

    it('the NumberSequenceSplit and IdSplit layouts never decode as FileSourceSplits, nor the other way', () => {
      assert.equal(decodeFileSourceSplitV1(readSplitFrame(encodeNumberSequenceSplit({ splitId: '1', from: 0n, to: 1n })).payload), undefined);
      assert.equal(decodeFileSourceSplitV1(readSplitFrame(encodeCorpusIdSplit({ index: 0, stride: 1, emitted: 0n })).payload), undefined);
      assert.equal(decodeSourceSplit(encodeFileSourceSplit({ ...split, splitId: '1' }))?.type, 'FileSourceSplit');
    });

    const state = { pendingSplits: [{ ...split, readerPosition: undefined }, { ...split, splitId: '0000000008' }], alreadyProcessedPaths: ['file:/data/in/part-0.txt', 'file:/ünï/😀'] };
    const coordinator = encodeFileSourceEnumeratorState(state);

    it('enumerator checkpoints: the layout decoded, everything else undefined', () => {
      const st = decodeSourceCoordinatorState(coordinator);
      assert.ok(st);
      assert.deepEqual(st.pendingSplits.map((s) => [s.splitId, s.readerPosition]), [['0000000007', undefined], ['0000000008', { offset: -1n, recordsAfterOffset: 4n }]]);
      assert.deepEqual(st.alreadyProcessedPaths, state.alreadyProcessedPaths);
      assert.deepEqual(encodeFileSourceEnumeratorState(st), coordinator);
      // SourceCoordinator framing (big-endian), then little-endian: magic 0xDEADBEEF, split serializer version 1
      assert.equal(toHex(coordinator.subarray(0, 28)), `00000001` + `00000001` + (coordinator.length - 12).toString(16).padStart(8, '0') + 'efbeadde' + '01000000' + '02000000' + '02000000');
      assert.deepEqual(decodeSourceCoordinatorState(encodeFileSourceEnumeratorState({ pendingSplits: [], alreadyProcessedPaths: [] })), {
        source: 'FileSource', type: 'PendingSplitsCheckpoint', coordinatorSerdeVersion: 1, serializerVersion: 1, splitSerializerVersion: 1, pendingSplits: [], alreadyProcessedPaths: [],
      });
      const patch = (at: number, ...bytes: number[]) => {
        const b = Uint8Array.from(coordinator);
        b.set(bytes, at);
        return b;
      };
      for (let n = 0; n < coordinator.length; n++) assert.equal(decodeSourceCoordinatorState(coordinator.subarray(0, n)), undefined, `cut to ${n}`);
      const trailing = new Uint8Array(coordinator.length + 1);
      trailing.set(coordinator);
      assert.equal(decodeSourceCoordinatorState(trailing), undefined, 'a trailing byte');
      assert.equal(decodeSourceCoordinatorState(patch(0, 0, 0, 0, 0)), undefined, 'coordinator serde version 0');
      assert.equal(decodeSourceCoordinatorState(patch(4, 0, 0, 0, 2)), undefined, 'enumerator serializer version 2');
      assert.equal(decodeSourceCoordinatorState(patch(12, 0xde, 0xad, 0xbe, 0xef)), undefined, 'the magic big-endian');
      assert.equal(decodeSourceCoordinatorState(patch(16, 2)), undefined, 'split serializer version 2');
      assert.equal(decodeSourceCoordinatorState(patch(20, 3)), undefined, 'one split more than there is');
      assert.equal(decodeSourceCoordinatorState(patch(24, 0xff, 0xff, 0xff, 0xff)), undefined, 'a negative path count');
      assert.equal(decodeSourceCoordinatorState(patch(coordinator.length - 1, 0xff)), undefined, 'a path that is not UTF-8');
      // a pending split that is not exactly a FileSourceSplit
      const bad = Uint8Array.from(coordinator);
      bad[28 + 4 + 12] = 2;
      assert.equal(decodeSourceCoordinatorState(bad), undefined, 'a pending split with a path flag of 2');
      // NumberSequenceSource's enumerator checkpoint (no remaining splits), as number-sequence stores it
      assert.equal(decodeSourceCoordinatorState(fromHex('00000001000000010000000400000000')), undefined);
    });
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
      toHex(
        encodeFileSourceSplit({
          splitId: '0000000002',
          uri: { scheme: 'hdfs', userInfo: null, host: 'nn', port: 8020, path: '/in/a.txt', query: null, fragment: null },
          offset: 0n,
          length: 140n,
          fileModificationTime: 1704067200000n,
          fileSize: 140n,
          hostnames: ['dn1'],
          readerPosition: { offset: -1n, recordsAfterOffset: 4n },
        }),
      ),
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
        const again = reencode(r);
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

describe('fsp inspect --json: source splits and enumerator state', () => {
  type Op = { id: string; sourceSplits?: { subtask: number; index: number; split?: Record<string, unknown>; hex?: string }[]; sourceEnumerator?: Record<string, unknown> };
  async function inspectJson(caseDir: string): Promise<Op[]> {
    const m = memoryIo();
    assert.equal(await main(['inspect', path.join(caseDir, 'savepoint'), '--json'], m.io), 0, m.err());
    return (JSON.parse(m.out()) as { operators: Op[] }).operators;
  }

  for (const flink of ['flink-1.20.3', 'flink-2.3.0']) {
    it(`${flink}/file-source: the readers' FileSourceSplits with their positions, and the enumerator's pending splits and processed paths`, async () => {
      const ops = await inspectJson(path.join(CORPUS_ROOT, flink, 'file-source'));
      const files = ops.find((o) => o.id === operatorIdFromUid('files'));
      assert.ok(files?.sourceSplits, 'the files source has split state');
      assert.equal(files.sourceSplits.length, 2);
      for (const e of files.sourceSplits) {
        assert.equal(e.split?.type, 'FileSourceSplit');
        // 64-bit fields are decimal strings; every reader paused after forwarding 4 lines of its file
        assert.deepEqual(e.split?.readerPosition, { offset: '-1', recordsAfterOffset: '4' });
        assert.match(String(e.split?.path), /part-\d\.txt$/);
      }
      const en = files.sourceEnumerator as { pendingSplits: unknown[]; alreadyProcessedPaths: string[] } | undefined;
      assert.ok(en, 'the enumerator checkpoint is decoded');
      assert.equal(en.pendingSplits.length, 2);
      assert.equal(en.alreadyProcessedPaths.length, 4);
      // operators that are not sources have neither member
      assert.ok(ops.filter((o) => o.id !== files.id).every((o) => o.sourceSplits === undefined && o.sourceEnumerator === undefined));
    });
  }

  it('flink-1.20.3/number-sequence: NumberSequenceSplits with decimal from/to', async () => {
    const ops = await inspectJson(path.join(CORPUS_ROOT, 'flink-1.20.3', 'number-sequence'));
    const seq = ops.find((o) => o.id === operatorIdFromUid('sequence'));
    assert.ok(seq?.sourceSplits?.length, 'the sequence source has split state');
    for (const e of seq.sourceSplits) {
      assert.equal(e.split?.type, 'NumberSequenceSplit');
      assert.match(String(e.split?.from), /^\d+$/);
      assert.ok(BigInt(String(e.split?.from)) <= BigInt(String(e.split?.to)));
    }
  });
});
