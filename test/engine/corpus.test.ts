// Regenerates one corpus case with engine.jar (a real Flink MiniCluster), dumps it and finds the dump
// equal to the committed oracle, apart from the fields named in VARYING below.
//
//   npx mocha test/engine/corpus.test.ts
//   FSP_ENGINE_JAR=/path/to/engine.jar FSP_CORPUS_CASE=keyed-rocksdb npx mocha test/engine/corpus.test.ts
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { operatorIdFromUid } from '../../engine/savepoint/murmur';

const ROOT = path.resolve(__dirname, '..', '..');
const JAR = process.env.FSP_ENGINE_JAR ?? path.join(ROOT, 'engine', 'runtime', 'target', 'flink-1.20.3', 'engine.jar');
// ttl-rocksdb: RocksDB canonical savepoint, parallelism 2, state in files, TTL state (the varying field)
const CASE = process.env.FSP_CORPUS_CASE ?? 'ttl-rocksdb';

/**
 * Fields that legitimately differ between two runs of the same job. Nothing else may differ.
 * - `$ttl` anywhere inside a keyed entry's value: the TTL last-access timestamp is the processing time
 *   at which the state was written.
 * - the value of FileSink writer state elements (`writer_raw_states`): it holds the absolute output
 *   path (a temp directory), random part-file UUIDs and the in-progress file's creation time.
 * - the value of the SourceReaderState elements of the live NumberSequenceSource (uid "sequence",
 *   number-sequence case): each reader's position, and which subtask holds which split. Only that
 *   operator: the CorpusSource split state of the other cases is deterministic and stays compared.
 * - the value of the SourceReaderState elements of the FileSource (uid "files", file-source case) and
 *   the `coordinatorBytes` of its operator line: its splits and its enumerator's checkpoint hold the
 *   input files' absolute paths (in the run's temp work folder), and which subtask reads which file
 *   varies. The readers' positions, file sizes and modification times inside are fixed by the job.
 */
const VARYING_TTL_KEY = '$ttl';
const VARYING_ELEMENT_STATES = new Set(['writer_raw_states']);
const VARYING_OPERATOR_ELEMENT_STATES = new Set([`${operatorIdFromUid('sequence')}/SourceReaderState`, `${operatorIdFromUid('files')}/SourceReaderState`]);
const VARYING_COORDINATOR_BYTES = new Set([operatorIdFromUid('files')]);

/** Masks the varying fields of one dump line. Works on the text, so big integers stay exact. */
export function normalizeDumpLine(line: string): string {
  let out = line;
  if (line.startsWith('{"type":"entry",')) {
    out = out.split(`"${VARYING_TTL_KEY}":`).map((part, i) => (i === 0 ? part : part.replace(/^-?\d+/, '"<varies>"'))).join(`"${VARYING_TTL_KEY}":`);
  }
  if (line.startsWith('{"type":"operator",')) {
    const operator = /"id":"([0-9a-f]{32})"/.exec(line)?.[1];
    if (operator !== undefined && VARYING_COORDINATOR_BYTES.has(operator)) out = out.replace(/"coordinatorBytes":\d+/, '"coordinatorBytes":"<varies>"');
  }
  if (line.startsWith('{"type":"element",')) {
    const state = /"state":"((?:[^"\\]|\\.)*)"/.exec(line)?.[1];
    const operator = /"operator":"([0-9a-f]{32})"/.exec(line)?.[1];
    if (state !== undefined && (VARYING_ELEMENT_STATES.has(state) || VARYING_OPERATOR_ELEMENT_STATES.has(`${operator}/${state}`))) {
      out = out.replace(/"value":\{"\$hex":"[0-9a-f]*"\}\}$/, '"value":"<varies>"}');
    }
  }
  return out;
}

function java(args: string[], timeoutMs: number) {
  const r = spawnSync('java', ['-jar', JAR, ...args], {
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return r;
}

describe('engine.jar corpus', function () {
  this.timeout(300_000);

  it(`regenerates the ${CASE} case with a dump equal to the committed one`, function () {
    assert.ok(fs.existsSync(JAR), `engine.jar not found at ${JAR} (build it: mvn -q -B -f engine/runtime/pom.xml package)`);
    const version = java(['--version'], 60_000).stdout.trim();
    const committedDir = path.join(ROOT, 'test', 'fixtures', 'savepoints', `flink-${version}`, CASE);
    const committedDump = path.join(committedDir, 'dump.jsonl');
    assert.ok(fs.existsSync(committedDump), `no committed dump at ${committedDump}`);

    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fsp-corpus-test-'));
    try {
      const gen = java(['corpus', '--out', tmp, '--case', CASE, '--work', path.join(tmp, 'work')], 240_000);
      assert.equal(gen.status, 0, `corpus failed: ${gen.stderr}`);
      const savepoint = path.join(tmp, CASE, 'savepoint');
      assert.ok(fs.existsSync(path.join(savepoint, '_metadata')), 'the regenerated case has no _metadata');

      const dump = java(['dump', savepoint], 120_000);
      assert.equal(dump.status, 0, `dump failed: ${dump.stderr}`);

      const expected = fs.readFileSync(committedDump, 'utf8').split('\n').filter(Boolean);
      const actual = dump.stdout.split('\n').filter(Boolean);
      assert.ok(expected.length > 0, 'the committed dump is empty');
      assert.deepEqual(actual.map(normalizeDumpLine), expected.map(normalizeDumpLine));

      // the regenerated case.json describes the same case
      const caseJson = JSON.parse(fs.readFileSync(path.join(tmp, CASE, 'case.json'), 'utf8'));
      const committedCase = JSON.parse(fs.readFileSync(path.join(committedDir, 'case.json'), 'utf8'));
      assert.deepEqual(caseJson, committedCase);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('masks only the named varying fields', function () {
    const a = '{"type":"entry","operator":"x","state":"ttl-value","keyGroup":1,"key":"k","value":{"$ttl":1795476770202,"value":24}}';
    const b = '{"type":"entry","operator":"x","state":"ttl-value","keyGroup":1,"key":"k","value":{"$ttl":1795476779999,"value":24}}';
    const c = '{"type":"entry","operator":"x","state":"ttl-value","keyGroup":1,"key":"k","value":{"$ttl":1795476770202,"value":25}}';
    assert.equal(normalizeDumpLine(a), normalizeDumpLine(b));
    assert.notEqual(normalizeDumpLine(a), normalizeDumpLine(c));
    const big = '{"type":"entry","operator":"x","state":"s","keyGroup":1,"key":"k","value":9223372036854775807}';
    const big2 = '{"type":"entry","operator":"x","state":"s","keyGroup":1,"key":"k","value":9223372036854775806}';
    assert.notEqual(normalizeDumpLine(big), normalizeDumpLine(big2));
    const w1 = '{"type":"element","operator":"x","state":"writer_raw_states","subtask":0,"index":0,"value":{"$hex":"00ab"}}';
    const w2 = '{"type":"element","operator":"x","state":"writer_raw_states","subtask":0,"index":0,"value":{"$hex":"00cd"}}';
    const w3 = '{"type":"element","operator":"x","state":"buffered","subtask":0,"index":0,"value":{"$hex":"00ab"}}';
    const w4 = '{"type":"element","operator":"x","state":"buffered","subtask":0,"index":0,"value":{"$hex":"00cd"}}';
    assert.equal(normalizeDumpLine(w1), normalizeDumpLine(w2));
    assert.notEqual(normalizeDumpLine(w3), normalizeDumpLine(w4));
    const seq = operatorIdFromUid('sequence');
    const s1 = `{"type":"element","operator":"${seq}","state":"SourceReaderState","subtask":0,"index":0,"value":{"$hex":"0000000100000013000131000000000000009d3fffffffffffffff"}}`;
    const s2 = `{"type":"element","operator":"${seq}","state":"SourceReaderState","subtask":0,"index":0,"value":{"$hex":"0000000100000013000132400000000000002a7fffffffffffffff"}}`;
    const o1 = '{"type":"element","operator":"027f3cb25b791fec4f4b0dd94fd38849","state":"SourceReaderState","subtask":0,"index":0,"value":{"$hex":"00000001000000100000000000000003000000000000000a"}}';
    const o2 = '{"type":"element","operator":"027f3cb25b791fec4f4b0dd94fd38849","state":"SourceReaderState","subtask":0,"index":0,"value":{"$hex":"00000001000000100000000000000003000000000000000b"}}';
    assert.equal(normalizeDumpLine(s1), normalizeDumpLine(s2));
    assert.notEqual(normalizeDumpLine(s1), normalizeDumpLine(s1.replace('"subtask":0', '"subtask":1')));
    assert.notEqual(normalizeDumpLine(o1), normalizeDumpLine(o2));
    const files = operatorIdFromUid('files');
    const f1 = `{"type":"operator","id":"${files}","uid":"files","name":"Source: files","parallelism":2,"maxParallelism":128,"finished":false,"subtasks":2,"coordinatorBytes":660}`;
    const f2 = f1.replace('"coordinatorBytes":660', '"coordinatorBytes":666');
    assert.equal(normalizeDumpLine(f1), normalizeDumpLine(f2));
    assert.notEqual(normalizeDumpLine(f1), normalizeDumpLine(f1.replace('"subtasks":2', '"subtasks":1')));
    const seqOp = `{"type":"operator","id":"${seq}","parallelism":2,"maxParallelism":128,"finished":false,"subtasks":2,"coordinatorBytes":16}`;
    assert.notEqual(normalizeDumpLine(seqOp), normalizeDumpLine(seqOp.replace(':16}', ':17}')));
    const e1 = `{"type":"element","operator":"${files}","state":"SourceReaderState","subtask":0,"index":0,"value":{"$hex":"0000000100000001aa"}}`;
    assert.equal(normalizeDumpLine(e1), normalizeDumpLine(e1.replace('aa"', 'bb"')));
  });
});
