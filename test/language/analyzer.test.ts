import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  analyzeSource, analyzeSourceSync, crossCheck, ensureLanguages, grammarPath, kebab, languageForFile, operatorIdForUid, setGrammarDir, WorkspaceIndex,
} from '../../language/index';
import type { FileAnalysis, TextEdit } from '../../language/types';

function applyEdits(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  const offsets: number[] = [];
  let o = 0;
  for (const l of lines) { offsets.push(o); o += l.length + 1; }
  const at = (p: { line: number; character: number }) => offsets[p.line] + p.character;
  const sorted = [...edits].sort((a, b) => at(b.range.start) - at(a.range.start));
  for (const e of sorted) text = text.slice(0, at(e.range.start)) + e.newText + text.slice(at(e.range.end));
  return text;
}
const rules = (a: FileAnalysis, id: string) => a.findings.filter((f) => f.ruleId === id);

const JAVA_JOB = `
class Job {
  public static void main(String[] args) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    DataStream<Event> events = env.fromSource(src, wm, "Kafka Events");
    DataStream<Event> a = events.keyBy(Event::getId).process(new DedupFunction());
    DataStream<Event> b = events.keyBy(Event::getUser).process(new DedupFunction()).name("second");
    SingleOutputStreamOperator<Event> mapped = a.map(new Cleaner());
    mapped.uid("cleaner");
    b.print();
    env.execute();
  }
}
class DedupFunction extends KeyedProcessFunction<String, Event, Event> {
  ValueState<Boolean> seen;
  public void open(Configuration c) { seen = getRuntimeContext().getState(desc); }
}`;

describe('language analysis', function () {
  this.timeout(30_000);
  before(() => ensureLanguages());

  it('maps file names to languages', () => {
    assert.strictEqual(languageForFile('src/main/java/Job.java'), 'java');
    assert.strictEqual(languageForFile('Job.scala'), 'scala');
    assert.strictEqual(languageForFile('Job.kt'), 'kotlin');
    assert.strictEqual(languageForFile('job.py'), 'python');
    assert.strictEqual(languageForFile('job.ts'), undefined);
  });

  it('kebab-cases class and variable names', () => {
    assert.strictEqual(kebab('DedupFunction'), 'dedup-function');
    assert.strictEqual(kebab('NYCFilter'), 'nyc-filter');
    assert.strictEqual(kebab('Kafka Events'), 'kafka-events');
    assert.strictEqual(kebab('hourly_tips'), 'hourly-tips');
  });

  it('finds stateful operators, starts ranges at the method name, and sees later .uid() on a variable', async () => {
    const a = await analyzeSource(JAVA_JOB, 'java');
    const methods = a.operators.map((o) => o.method);
    assert.deepStrictEqual(methods, ['fromSource', 'process', 'process', 'map', 'print']);
    const stateful = rules(a, 'stateful-operator-without-uid');
    assert.deepStrictEqual(stateful.map((f) => f.range.start.line), [4, 5, 6]);
    const lines = JAVA_JOB.split('\n');
    for (const f of stateful) {
      const word = lines[f.range.start.line].slice(f.range.start.character, f.range.end.character);
      assert.ok(['fromSource', 'process'].includes(word), word);
    }
    const map = a.operators.find((o) => o.method === 'map')!;
    assert.strictEqual(map.uid?.value, 'cleaner');
    assert.strictEqual(map.uid?.constant, true);
    assert.strictEqual(map.stateful, undefined);
  });

  it('suggests readable unique uids and quick-fix edits after the closing paren', async () => {
    const a = await analyzeSource(JAVA_JOB, 'java');
    const fixes = rules(a, 'stateful-operator-without-uid').map((f) => f.fix!);
    assert.deepStrictEqual(fixes.map((f) => f.uid), ['kafka-events', 'dedup-function', 'second']);
    const fixed = applyEdits(JAVA_JOB, [fixes[1].edit]);
    assert.ok(fixed.includes('.process(new DedupFunction()).uid("dedup-function");'), fixed);
    assert.ok(fixes[1].editWithName.newText.endsWith('.name("dedup-function")'));
    // the operator that already has .name() does not get a second one
    assert.strictEqual(fixes[2].editWithName.newText, '.uid("second")');
  });

  it('keeps suggestions unique within a file', async () => {
    const src = JAVA_JOB.replace('.name("second")', '');
    const a = await analyzeSource(src, 'java');
    const uids = rules(a, 'stateful-operator-without-uid').map((f) => f.fix!.uid);
    assert.deepStrictEqual(uids, ['kafka-events', 'dedup-function', 'dedup-function-2']);
  });

  it('fix-all removes every stateful finding', async () => {
    const a = await analyzeSource(JAVA_JOB, 'java');
    assert.strictEqual(a.fixAll.length, 3);
    const b = await analyzeSource(applyEdits(JAVA_JOB, a.fixAll), 'java');
    assert.strictEqual(rules(b, 'stateful-operator-without-uid').length, 0);
    assert.strictEqual(rules(b, 'duplicate-uid').length, 0);
    assert.strictEqual(b.operators.filter((o) => o.uid).length, 4);
  });

  it('operator-without-uid is opt-in', async () => {
    const off = await analyzeSource(JAVA_JOB, 'java');
    assert.strictEqual(rules(off, 'operator-without-uid').length, 0);
    const on = await analyzeSource(JAVA_JOB, 'java', undefined, { rules: { 'operator-without-uid': 'hint' } });
    const f = rules(on, 'operator-without-uid');
    assert.deepStrictEqual(f.map((x) => x.range.start.line), [9]);
    assert.strictEqual(f[0].severity, 'hint');
    const silenced = await analyzeSource(JAVA_JOB, 'java', undefined, { rules: { 'stateful-operator-without-uid': 'off' } });
    assert.strictEqual(rules(silenced, 'stateful-operator-without-uid').length, 0);
    const asError = await analyzeSource(JAVA_JOB, 'java', undefined, { rules: { 'stateful-operator-without-uid': 'error' } });
    assert.ok(rules(asError, 'stateful-operator-without-uid').every((x) => x.severity === 'error'));
  });

  it('summarises pipelines per execution environment', async () => {
    const two = JAVA_JOB + `
class Other {
  void run(StreamExecutionEnvironment env2) {
    env2.fromElements(1, 2).uid("one").map(x -> x).print();
  }
}`;
    const a = await analyzeSource(two, 'java');
    assert.strictEqual(a.pipelines.length, 2);
    assert.deepStrictEqual(
      a.pipelines.map((p) => [p.operators, p.withUid, p.statefulWithoutUid]),
      [[5, 1, 3], [3, 1, 0]]);
    assert.strictEqual(a.pipelines[0].range.start.line, 3);
  });

  it('reports duplicate uids within one job only', async () => {
    const src = `
class J {
  static final String C = "counter";
  void a(StreamExecutionEnvironment env) {
    DataStream<String> s = env.fromElements("x").uid("src");
    s.keyBy(x -> x).reduce((p, q) -> p).uid(C);
    s.keyBy(x -> x.length()).reduce((p, q) -> q).uid("counter");
  }
  void b(StreamExecutionEnvironment other) {
    other.fromElements("y").uid("src").print();
  }
}`;
    const a = await analyzeSource(src, 'java');
    const d = rules(a, 'duplicate-uid');
    assert.deepStrictEqual(d.map((f) => [f.range.start.line, f.severity]), [[5, 'error'], [6, 'error']]);
    assert.ok(d[0].message.includes('line 7'));
  });

  it('flags non-constant uids but accepts constants and constant concatenation', async () => {
    const src = `
class J {
  static final String PREFIX = "p-";
  void a(StreamExecutionEnvironment env, String suffix) {
    DataStream<String> s = env.fromElements("x").uid(PREFIX + "src");
    s.map(x -> x).uid(PREFIX + suffix);
    s.map(x -> x).uid(String.format("m-%d", 1));
    s.map(x -> x).uid("plain");
  }
}`;
    const a = await analyzeSource(src, 'java');
    assert.deepStrictEqual(rules(a, 'non-constant-uid').map((f) => f.range.start.line), [5, 6]);
    assert.strictEqual(a.operators[0].uid?.value, 'p-src');
    assert.strictEqual(rules(a, 'non-constant-uid')[0].severity, 'information');
  });

  it('ignores code in comments, strings and non-Flink receivers', async () => {
    const src = `
class J {
  void a(StreamExecutionEnvironment env, List<String> list) {
    // env.fromElements("a").keyBy(x -> x).sum(0);
    String s = "env.fromElements(1).keyBy(x -> x).sum(0)";
    list.stream().map(x -> x).filter(x -> true).reduce((p, q) -> p);
    Flux.fromIterable(list).map(x -> x).reduce((p, q) -> p);
    /* env.addSource(new X()); */
  }
}`;
    const a = await analyzeSource(src, 'java', undefined, { rules: { 'operator-without-uid': 'hint' } });
    assert.strictEqual(a.operators.length, 0);
    assert.strictEqual(a.findings.length, 0);
  });

  it('resolves function classes through the workspace index (and forgets removed files)', async () => {
    const job = `
class J {
  void a(StreamExecutionEnvironment env) {
    env.fromElements(1).uid("s").map(new Remembering()).print();
  }
}`;
    const ws = new WorkspaceIndex();
    const plain = await analyzeSource(job, 'java', ws);
    assert.strictEqual(rules(plain, 'stateful-operator-without-uid').length, 0);
    await ws.update('/w/Base.java', 'abstract class Base<T> extends RichMapFunction<T, T> { void open(Configuration c) { getRuntimeContext().getListState(d); } }', 'java');
    await ws.update('/w/Remembering.java', 'class Remembering extends Base<Integer> { public Integer map(Integer v) { return v; } }', 'java');
    assert.ok(ws.statefulClass('Remembering')?.reason.includes('Base'));
    const resolved = await analyzeSource(job, 'java', ws);
    const f = rules(resolved, 'stateful-operator-without-uid');
    assert.deepStrictEqual(f.map((x) => resolved.operators[x.operator!].method), ['map']);
    assert.strictEqual(f[0].fix?.uid, 'remembering');
    ws.remove('/w/Base.java');
    assert.strictEqual(ws.statefulClass('Remembering'), undefined);
    // a checkpointing interface counts too, synchronously once loaded
    ws.updateSync('/w/Remembering.java', 'class Remembering implements MapFunction<Integer, Integer>, CheckpointedFunction { }', 'java');
    assert.ok(ws.statefulClass('Remembering')?.reason.includes('CheckpointedFunction'));
  });

  it('handles anonymous classes and lambdas', async () => {
    const src = `
class J {
  void a(StreamExecutionEnvironment env) {
    DataStream<Long> s = env.fromSequence(1, 10).uid("seq");
    s.map(new RichMapFunction<Long, Long>() {
      public void open(Configuration c) { getRuntimeContext().getState(d); }
      public Long map(Long v) { return v; }
    }).print();
    s.map(v -> v + 1).print();
    s.map(new MapFunction<Long, Long>() { public Long map(Long v) { return v; } }).print();
  }
}`;
    const a = analyzeSourceSync(src, 'java');
    assert.deepStrictEqual(rules(a, 'stateful-operator-without-uid').map((f) => f.range.start.line), [4]);
  });

  it('analyses PyFlink, with a note on watermark assigners', async () => {
    const src = [
      'from pyflink.datastream import StreamExecutionEnvironment',
      'env = StreamExecutionEnvironment.get_execution_environment()',
      'ds = env.from_collection([1, 2])',
      'ds = ds.assign_timestamps_and_watermarks(strategy)',
      'ds.key_by(lambda x: x).reduce(lambda a, b: a).uid("r")',
      'ds.flat_map(split).print()',
    ].join('\n');
    const a = await analyzeSource(src, 'python', undefined, { rules: { 'operator-without-uid': 'hint' } });
    assert.deepStrictEqual(a.findings.map((f) => [f.ruleId, f.range.start.line]), [
      ['stateful-operator-without-uid', 2],
      ['pyflink-watermark-uid', 3],
      ['operator-without-uid', 5],
      ['operator-without-uid', 5],
    ]);
    assert.strictEqual(a.findings[0].fix?.edit.newText, '.uid("ds")');
  });

  it('analyses Kotlin and Scala chains', async () => {
    const kt = `fun main() {
  val env = StreamExecutionEnvironment.getExecutionEnvironment()
  env.fromElements(1, 2).uid("src")
    .keyBy { it % 2 }
    .sum(0)
    .print()
}`;
    const k = await analyzeSource(kt, 'kotlin');
    assert.deepStrictEqual(rules(k, 'stateful-operator-without-uid').map((f) => [f.range.start.line, f.range.start.character]), [[4, 5]]);
    const sc = `object J {
  def main(a: Array[String]): Unit = {
    val env = StreamExecutionEnvironment.getExecutionEnvironment
    env.fromElements(1, 2).uid("src").keyBy(_ % 2).sum(0).print
  }
}`;
    const s = await analyzeSource(sc, 'scala', undefined, { rules: { 'operator-without-uid': 'hint' } });
    assert.deepStrictEqual(s.operators.map((o) => o.method), ['fromElements', 'sum', 'print']);
    assert.deepStrictEqual(rules(s, 'stateful-operator-without-uid').map((f) => f.range.start.character), [51]);
  });

  it('reports UTF-16 columns', async () => {
    const src = 'class A { void f(StreamExecutionEnvironment env) { String s = "é😀"; env.fromElements(1).print(); } }';
    const a = await analyzeSource(src, 'java');
    assert.strictEqual(a.operators[0].range.start.character, src.indexOf('fromElements'));
  });

  it('cross-checks uids against savepoint operators', () => {
    const hash = (u: string) => u.padEnd(32, '0');
    const sites = [
      { uid: 'a', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, operator: 0, method: 'map' },
      { uid: 'b', range: { start: { line: 1, character: 0 }, end: { line: 1, character: 1 } }, operator: 1, method: 'process' },
    ];
    const r = crossCheck(sites, [
      { id: hash('a'), name: 'Map' },
      { id: hash('zzz'), name: 'Process', states: 2 },
      { id: hash('y'), name: 'Stateless', states: 0 },
    ], hash);
    assert.deepStrictEqual(r.matched.map((m) => m.site.uid), ['a']);
    assert.deepStrictEqual(r.newInCode.map((s) => s.uid), ['b']);
    assert.deepStrictEqual(r.unmatchedInSavepoint.map((o) => o.name), ['Process', 'Stateless']);
    assert.deepStrictEqual(r.wouldDropState.map((o) => o.name), ['Process']);
    // default hash: the savepoint reader's murmur3 uid → operator ID
    const id = operatorIdForUid('a');
    assert.match(id, /^[0-9a-f]{32}$/);
    assert.deepStrictEqual(crossCheck(sites, [{ id: id.toUpperCase() }]).matched.map((m) => m.site.uid), ['a']);
  });

  it('setUidHash: Flink restores the operator under that ID, so the cross-check uses it before the uid', async () => {
    const spId = '6cdc5bb954874d922eaee11a8e7ca5e9';
    const src = `class Job { void f(StreamExecutionEnvironment env) {
  env.fromSource(src, WatermarkStrategy.noWatermarks(), "orders").uid("orders")
     .keyBy(o -> o.id).process(new Dedup()).setUidHash("${spId.toUpperCase()}")
     .keyBy(o -> o.id).process(new Count()).uid("count").setUidHash("${'0'.repeat(31)}1")
     .map(o -> o).setUidHash("not-a-hash").print();
} }`;
    const a = await analyzeSource(src, 'java');
    const sites = a.uids.map((s) => ({ uid: s.uid, operatorId: s.operatorId, method: s.method }));
    assert.deepStrictEqual(sites, [
      { uid: 'orders', operatorId: undefined, method: 'fromSource' },
      { uid: spId, operatorId: spId, method: 'process' },
      { uid: 'count', operatorId: `${'0'.repeat(31)}1`, method: 'process' },
    ]);
    // an operator with a (constant, valid) setUidHash has an ID: no missing-uid finding for it
    assert.deepStrictEqual(rules(a, 'stateful-operator-without-uid').map((f) => f.range.start.line), []);
    const r = crossCheck(a.uids, [
      { id: spId, name: 'Dedup', states: 1 },
      { id: operatorIdForUid('count'), name: 'Count (old uid)', states: 1 },
      { id: `${'0'.repeat(31)}1`, name: 'Count', states: 1 },
      { id: operatorIdForUid('orders'), name: 'Source', states: 1 },
    ]);
    assert.deepStrictEqual(r.matched.map((m) => `${m.site.uid}->${m.operator.name}`), ['orders->Source', `${spId}->Dedup`, 'count->Count']);
    // the uid's own hash is not what Flink restores when setUidHash is set: that state is dropped
    assert.deepStrictEqual(r.wouldDropState.map((o) => o.name), ['Count (old uid)']);
  });

  it('looks for grammars in the directory given to setGrammarDir', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'grammars-'));
    try {
      const before = grammarPath('java');
      fs.copyFileSync(before, path.join(dir, 'tree-sitter-java.wasm'));
      setGrammarDir(dir);
      assert.strictEqual(grammarPath('java'), path.join(dir, 'tree-sitter-java.wasm'));
      // missing files fall back to the packages
      assert.ok(fs.existsSync(grammarPath('scala')));
      assert.ok(grammarPath('scala').endsWith(path.join('tree-sitter-scala', 'tree-sitter-scala.wasm')));
    } finally {
      setGrammarDir(path.join(dir, 'does-not-exist'));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
