import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { lintCommand } from '../../engine/cli/lint';

function io(cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s), cwd } };
}

const STATEFUL = `class J {
  void a(StreamExecutionEnvironment env) {
    env.fromElements(1).uid("src").keyBy(x -> x).sum(0).print();
  }
}
`;
const CLEAN = `class K {
  void a(StreamExecutionEnvironment env) {
    env.fromElements(1).uid("src").keyBy(x -> x).sum(0).uid("sum").print();
  }
}
`;

describe('fsp lint', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fsp-lint-'));
    fs.mkdirSync(path.join(dir, 'src', 'jobs'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'node_modules', 'x'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'target'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'src', 'jobs', 'Clean.java'), CLEAN);
    fs.writeFileSync(path.join(dir, 'node_modules', 'x', 'Bad.java'), STATEFUL);
    fs.writeFileSync(path.join(dir, 'target', 'Bad.java'), STATEFUL);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('exits 0 on clean code and skips node_modules and target', async () => {
    const t = io(dir);
    const code = await lintCommand(['.'], t.io);
    assert.strictEqual(code, 0, t.out.join('') + t.err.join(''));
    assert.match(t.out.join(''), /1 file checked, 0 findings/);
  });

  it('exits 1 when a stateful operator lacks a uid and prints file:line:col', async () => {
    fs.writeFileSync(path.join(dir, 'src', 'Bad.java'), STATEFUL);
    const t = io(dir);
    const code = await lintCommand(['src'], t.io);
    assert.strictEqual(code, 1);
    assert.ok(t.out.join('').includes(`${path.join('src', 'Bad.java')}:3:${STATEFUL.split('\n')[2].indexOf('sum(') + 1}: warning stateful-operator-without-uid`), t.out.join(''));
  });

  it('exits 1 on duplicate uids, 0 when only infos are found', async () => {
    fs.writeFileSync(path.join(dir, 'src', 'Dup.java'), CLEAN.replace('"sum"', '"src"'));
    assert.strictEqual(await lintCommand(['src'], io(dir).io), 1);
    fs.rmSync(path.join(dir, 'src', 'Dup.java'));
    fs.writeFileSync(path.join(dir, 'src', 'info.py'), 'env = StreamExecutionEnvironment.get_execution_environment()\nenv.from_collection([1]).uid("a" + str(1)).print()\n');
    const t = io(dir);
    assert.strictEqual(await lintCommand(['src', '--format=json'], t.io), 0);
    const json = JSON.parse(t.out.join(''));
    assert.strictEqual(json.summary.failing, 0);
    const py = json.files.find((f: { path: string }) => f.path.endsWith('info.py'));
    assert.deepStrictEqual(py.findings.map((f: { ruleId: string }) => f.ruleId), ['non-constant-uid']);
  });

  it('writes SARIF 2.1.0 with relative artifact URIs and rule ids', async () => {
    fs.writeFileSync(path.join(dir, 'src', 'jobs', 'Bad Job.java'), STATEFUL);
    const t = io(dir);
    const code = await lintCommand(['src', '--format', 'sarif'], t.io);
    assert.strictEqual(code, 1);
    const sarif = JSON.parse(t.out.join(''));
    assert.strictEqual(sarif.version, '2.1.0');
    const run = sarif.runs[0];
    const ruleIds = run.tool.driver.rules.map((r: { id: string }) => r.id);
    for (const id of ['stateful-operator-without-uid', 'duplicate-uid', 'operator-without-uid', 'non-constant-uid']) assert.ok(ruleIds.includes(id), id);
    assert.strictEqual(run.results.length, 1);
    const r = run.results[0];
    assert.strictEqual(r.ruleId, 'stateful-operator-without-uid');
    assert.strictEqual(r.level, 'warning');
    assert.strictEqual(run.tool.driver.rules[r.ruleIndex].id, r.ruleId);
    const loc = r.locations[0].physicalLocation;
    assert.strictEqual(loc.artifactLocation.uri, 'src/jobs/Bad%20Job.java');
    assert.deepStrictEqual([loc.region.startLine, loc.region.startColumn], [3, STATEFUL.split('\n')[2].indexOf('sum(') + 1]);
    assert.strictEqual(r.fixes[0].artifactChanges[0].replacements[0].insertedContent.text, '.uid("sum")');
  });

  it('--all turns on operator-without-uid hints', async () => {
    const t = io(dir);
    assert.strictEqual(await lintCommand(['--all', 'src'], t.io), 0);
    assert.match(t.out.join(''), /hint operator-without-uid: Operator print has no \.uid\(\)/);
  });

  it('exits 2 with one clear line on bad arguments', async () => {
    for (const args of [[], ['--format', 'xml', 'src'], ['--bogus', 'src'], ['missing-folder'], ['src', '--rule', 'nope=error']]) {
      const t = io(dir);
      const code = await lintCommand(args, t.io);
      assert.strictEqual(code, 2, args.join(' '));
      const msg = t.err.join('');
      assert.strictEqual(msg.trim().split('\n').length, 1, msg);
      assert.match(msg, /^fsp lint: /);
    }
  });

  it('lints single files given by path', async () => {
    fs.writeFileSync(path.join(dir, 'Bad.kt'), 'fun main() {\n  val env = StreamExecutionEnvironment.getExecutionEnvironment()\n  env.fromElements(1).print()\n}\n');
    const t = io(dir);
    assert.strictEqual(await lintCommand(['Bad.kt'], t.io), 1);
    assert.match(t.out.join(''), /^Bad\.kt:3:7: warning stateful-operator-without-uid/);
  });
});
