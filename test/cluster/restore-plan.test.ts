/**
 * The cluster features' plain-Node logic (extension/cluster/*-plan.ts, cluster-config.ts) without a
 * cluster: settings, auth, jar discovery, manifest, arguments, savepoint paths, memory, run
 * requests, bootstrap specs, the drop report.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { jarRunBody } from '../../engine/rest/client';
import { authOption, bundledCluster, parseClusterSettings, tokenSecretKey } from '../../extension/cluster/cluster-config';
import {
  MapStore,
  RestoreMemory,
  describePlan,
  dropReport,
  entryClassOf,
  findJarCandidates,
  joinArgs,
  localPathOf,
  runOptionsFor,
  sameLocation,
  savepointPathFromArg,
  splitArgs,
  validatePlan,
  type RestorePlan,
} from '../../extension/cluster/restore-plan';
import { buildSpec, defaultBootstrapOut, previewData, validateAnswers, type BootstrapAnswers } from '../../extension/cluster/bootstrap-plan';
import { crossCheck } from '../../language/crosscheck';
import { operatorIdFromUid } from '../../engine/savepoint/murmur';

const ROOT = resolve(__dirname, '..', '..');
const SAMPLE_JAR = process.env.FSP_SAMPLE_JAR ?? join(ROOT, 'samples', 'workspace', 'sample-job', 'target', 'sample-job.jar');

describe('cluster: settings and auth', () => {
  it('lists the bundled engine first and keeps valid remote clusters', () => {
    const r = parseClusterSettings([
      { name: 'prod', url: 'https://flink.example.com:8443/' },
      { url: 'http://10.0.0.5:8081' },
      { name: 'bad', url: 'ftp://x' },
      { name: 'dup', url: 'https://flink.example.com:8443' },
      'nope',
      { name: 'hdr', url: 'http://h:1', authHeader: 'X-Api-Key' },
      { name: 'badhdr', url: 'http://h:2', authHeader: 'X Api' },
    ]);
    assert.deepEqual(r.clusters.map((c) => [c.id, c.name, c.kind]), [
      ['bundled', 'Local engine (bundled)', 'bundled'],
      ['remote:https://flink.example.com:8443', 'prod', 'remote'],
      ['remote:http://10.0.0.5:8081', 'http://10.0.0.5:8081', 'remote'],
      ['remote:http://h:1', 'hdr', 'remote'],
    ]);
    assert.equal(r.problems.length, 4);
    assert.match(r.problems.join('\n'), /ftp:\/\/x/);
    assert.match(r.problems.join('\n'), /listed twice/);
    assert.deepEqual(parseClusterSettings(undefined).clusters, [bundledCluster()]);
    assert.match(parseClusterSettings({}).problems[0], /must be an array/);
  });

  it('turns a stored token into the right header', () => {
    const prod = parseClusterSettings([{ name: 'p', url: 'https://p' }]).clusters[1];
    assert.equal(authOption(prod, 'abc'), 'Bearer abc');
    assert.equal(authOption(prod, 'Basic dXNlcjpwdw=='), 'Basic dXNlcjpwdw==');
    assert.equal(authOption(prod, '  '), undefined);
    const hdr = parseClusterSettings([{ url: 'http://h:1', authHeader: 'X-Api-Key' }]).clusters[1];
    assert.deepEqual(authOption(hdr, 'k1'), { name: 'X-Api-Key', value: 'k1' });
    assert.equal(tokenSecretKey(prod), 'flinkSavepoints.clusterToken:https://p');
  });
});

describe('cluster: job jars and arguments', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'fsp-jars-'));
    const mk = (rel: string, ageS: number) => {
      const p = join(dir, rel);
      mkdirSync(join(p, '..'), { recursive: true });
      writeFileSync(p, 'x');
      const t = Date.now() / 1000 - ageS;
      utimesSync(p, t, t);
    };
    mk('job-a/target/job-a-1.0.jar', 100);
    mk('job-a/target/original-job-a-1.0.jar', 50);
    mk('job-a/target/job-a-1.0-sources.jar', 10);
    mk('gradle-job/build/libs/gradle-job-all.jar', 5);
    mk('target/root.jar', 300);
    mk('node_modules/x/target/nope.jar', 1);
    mk('deep/a/b/c/d/target/too-deep.jar', 1);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('offers target/*.jar and build/libs/*.jar, newest first, without sources/original jars', () => {
    const c = findJarCandidates([dir]);
    assert.deepEqual(c.map((x) => x.rel), [join('gradle-job', 'build', 'libs', 'gradle-job-all.jar'), join('job-a', 'target', 'job-a-1.0.jar'), join('target', 'root.jar')]);
  });

  it('finds the sample job jar and reads its entry class from the manifest', function () {
    assert.ok(require('node:fs').existsSync(SAMPLE_JAR), `${SAMPLE_JAR} is missing: build it with \`npm run engine\``);
    const c = findJarCandidates([join(ROOT, 'samples', 'workspace')]);
    assert.ok(c.some((x) => x.path === SAMPLE_JAR), `sample jar among ${c.map((x) => x.rel).join(', ')}`);
    assert.equal(entryClassOf(SAMPLE_JAR), 'com.example.fraud.FraudDetectionJob');
    assert.equal(entryClassOf(join(dir, 'target', 'root.jar')), undefined, 'not a zip: no entry class, no throw');
  });

  it('splits and joins program arguments like a shell', () => {
    assert.deepEqual(splitArgs(`--rate 50 --name "my job" --q 'a b' x\\ y`), ['--rate', '50', '--name', 'my job', '--q', 'a b', 'x y']);
    assert.deepEqual(splitArgs('  '), []);
    assert.deepEqual(splitArgs(`--empty ""`), ['--empty', '']);
    assert.throws(() => splitArgs('--x "open'), /unterminated/);
    const args = ['--rate', '50', '--name', "it's a job", ''];
    assert.deepEqual(splitArgs(joinArgs(args)), args);
  });

  it('remembers the last jar, its settings and the last restore per workspace', async () => {
    const store = new MapStore();
    const mem = new RestoreMemory(store);
    const jars = findJarCandidates([dir]);
    assert.equal(mem.lastJar(), undefined);
    const plan: RestorePlan = {
      jar: join(dir, 'target', 'root.jar'), entryClass: 'a.B', args: ['--x', '1'], parallelism: 2,
      savepointPath: '/sp/savepoint-1', claimMode: 'NO_CLAIM', allowNonRestoredState: false, clusterId: 'bundled',
    };
    await mem.remember(plan);
    assert.equal(mem.lastJar(), plan.jar);
    assert.deepEqual(mem.jarSettings(plan.jar), { entryClass: 'a.B', args: ['--x', '1'], parallelism: 2 });
    assert.deepEqual(mem.lastPlan(), plan);
    assert.equal(mem.orderCandidates(jars)[0].path, plan.jar, 'the last jar comes first');
    await mem.remember({ ...plan, savepointPath: undefined, args: [] });
    assert.deepEqual(mem.lastPlan(), plan, 'a plain run does not replace the last restore');
  });
});

describe('cluster: savepoint paths and run requests', () => {
  it('takes the savepoint folder from a tree node, a Uri, a path or its _metadata', () => {
    const sp = { kind: 'savepoint', dir: '/ws/savepoints/savepoint-1' };
    assert.equal(savepointPathFromArg(sp), '/ws/savepoints/savepoint-1');
    assert.equal(savepointPathFromArg({ kind: 'operator', parent: sp }), '/ws/savepoints/savepoint-1');
    assert.equal(savepointPathFromArg({ kind: 'state', parent: { kind: 'operator', parent: sp } }), '/ws/savepoints/savepoint-1');
    assert.equal(savepointPathFromArg({ fsPath: '/ws/savepoints/savepoint-1/_metadata', scheme: 'file' }), '/ws/savepoints/savepoint-1');
    assert.equal(savepointPathFromArg('/x/y/'), '/x/y');
    assert.equal(savepointPathFromArg('file:///x/y/_metadata'), '/x/y');
    assert.equal(savepointPathFromArg({ savepointPath: '/a/b' }), '/a/b');
    assert.equal(savepointPathFromArg(undefined), undefined);
    assert.equal(savepointPathFromArg({}), undefined);
  });

  it('maps Flink locations to local folders and compares them', () => {
    assert.equal(localPathOf('file:/tmp/sp/savepoint-1'), '/tmp/sp/savepoint-1');
    assert.equal(localPathOf('file:///tmp/sp/savepoint-1'), '/tmp/sp/savepoint-1');
    assert.equal(localPathOf('s3://bucket/sp'), undefined);
    assert.equal(localPathOf('/tmp/x'), '/tmp/x');
    assert.ok(sameLocation('file:/tmp/sp/savepoint-1', '/tmp/sp/savepoint-1/'));
    assert.ok(sameLocation('file:///tmp/sp/savepoint-1', 'file:/tmp/sp/savepoint-1'));
    assert.ok(!sameLocation('file:/tmp/sp/savepoint-1', '/tmp/sp/savepoint-2'));
    assert.ok(sameLocation('s3://b/sp/', 's3://b/sp'));
  });

  it('builds the run request; the client sends claimMode or restoreMode by Flink version', () => {
    const plan: RestorePlan = {
      jar: SAMPLE_JAR, entryClass: 'com.example.fraud.FraudDetectionJob', args: ['--rate', '5'], parallelism: 2,
      savepointPath: 'relative/sp', claimMode: 'NO_CLAIM', allowNonRestoredState: true,
    };
    const o = runOptionsFor(plan);
    assert.equal(o.savepointPath, resolve('relative/sp'), 'local paths are made absolute for the cluster');
    assert.deepEqual(jarRunBody('1.20.3', o), {
      entryClass: 'com.example.fraud.FraudDetectionJob', programArgsList: ['--rate', '5'], parallelism: 2,
      savepointPath: resolve('relative/sp'), allowNonRestoredState: true, claimMode: 'NO_CLAIM',
    });
    assert.equal(jarRunBody('1.18.1', o).restoreMode, 'NO_CLAIM');
    assert.equal(jarRunBody('1.18.1', o).claimMode, undefined);
    const fresh = runOptionsFor({ ...plan, savepointPath: undefined });
    assert.equal(fresh.savepointPath, undefined);
    assert.equal(fresh.claimMode, undefined, 'no claim mode without a savepoint');
    assert.equal(runOptionsFor({ ...plan, savepointPath: 's3://b/sp' }).savepointPath, 's3://b/sp');
    assert.match(describePlan(plan), /sample-job\.jar · FraudDetectionJob · from sp · NO_CLAIM · allowNonRestoredState · p=2/);
  });

  it('validates a plan before anything is uploaded', () => {
    const ok: RestorePlan = { jar: SAMPLE_JAR, args: [], claimMode: 'NO_CLAIM', allowNonRestoredState: false };
    assert.match(String(validatePlan({ ...ok, jar: '/nope/x.jar' })), /does not exist/);
    assert.match(String(validatePlan({ ...ok, jar: '/x/readme.txt' })), /not a \.jar/);
    assert.match(String(validatePlan({ ...ok, parallelism: 0 })), /parallelism/);
    assert.match(String(validatePlan({ ...ok, entryClass: 'not a class' })), /class name/);
    assert.match(String(validatePlan({ ...ok, claimMode: 'MAYBE' as never })), /claim mode/);
  });
});

describe('cluster: what allowNonRestoredState would drop', () => {
  it('reports stateful savepoint operators that no uid in code maps to', () => {
    const ops = [
      { id: operatorIdFromUid('fraud-detector'), size: 1000 },
      { id: operatorIdFromUid('old-operator'), size: 500 },
      { id: operatorIdFromUid('stateless-gone'), size: 0 },
      { id: 'ffffffffffffffffffffffffffffffff', name: 'alert-counter', size: 10 },
    ];
    const r = dropReport(['fraud-detector', 'spending-per-window'], ops, crossCheck);
    assert.equal(r.matched, 1);
    assert.equal(r.uidsInCode, 2);
    assert.deepEqual(r.wouldDrop.map((o) => o.id), [operatorIdFromUid('old-operator'), 'ffffffffffffffffffffffffffffffff']);
  });
});

describe('cluster: bootstrap spec from the wizard', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'fsp-bs-'));
    writeFileSync(join(dir, 'spent.csv'), 'account,total,vip\nacc-1,12.5,true\n"acc,2",3,false\n');
    writeFileSync(join(dir, 'days.jsonl'), '{"user":"u1","day":"mon","n":3}\n{"user":"u2","day":"tue","n":4,"extra":"x"}\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the fields of CSV and JSON-lines data and guesses their types', () => {
    const csv = previewData(join(dir, 'spent.csv'));
    assert.deepEqual(csv.fields, ['account', 'total', 'vip']);
    assert.deepEqual(csv.types, { account: 'String', total: 'Double', vip: 'Boolean' });
    assert.equal(csv.rows, 2);
    const jl = previewData(join(dir, 'days.jsonl'));
    assert.deepEqual(jl.fields, ['user', 'day', 'n', 'extra']);
    assert.equal(jl.types.n, 'Long');
    assert.throws(() => previewData(join(dir, 'x.parquet')), /\.csv file with a header row or a \.jsonl/);
  });

  it('writes a docs/bootstrap-spec.md spec with the data path relative to the spec', () => {
    const a: BootstrapAnswers = {
      dataFile: join(dir, 'days.jsonl'), uid: 'user-counts', stateKind: 'map', stateName: 'perDay',
      keyField: 'user', keyType: 'String', userKeyField: 'day', userKeyType: 'String', valueField: 'n', valueType: 'Long', maxParallelism: 128,
    };
    assert.deepEqual(buildSpec(a, join(dir, 'savepoints')), {
      maxParallelism: 128,
      operators: [{
        uid: 'user-counts', keyType: 'String',
        states: [{ name: 'perDay', kind: 'map', valueType: 'Long', userKeyType: 'String', data: '../days.jsonl', keyField: 'user', userKeyField: 'day', valueField: 'n' }],
      }],
    });
    assert.match(String(validateAnswers({ ...a, userKeyField: undefined })), /map key/);
    assert.match(String(validateAnswers({ ...a, valueType: 'Float' as never })), /unsupported value type/);
    assert.match(String(validateAnswers({ ...a, maxParallelism: 0 })), /max parallelism/);
    const out = defaultBootstrapOut(join(dir, 'savepoints'), 'user counts/1', new Date(2026, 0, 2, 3, 4, 5));
    assert.equal(out, join(dir, 'savepoints', 'bootstrap-user-counts-1-20260102-030405'));
  });
});
