import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { analyzeSource } from '../../language/index';
import * as engine from '../../engine/savepoint/index';
import {
  CodeUid, SavepointReader, SavepointSummary, checkAgainstSavepoint, explanationSummary, findOperatorIds, findRestoreErrors, formatSize,
  holdingText, lensTitle, lensTooltip, operatorIdFromUid, parseOperatorInput, renderCheckReport, renderExplanation, resolveSavepointSetting,
  savepointLabel, summarizeSavepoint,
} from '../../extension/uids/core';

const FIX = path.join(__dirname, '..', 'fixtures');
const V6 = path.join(FIX, 'savepoints', 'flink-2.3.0');
const V4 = path.join(FIX, 'savepoints', 'flink-1.20.3');
const caseUids = (dir: string): string[] => JSON.parse(fs.readFileSync(path.join(dir, 'case.json'), 'utf8')).uids;
const reader = engine as unknown as SavepointReader<unknown>;

/** The uids of a job file, as the extension collects them (language/ analysis). */
async function uidsOf(file: string, text = fs.readFileSync(file, 'utf8')): Promise<CodeUid[]> {
  const a = await analyzeSource(text, 'java', undefined, { path: file });
  return a.uids.map((u) => ({ uid: u.uid, file, line: u.range.start.line, character: u.range.start.character, method: u.method }));
}

/** A Java job with the given uids chained (like test/e2e/run.js's CorpusUids.java). */
function javaJob(uids: string[]): string {
  const chain = uids.map((u, i) => (i === 0 ? `env.fromElements("x").uid(${JSON.stringify(u)})` : `        .map(x -> x).uid(${JSON.stringify(u)})`));
  return `class Job {\n  public static void main(String[] args) throws Exception {\n    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();\n    ${chain.join('\n')};\n    env.execute();\n  }\n}\n`;
}

describe('uids: operator IDs and restore errors in text', () => {
  it('finds 32-hex tokens, not longer hex or attempt IDs', () => {
    const id = operatorIdFromUid('keyed-state');
    const line = `2026-01-01 INFO  Operator ${id.toUpperCase()} restored; attempt ${'a'.repeat(32)}_0_1 and hash ${'b'.repeat(40)} and ${'c'.repeat(31)}`;
    const hits = findOperatorIds(line);
    assert.deepStrictEqual(hits.map((h) => h.id), [id]);
    assert.strictEqual(line.slice(hits[0].offset, hits[0].offset + hits[0].length).toLowerCase(), id);
  });

  it("recognises Flink's 'Cannot map checkpoint/savepoint state' restore error with its savepoint path", () => {
    const id = '0c80f7e50ab54b30f6a2580946f9e942';
    const log = [
      '2026-11-23 10:00:00,000 INFO  org.apache.flink.runtime.jobmaster.JobMaster - Starting job',
      `java.lang.IllegalStateException: Failed to rollback to checkpoint/savepoint file:/tmp/sp/savepoint-abc123. Cannot map checkpoint/savepoint state for operator ${id} to the new program, because the operator is not available in the new program. If you want to allow to skip this, you can set the --allowNonRestoredState option on the CLI.`,
      `Caused by: java.lang.IllegalStateException: There is no operator for the state ${'d'.repeat(32)}`,
    ].join('\n');
    const errs = findRestoreErrors(log);
    assert.strictEqual(errs.length, 2);
    assert.strictEqual(errs[0].id, id);
    assert.strictEqual(log.slice(errs[0].offset, errs[0].offset + 32), id);
    assert.strictEqual(errs[0].savepoint, 'file:/tmp/sp/savepoint-abc123');
    assert.match(errs[0].message, /^Cannot map checkpoint\/savepoint state for operator/);
    assert.match(errs[0].message, /allowNonRestoredState/);
    assert.strictEqual(errs[1].id, 'd'.repeat(32));
    assert.strictEqual(errs[1].savepoint, undefined);
    assert.deepStrictEqual(findRestoreErrors('INFO Operator 0c80f7e50ab54b30f6a2580946f9e942 restored'), []);
  });

  it('parses Explain Operator ID input: an ID, an ID with dashes, or a uid', () => {
    const id = operatorIdFromUid('sink');
    assert.deepStrictEqual(parseOperatorInput(` ${id.toUpperCase()} `), { id });
    assert.deepStrictEqual(parseOperatorInput('"sink"'), { id, uid: 'sink' });
    assert.ok('error' in parseOperatorInput(''));
    assert.ok('error' in parseOperatorInput('abcdef0123456789abcdef'));
  });

  it('resolves the flinkSavepoints.lint.savepoint setting', () => {
    assert.strictEqual(resolveSavepointSetting('', '/ws'), undefined);
    assert.strictEqual(resolveSavepointSetting('savepoints/sp1', '/ws'), path.normalize('/ws/savepoints/sp1'));
    assert.strictEqual(resolveSavepointSetting('/abs/sp/_metadata', '/ws'), path.normalize('/abs/sp'));
    assert.strictEqual(resolveSavepointSetting('~/sp', '/ws', '/home/u'), path.normalize('/home/u/sp'));
    assert.strictEqual(savepointLabel('/x/keyed-rocksdb/savepoint'), 'keyed-rocksdb/savepoint');
    assert.strictEqual(savepointLabel('/x/savepoint-1a2b'), 'savepoint-1a2b');
  });
});

describe('uids: against corpus savepoints', function () {
  this.timeout(120000);
  let windows: SavepointSummary;
  let keyedV4: SavepointSummary;
  before(async () => {
    windows = await summarizeSavepoint(reader, path.join(V6, 'windows-hashmap', 'savepoint'));
    keyedV4 = await summarizeSavepoint(reader, path.join(V4, 'keyed-rocksdb', 'savepoint'));
  });

  it('summarises a V6 savepoint with the uids of case.json in its metadata', () => {
    const uids = caseUids(path.join(V6, 'windows-hashmap'));
    assert.ok(windows.version !== undefined && windows.version >= 5, `metadata V${windows.version}`);
    for (const u of uids) {
      const op = windows.operators.find((o) => o.id === operatorIdFromUid(u));
      assert.ok(op, `operator of uid ${u}`);
      assert.strictEqual(op.uid, u);
    }
  });

  it('lens titles: operator ID with states and size, or new operator', () => {
    const id = operatorIdFromUid('keyed-state');
    const op = keyedV4.operators.find((o) => o.id === id)!;
    assert.ok(op.states && op.states.length === 7, `keyed-state has 7 states: ${JSON.stringify(op.states)}`);
    const title = lensTitle(id, op, 'keyed-rocksdb');
    assert.strictEqual(title, `${id} · keyed-rocksdb: 7 states, ${formatSize(op.size)}`);
    assert.match(title, /7 states, 15 KB$/);
    const fresh = operatorIdFromUid('brand-new');
    assert.strictEqual(lensTitle(fresh, undefined, 'keyed-rocksdb'), `${fresh} · not in savepoint: new operator`);
    assert.match(lensTooltip('keyed-state', id, op, '/sp'), /count \(VALUE/);
    const events = keyedV4.operators.find((o) => o.id === operatorIdFromUid('events'))!;
    assert.strictEqual(holdingText(events), 'no state');
    assert.strictEqual(formatSize(1.3 * 1024 * 1024), '1.3 MB');
  });

  it('Check Against Savepoint: operators no uid maps to are what --allowNonRestoredState drops', async () => {
    const all = caseUids(path.join(V6, 'windows-hashmap'));
    const inCode = ['ids', 'events', 'timestamps', 'tumbling-reduce'];
    const file = path.join('/ws', 'jobs', 'WindowJob.java');
    const uids = [...await uidsOf(file, javaJob([...inCode, 'enrichment']))];
    assert.deepStrictEqual(uids.map((u) => u.uid), [...inCode, 'enrichment'], 'the analysis finds the uids');
    const r = checkAgainstSavepoint(uids, windows);
    const expectDropped = all.filter((u) => !inCode.includes(u));
    assert.deepStrictEqual(r.dropped.map((o) => o.uid).sort(), expectDropped.sort());
    assert.deepStrictEqual(r.dropped.map((o) => o.id).sort(), expectDropped.map(operatorIdFromUid).sort());
    assert.deepStrictEqual(r.matched.map((m) => m.uid), [...inCode].sort());
    assert.deepStrictEqual(r.newInCode.map((n) => n.uid), ['enrichment']);
    assert.strictEqual(r.newInCode[0].sites[0].line, 7);
    // the windows with state are among the dropped ones with state, stateless sinks are not
    const withState = new Set(r.droppedWithState.map((o) => o.uid));
    assert.ok(withState.has('session-process'), 'session-process window state would be dropped');
    assert.ok(!withState.has('session-process-sink'), 'a stateless sink loses nothing');

    const md = renderCheckReport(r, { root: '/ws', files: 1 });
    assert.match(md, new RegExp(`## Dropped by --allowNonRestoredState \\(${expectDropped.length}\\)`));
    assert.match(md, /## Matched \(4\)/);
    assert.match(md, /## New in code \(1\)/);
    for (const u of expectDropped) assert.ok(md.includes(`| \`${operatorIdFromUid(u)}\` | \`${u}\` |`), `report row of ${u}`);
    assert.ok(md.includes('[jobs/WindowJob.java:8](file:///ws/jobs/WindowJob.java#L8)'), 'new uid links to its code');
    assert.match(md, /operators? with state would be dropped/);
  });

  it('Check Against Savepoint on a V4 savepoint: nothing dropped when the code has every uid', async () => {
    const uids = await uidsOf('/ws/CorpusUids.java', javaJob(caseUids(path.join(V4, 'keyed-rocksdb'))));
    const r = checkAgainstSavepoint(uids, keyedV4);
    assert.strictEqual(r.dropped.length, 0);
    assert.strictEqual(r.matched.length, keyedV4.operators.length);
    assert.match(renderCheckReport(r), /Every operator of the savepoint is matched/);
    // without the keyed-state uid its state is dropped, and the V4 metadata knows no uid for it
    const r2 = checkAgainstSavepoint(uids.filter((u) => u.uid !== 'keyed-state'), keyedV4);
    assert.deepStrictEqual(r2.dropped.map((o) => o.id), [operatorIdFromUid('keyed-state')]);
    assert.deepStrictEqual(r2.droppedWithState.map((o) => o.id), [operatorIdFromUid('keyed-state')]);
    const md = renderCheckReport(r2);
    assert.ok(md.includes(`| \`${operatorIdFromUid('keyed-state')}\` | unknown |`));
    assert.ok(md.includes('`count` VALUE'), 'dropped states are listed');
  });

  it('uids of a real job file (FileSinkJob.java) are new against an unrelated savepoint', async () => {
    const file = path.join(FIX, 'jobs', 'java', 'FileSinkJob.java');
    const uids = await uidsOf(file);
    assert.deepStrictEqual(uids.map((u) => u.uid), ['upper', 'file-output', 'legacy-2'], 'the fixture job sets uids');
    assert.strictEqual(uids[0].line, 20);
    const r = checkAgainstSavepoint(uids, keyedV4);
    assert.strictEqual(r.matched.length, 0);
    assert.strictEqual(r.dropped.length, keyedV4.operators.length);
    assert.deepStrictEqual(r.newInCode.map((n) => n.uid).sort(), [...new Set(uids.map((u) => u.uid))].sort());
  });

  it('Explain Operator ID: uid from code and metadata, code location, states', async () => {
    const id = operatorIdFromUid('tumbling-process');
    const code = (await uidsOf('/ws/jobs/W.java', javaJob(['ids', 'tumbling-process']))).filter((u) => operatorIdFromUid(u.uid) === id);
    assert.strictEqual(code.length, 1);
    const op = windows.operators.find((o) => o.id === id)!;
    const e = { id, code, savepoints: [{ dir: windows.dir, op, selected: true }], searched: 2 };
    const md = renderExplanation(e, { root: '/ws' });
    assert.ok(md.startsWith(`# Operator ${id}`));
    assert.match(md, /\*\*uid:\*\* `tumbling-process`/);
    assert.ok(md.includes('[jobs/W.java:5](file:///ws/jobs/W.java#L5)'), md);
    assert.ok(op.states && op.states.length > 0, 'the window operator has state');
    for (const s of op.states!) assert.ok(md.includes(`\`${s.name}\` ${s.kind}`), `state ${s.name} listed`);
    assert.match(explanationSummary(e), /uid "tumbling-process" · W\.java:5 · windows-hashmap\/savepoint: \d+ states?/);

    const unknown = renderExplanation({ id: 'f'.repeat(32), code: [], savepoints: [], searched: 3 }, { restoreError: 'Cannot map …' });
    assert.match(unknown, /uid:\*\* unknown/);
    assert.match(unknown, /Not in any of 3 savepoints searched/);
    assert.match(unknown, /--allowNonRestoredState/);
  });
});
