// Flink's own decoding of FLIP-27 source state against engine/savepoint/splits.ts. `engine.jar splits`
// (engine/runtime: …/splits/Splits.java) of the Flink that reads each corpus case decodes
//  - every SourceReaderState element of the corpus, and hand-made FileSourceSplit encodings, with
//    FileSourceSplitSerializer and with NumberSequenceSource's split serializer;
//  - every operator-coordinator state of the corpus (read from _metadata by Flink) as a FileSource
//    enumerator checkpoint (PendingSplitsCheckpointSerializer);
// and re-serializes a fresh object with the decoded fields. Where TypeScript decodes, Flink must agree
// field by field and re-serialize to the same bytes; where TypeScript leaves bytes undecoded, no such
// Flink value may have exactly those bytes (Flink fails, or its value serializes differently).
//
// Needs engine.jar for Flink 1.20.3 and 2.3.0 (engine/runtime/target/flink-<version>/engine.jar, or
// $FSP_ENGINE_JAR_DIR/flink-<version>/engine.jar), as npm test builds them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openSavepoint } from '../../engine/savepoint/index';
import { fromHex, toHex } from '../../engine/savepoint/io';
import {
  decodeSourceCoordinatorState,
  decodeSourceSplit,
  describeSourceCoordinator,
  encodeFileSourceSplit,
  FileSourceSplit,
  FileSourceSplitFields,
  fileSourceSplitPayload,
  FlinkPathUri,
} from '../../engine/savepoint/splits';
import { corpusCases, oracleFlinkVersion } from './corpus';

const LINES = ['1.20.3', '2.3.0'];
const LONG_MAX = (1n << 63n) - 1n;
const LONG_MIN = -(1n << 63n);

function engineJar(version: string): string | undefined {
  const dirs = [process.env.FSP_ENGINE_JAR_DIR, path.resolve(__dirname, '../../engine/runtime/target')].filter((d): d is string => !!d);
  for (const d of dirs) {
    const jar = path.join(d, `flink-${version}`, 'engine.jar');
    if (fs.existsSync(jar)) return jar;
  }
  return undefined;
}

interface FlinkFileSplit {
  splitId: string;
  path: string;
  uri: FlinkPathUri;
  offset: string;
  length: string;
  fileModificationTime: string;
  fileSize: string;
  hostnames: string[];
  readerPosition: { offset: string; recordsAfterOffset: string } | null;
  reserialized?: string;
}

interface OracleElement {
  type: 'element';
  hex: string;
  fileSource?: FlinkFileSplit;
  fileSourceError?: string;
  numberSequence?: { splitId: string; from: string; to: string; reserialized: string };
  numberSequenceError?: string;
}

interface OracleCoordinator {
  type: 'coordinator';
  savepoint: string;
  operator: string;
  hex: string;
  fileSource?: { coordinatorSerdeVersion: number; serializerVersion: number; pendingSplits: FlinkFileSplit[]; alreadyProcessedPaths: string[]; reserialized: string };
  fileSourceError?: string;
}

/** The TypeScript split in the oracle's JSON shape (longs as decimal strings). */
function asFlink(s: FileSourceSplit): FlinkFileSplit {
  return {
    splitId: s.splitId,
    path: s.path,
    uri: s.uri,
    offset: String(s.offset),
    length: String(s.length),
    fileModificationTime: String(s.fileModificationTime),
    fileSize: String(s.fileSize),
    hostnames: s.hostnames,
    readerPosition: s.readerPosition
      ? { offset: String(s.readerPosition.offset), recordsAfterOffset: String(s.readerPosition.recordsAfterOffset) }
      : null,
  };
}

function withoutReserialized(f: FlinkFileSplit): FlinkFileSplit {
  const { reserialized: _r, ...rest } = f;
  return rest;
}

const uri = (u: Partial<FlinkPathUri>): FlinkPathUri => ({ scheme: null, userInfo: null, host: null, port: -1, path: null, query: null, fragment: null, ...u });

const base: FileSourceSplitFields = {
  splitId: '0000000001',
  uri: uri({ scheme: 'file', path: '/data/in/part-0.txt' }),
  offset: 0n,
  length: 140n,
  fileModificationTime: 1704067200000n,
  fileSize: 140n,
  hostnames: [],
};

/** Encodings TypeScript decodes: URIs with authority, query and fragment, non-ASCII, extremes. */
const HAND_MADE_VALID: FileSourceSplitFields[] = [
  {
    ...base,
    uri: uri({ scheme: 'hdfs', host: 'namenode.example.com', port: 8020, path: '/data/in/part-0.parquet' }),
    offset: 134217728n,
    length: 134217728n,
    fileSize: 402653184n,
    hostnames: ['dn1.example.com', 'dn2.example.com'],
    readerPosition: { offset: 4096n, recordsAfterOffset: 7n },
  },
  { ...base, uri: uri({ scheme: 's3', host: 'my-bucket', path: '/logs/ünïcode 😀 % space#?.txt' }) },
  { ...base, uri: uri({ path: '/C:/data/x.txt' }) },
  { ...base, uri: uri({ path: 'relative/dir/x.txt' }), readerPosition: { offset: -1n, recordsAfterOffset: 0n } },
  { ...base, uri: uri({ scheme: 'webhdfs', userInfo: 'alice', host: '10.0.0.7', port: 50070, path: '/p', query: 'op=OPEN', fragment: 'frag' }) },
  { ...base, uri: uri({ scheme: 'file', host: '[::1]', path: '/x' }) },
  { ...base, uri: uri({ scheme: 'hdfs', host: '[2001:db8::8a2e:370:7334]', port: 8020, path: '/x' }) },
  { ...base, uri: uri({ scheme: 'hdfs', host: '[::ffff:192.0.2.1]', path: '/x' }) },
  { ...base, uri: uri({ scheme: 'hdfs', host: '123', path: '/x' }) },
  { ...base, uri: uri({ scheme: 'file', path: '/lone \ud800 surrogate' }) },
  { ...base, uri: uri({ scheme: 'hdfs', host: 'nn.example.com.', port: 8020, path: '' }) },
  {
    ...base,
    splitId: '\u0000é𝄞',
    offset: LONG_MAX,
    length: 0n,
    fileModificationTime: LONG_MIN,
    fileSize: -1n,
    hostnames: ['', 'h'],
    readerPosition: { offset: LONG_MAX, recordsAfterOffset: LONG_MAX },
  },
];

/** Encodings TypeScript leaves undecoded because Flink would not rebuild the same path (or no path). */
const HAND_MADE_REJECTED: Array<[string, FileSourceSplitFields]> = [
  ['host with an underscore', { ...base, uri: uri({ scheme: 's3', host: 'bucket_with_underscore', path: '/k' }) }],
  ['host 1.2.3.999', { ...base, uri: uri({ scheme: 'hdfs', host: '1.2.3.999', path: '/k' }) }],
  ['host a..b', { ...base, uri: uri({ scheme: 'hdfs', host: 'a..b', path: '/k' }) }],
  ['host -a', { ...base, uri: uri({ scheme: 'hdfs', host: '-a', path: '/k' }) }],
  ['host a.1b', { ...base, uri: uri({ scheme: 'hdfs', host: 'a.1b', path: '/k' }) }],
  ['IPv6 host with three colons', { ...base, uri: uri({ scheme: 'hdfs', host: '[:::1]', path: '/k' }) }],
  ['IPv6 host with nine groups', { ...base, uri: uri({ scheme: 'hdfs', host: '[1:2:3:4:5:6:7:8:9]', path: '/k' }) }],
  ['IPv6 host without brackets', { ...base, uri: uri({ scheme: 'hdfs', host: '::1', path: '/k' }) }],
  ['empty host', { ...base, uri: uri({ scheme: 'hdfs', host: '', path: '/k' }) }],
  ['colon in the first segment', { ...base, uri: uri({ path: 'a:b/c' }) }],
  ['relative path after a scheme', { ...base, uri: uri({ scheme: 'file', path: 'relative' }) }],
  ['userInfo without a host', { ...base, uri: uri({ scheme: 'file', userInfo: 'u', path: '/x' }) }],
  ['port without a host', { ...base, uri: uri({ scheme: 'file', port: 80, path: '/x' }) }],
  ['"//" path without a host', { ...base, uri: uri({ path: '//x/y' }) }],
  ['illegal scheme', { ...base, uri: uri({ scheme: '1abc', path: '/x' }) }],
  ['scheme and an empty path', { ...base, uri: uri({ scheme: 'file', path: '' }) }],
];

function framed(version: number, payload: Uint8Array): Uint8Array {
  const b = new Uint8Array(8 + payload.length);
  new DataView(b.buffer).setInt32(0, version);
  new DataView(b.buffer).setInt32(4, payload.length);
  b.set(payload, 8);
  return b;
}

/** Bytes Flink reads laxly or not at all: a trailing byte, a boolean 2, serializer version 2. */
function laxBytes(): Array<[string, Uint8Array]> {
  const p = fileSourceSplitPayload({ ...base, readerPosition: { offset: -1n, recordsAfterOffset: 4n } });
  const trailing = new Uint8Array(p.length + 1);
  trailing.set(p);
  const bool2 = Uint8Array.from(p);
  bool2[p.length - 17] = 2; // the position flag
  return [
    ['a trailing byte', framed(1, trailing)],
    ['a position flag of 2', framed(1, bool2)],
    ['serializer version 2', framed(2, p)],
  ];
}

function runOracle(jar: string, savepoints: string[], elements: string[]): Array<OracleElement | OracleCoordinator> {
  const args = ['-jar', jar, 'splits', ...savepoints.flatMap((s) => ['--savepoint', s]), '--elements'];
  const r = spawnSync('java', args, { input: elements.join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, `engine.jar splits failed: ${r.stderr.slice(-2000)}`);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as OracleElement | OracleCoordinator);
}

describe("split state: Flink's own decoding (engine.jar splits)", function () {
  this.timeout(180_000);

  for (const version of LINES) {
    describe(`Flink ${version}`, () => {
      const cases = corpusCases().filter((c) => c.dumpFile && oracleFlinkVersion(c) === version);
      const corpusElements = new Map<string, string>(); // hex -> where
      const coordinatorCases: string[] = [];
      for (const c of cases) {
        let coordinator = false;
        for (const l of fs.readFileSync(c.dumpFile!, 'utf8').split('\n')) {
          if (l.startsWith('{"type":"operator",') && l.includes('"coordinatorBytes":')) coordinator = true;
          if (!l.startsWith('{"type":"element",') || !l.includes('"state":"SourceReaderState"')) continue;
          const e = JSON.parse(l) as { operator: string; subtask: number; value: { $hex: string } };
          corpusElements.set(e.value.$hex, `${c.name} ${e.operator}/${e.subtask}`);
        }
        if (coordinator) coordinatorCases.push(c.savepoint);
      }
      const valid = HAND_MADE_VALID.map((s) => toHex(encodeFileSourceSplit(s)));
      const rejected = HAND_MADE_REJECTED.map(([, s]) => toHex(framed(1, fileSourceSplitPayload(s))));
      const lax = laxBytes().map(([, b]) => toHex(b));
      let out: Array<OracleElement | OracleCoordinator> = [];

      before(function () {
        const jar = engineJar(version);
        assert.ok(jar, `no engine.jar for Flink ${version}: build it with \`npm run engine -- all\``);
        assert.ok(corpusElements.size > 0 && coordinatorCases.length > 0, `no split state in the Flink ${version} corpus`);
        out = runOracle(jar!, coordinatorCases, [...corpusElements.keys(), ...valid, ...rejected, ...lax]);
      });

      const element = (hex: string): OracleElement => {
        const e = out.find((x): x is OracleElement => x.type === 'element' && x.hex === hex);
        assert.ok(e, `no oracle line for ${hex}`);
        return e;
      };

      /** The TypeScript decoding of one element against Flink's; returns what TypeScript decoded it as. */
      const agree = (hex: string, where: string): string => {
        const e = element(hex);
        let ts: ReturnType<typeof decodeSourceSplit> | 'error';
        try {
          ts = decodeSourceSplit(fromHex(hex));
        } catch {
          ts = 'error';
        }
        if (ts !== 'error' && ts?.type === 'FileSourceSplit') {
          assert.ok(e.fileSource, `${where}: Flink cannot read what TypeScript decodes as a FileSourceSplit: ${e.fileSourceError}`);
          assert.deepEqual(withoutReserialized(e.fileSource), asFlink(ts), where);
          assert.equal(e.fileSource.reserialized, hex, `${where}: Flink writes these fields differently`);
        } else {
          assert.ok(!e.fileSource || e.fileSource.reserialized !== hex, `${where}: exactly a FileSourceSplit for Flink, undecoded here`);
        }
        if (ts !== 'error' && ts?.type === 'NumberSequenceSplit') {
          assert.ok(e.numberSequence, `${where}: ${e.numberSequenceError}`);
          assert.deepEqual(
            { splitId: e.numberSequence.splitId, from: e.numberSequence.from, to: e.numberSequence.to },
            { splitId: ts.splitId, from: String(ts.from), to: String(ts.to) },
            where,
          );
          assert.equal(e.numberSequence.reserialized, hex, where);
        } else {
          assert.ok(!e.numberSequence || e.numberSequence.reserialized !== hex, `${where}: exactly a NumberSequenceSplit for Flink, undecoded here`);
        }
        return ts === 'error' ? 'error' : (ts?.type ?? 'undecoded');
      };

      it('every SourceReaderState element of the corpus: the same fields, the same bytes back', () => {
        const seen = new Map<string, number>();
        for (const [hex, where] of corpusElements) {
          const t = agree(hex, where);
          seen.set(t, (seen.get(t) ?? 0) + 1);
        }
        assert.ok((seen.get('FileSourceSplit') ?? 0) >= 2, `FileSourceSplits: ${JSON.stringify([...seen])}`);
        assert.ok((seen.get('NumberSequenceSplit') ?? 0) >= 2, `NumberSequenceSplits: ${JSON.stringify([...seen])}`);
        assert.ok((seen.get('IdSplit') ?? 0) >= 2, `IdSplits: ${JSON.stringify([...seen])}`);
      });

      it('hand-made FileSourceSplits: URIs with authority, query and fragment, non-ASCII, extremes', () => {
        for (const [i, hex] of valid.entries()) {
          assert.equal(agree(hex, `valid #${i} ${hex}`), 'FileSourceSplit', `valid #${i} is decoded`);
        }
      });

      it('bytes left undecoded are not exactly a FileSourceSplit for Flink either', () => {
        for (const [i, hex] of rejected.entries()) {
          const name = HAND_MADE_REJECTED[i][0];
          assert.equal(decodeSourceSplit(fromHex(hex)), undefined, name);
          agree(hex, name);
        }
        for (const [i, hex] of lax.entries()) {
          const name = laxBytes()[i][0];
          assert.equal(decodeSourceSplit(fromHex(hex)), undefined, name);
          agree(hex, name);
        }
      });

      it('every coordinator state of the corpus: FileSource enumerator checkpoints decoded alike, others by neither', async () => {
        const coords = out.filter((x): x is OracleCoordinator => x.type === 'coordinator');
        assert.ok(coords.length >= coordinatorCases.length, 'a coordinator line per case with coordinator state');
        let decoded = 0;
        for (const c of coords) {
          const where = `${c.savepoint} ${c.operator}`;
          const sp = await openSavepoint(c.savepoint);
          const ours = describeSourceCoordinator(sp, c.operator);
          assert.ok(ours, `${where}: no coordinator state read`);
          assert.equal(toHex(ours.bytes), c.hex, `${where}: the coordinator bytes differ from Flink's`);
          const st = decodeSourceCoordinatorState(fromHex(c.hex));
          assert.deepEqual(ours.state, st);
          if (st) {
            decoded++;
            assert.ok(c.fileSource, `${where}: ${c.fileSourceError}`);
            assert.deepEqual(c.fileSource.pendingSplits, st.pendingSplits.map(asFlink), where);
            assert.deepEqual(c.fileSource.alreadyProcessedPaths, st.alreadyProcessedPaths, where);
            assert.deepEqual([c.fileSource.coordinatorSerdeVersion, c.fileSource.serializerVersion], [1, 1]);
            assert.equal(c.fileSource.reserialized, c.hex, where);
          } else {
            assert.ok(!c.fileSource || c.fileSource.reserialized !== c.hex, `${where}: a FileSource enumerator checkpoint for Flink, undecoded here`);
          }
        }
        assert.ok(decoded >= 1, 'the file-source case has a decoded enumerator checkpoint');
      });
    });
  }
});
