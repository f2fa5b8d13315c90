/**
 * Unit tests of the REST client against a tiny fake Flink (node:http), plus the pure helpers.
 * The real-cluster path is covered by test/engine/serve.test.ts.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FlinkRestClient,
  FlinkRestError,
  SavepointFailedError,
  jarRunBody,
  summarizeJavaTrace,
  supportsClaimMode,
} from '../../engine/rest/client';
import { parseJavaVersion, findJava, JavaNotFoundError } from '../../engine/rest/engine-process';

interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

type Handler = (req: Recorded, res: ServerResponse) => void;

async function fakeFlink(version: string, routes: Record<string, Handler>): Promise<{ url: string; server: Server; requests: Recorded[] }> {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec: Recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      requests.push(rec);
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (rec.url === '/config') return json(200, { 'flink-version': version, features: { 'web-submit': true } });
      const handler = routes[`${rec.method} ${rec.url.split('?')[0]}`];
      if (handler) return handler(rec, res);
      json(404, { errors: [`Not found: ${rec.url}`] });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server, requests };
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

describe('FlinkRestClient', () => {
  const servers: Server[] = [];
  after(() => servers.forEach((s) => s.close()));

  it('retries a 503 "ongoing leader election" and then answers; other 503s fail at once', async () => {
    let overviews = 0;
    const f = await fakeFlink('1.20.3', {
      'GET /overview': (_req, res) => {
        overviews++;
        if (overviews <= 2) send(res, 503, { errors: ['Service temporarily unavailable due to an ongoing leader election. Please refresh.'] });
        else send(res, 200, { taskmanagers: 1, 'slots-total': 4, 'slots-available': 4, 'jobs-running': 0, 'flink-version': '1.20.3' });
      },
      'GET /jobs/overview': (_req, res) => send(res, 503, { errors: ['Service unavailable: maintenance'] }),
    });
    servers.push(f.server);
    const client = new FlinkRestClient(f.url);
    const o = await client.overview();
    assert.equal(overviews, 3, 'two 503s were retried');
    assert.equal((o as { taskmanagers: number }).taskmanagers, 1);
    const before = f.requests.length;
    await assert.rejects(client.jobs(), (e: unknown) => e instanceof FlinkRestError && e.status === 503);
    assert.equal(f.requests.length - before, 1, 'a 503 that is not a leader election is not retried');
  });

  it('sends claimMode + programArgsList to Flink 1.20 and 2.x, restoreMode to 1.19', () => {
    const o = { args: ['--rate', '5'], savepointPath: '/sp', claimMode: 'NO_CLAIM' as const, allowNonRestoredState: true };
    assert.deepEqual(jarRunBody('1.20.3', o), { programArgsList: ['--rate', '5'], savepointPath: '/sp', allowNonRestoredState: true, claimMode: 'NO_CLAIM' });
    assert.equal(jarRunBody('2.3.0', o).claimMode, 'NO_CLAIM');
    const old = jarRunBody('1.19.1', o);
    assert.equal(old.restoreMode, 'NO_CLAIM');
    assert.equal('claimMode' in old, false);
    assert.deepEqual(old.programArgsList, ['--rate', '5']);
    assert.equal('programArgs' in jarRunBody('2.3.0', o), false);
    assert.equal(supportsClaimMode('1.18.0'), false);
    assert.equal(supportsClaimMode('2.0-SNAPSHOT'), true);
  });

  it('probes the version once and picks the run body accordingly', async () => {
    let runBody: unknown;
    const f = await fakeFlink('1.18.1', {
      'POST /jars/x.jar/run': (req, res) => {
        runBody = JSON.parse(req.body.toString());
        send(res, 200, { jobid: 'abc' });
      },
    });
    servers.push(f.server);
    const c = new FlinkRestClient({ baseUrl: f.url + '/', auth: 'Bearer t0ken' });
    assert.equal(await c.runJar('x.jar', { claimMode: 'CLAIM', args: [] }), 'abc');
    assert.equal(await c.runJar('x.jar', { claimMode: 'CLAIM' }), 'abc');
    assert.deepEqual(runBody, { restoreMode: 'CLAIM' });
    assert.equal(f.requests.filter((r) => r.url === '/config').length, 1, 'version must be cached');
    assert.ok(f.requests.every((r) => r.headers.authorization === 'Bearer t0ken'));
  });

  it('uploads a jar as multipart field "jarfile" and returns the stored id', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fsp-rest-'));
    try {
      const jar = join(dir, 'my-job.jar');
      writeFileSync(jar, Buffer.from('PK\u0003\u0004fake'));
      const f = await fakeFlink('1.20.3', {
        'POST /jars/upload': (req, res) => {
          const ct = String(req.headers['content-type']);
          assert.match(ct, /^multipart\/form-data; boundary=/);
          const text = req.body.toString('latin1');
          assert.match(text, /Content-Disposition: form-data; name="jarfile"; filename="my-job.jar"/);
          assert.ok(text.includes('PK\u0003\u0004fake'));
          send(res, 200, { filename: '/tmp/flink-web-upload/1234_my-job.jar', status: 'success' });
        },
      });
      servers.push(f.server);
      const up = await new FlinkRestClient(f.url).uploadJar(jar);
      assert.deepEqual(up, { id: '1234_my-job.jar', filename: '/tmp/flink-web-upload/1234_my-job.jar' });
      await assert.rejects(new FlinkRestClient(f.url).uploadJar(join(dir, 'x.zip')), /only accepts files ending in \.jar/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('uses Flink\'s field names for savepoint and stop requests', async () => {
    const bodies: Record<string, unknown> = {};
    const f = await fakeFlink('1.20.3', {
      'POST /jobs/j1/savepoints': (req, res) => {
        bodies.trigger = JSON.parse(req.body.toString());
        send(res, 202, { 'request-id': 't1' });
      },
      'POST /jobs/j1/stop': (req, res) => {
        bodies.stop = JSON.parse(req.body.toString());
        send(res, 202, { 'request-id': 't2' });
      },
    });
    servers.push(f.server);
    const c = new FlinkRestClient(f.url);
    assert.equal(await c.triggerSavepoint('j1', { targetDirectory: '/sp', formatType: 'NATIVE' }), 't1');
    assert.equal(await c.stopWithSavepoint('j1', { targetDirectory: '/sp', drain: true, formatType: 'CANONICAL' }), 't2');
    assert.deepEqual(bodies.trigger, { 'cancel-job': false, 'target-directory': '/sp', formatType: 'NATIVE' });
    assert.deepEqual(bodies.stop, { drain: true, targetDirectory: '/sp', formatType: 'CANONICAL' });
  });

  it('awaitSavepoint polls until done and surfaces Flink\'s failure cause', async () => {
    let polls = 0;
    const f = await fakeFlink('1.20.3', {
      'GET /jobs/j1/savepoints/ok': (_req, res) => {
        polls++;
        send(res, 200, polls < 3
          ? { status: { id: 'IN_PROGRESS' } }
          : { status: { id: 'COMPLETED' }, operation: { location: 'file:/sp/savepoint-1' } });
      },
      'GET /jobs/j1/savepoints/bad': (_req, res) => {
        send(res, 200, {
          status: { id: 'COMPLETED' },
          operation: {
            'failure-cause': {
              class: 'java.util.concurrent.CompletionException',
              'stack-trace': 'java.util.concurrent.CompletionException: org.apache.flink.runtime.checkpoint.CheckpointException: Checkpoint triggering task Source (1/1) is not being executed at the moment.\n\tat a.b\nCaused by: org.apache.flink.runtime.checkpoint.CheckpointException: Checkpoint triggering task Source (1/1) is not being executed at the moment.\n\tat c.d',
            },
          },
        });
      },
    });
    servers.push(f.server);
    const c = new FlinkRestClient({ baseUrl: f.url, pollIntervalMs: 10 });
    assert.equal(await c.awaitSavepoint('j1', 'ok'), 'file:/sp/savepoint-1');
    assert.equal(polls, 3);
    await assert.rejects(c.awaitSavepoint('j1', 'bad'), (e: unknown) => {
      assert.ok(e instanceof SavepointFailedError);
      assert.equal(e.message, 'Savepoint of job j1 failed: CheckpointException: Checkpoint triggering task Source (1/1) is not being executed at the moment.');
      return true;
    });
  });

  it('reports HTTP errors with status, URL and Flink\'s errors', async () => {
    const f = await fakeFlink('1.20.3', {
      'GET /jobs/nope': (_req, res) => send(res, 404, { errors: ['org.apache.flink.runtime.rest.NotFoundException: Job nope not found\n\tat x'] }),
    });
    servers.push(f.server);
    const c = new FlinkRestClient(f.url);
    await assert.rejects(c.job('nope'), (e: unknown) => {
      assert.ok(e instanceof FlinkRestError);
      assert.equal(e.status, 404);
      assert.equal(e.url, `${f.url}/jobs/nope`);
      assert.equal(e.message, `Flink REST GET ${f.url}/jobs/nope failed with HTTP 404: NotFoundException: Job nope not found`);
      return true;
    });
    await assert.rejects(c.listJars(), /HTTP 404: Not found: \/jars \(this cluster does not offer that endpoint/);
    await assert.rejects(new FlinkRestClient('http://127.0.0.1:1').overview(), /Cannot reach Flink at http:\/\/127\.0\.0\.1:1/);
  });

  it('awaitJobState fails fast with the root cause when the job fails', async () => {
    const f = await fakeFlink('1.20.3', {
      'GET /jobs/j9': (_req, res) => send(res, 200, { jid: 'j9', name: 'x', state: 'FAILED', vertices: [] }),
      'GET /jobs/j9/exceptions': (_req, res) => send(res, 200, { 'root-exception': 'java.lang.IllegalStateException: boom\n\tat a' }),
    });
    servers.push(f.server);
    await assert.rejects(new FlinkRestClient(f.url).awaitJobState('j9', 'RUNNING', 5_000), /Job j9 ended as FAILED while waiting for RUNNING: IllegalStateException: boom/);
  });
});

describe('summarizeJavaTrace', () => {
  it('keeps the distinct messages and names the root cause', () => {
    const t = [
      'org.apache.flink.runtime.rest.handler.RestHandlerException: Could not execute application.',
      '\tat x',
      'Caused by: java.util.concurrent.CompletionException: org.apache.flink.util.FlinkRuntimeException: Could not execute application.',
      'Caused by: org.apache.flink.runtime.client.JobInitializationException: Could not start the JobMaster.',
      'Caused by: java.io.FileNotFoundException: Cannot find checkpoint or savepoint file/directory \'/x\' on file system \'file\'.',
    ].join('\n');
    assert.equal(
      summarizeJavaTrace(t),
      'Could not execute application. \u2190 Could not start the JobMaster. \u2190 FileNotFoundException: Cannot find checkpoint or savepoint file/directory \'/x\' on file system \'file\'.',
    );
  });
});

describe('Java discovery', () => {
  it('parses java -version output of old and new JDKs', () => {
    assert.deepEqual(parseJavaVersion('openjdk version "17.0.15" 2025-04-15'), { version: '17.0.15', major: 17 });
    assert.deepEqual(parseJavaVersion('java version "1.8.0_292"'), { version: '1.8.0_292', major: 8 });
    assert.deepEqual(parseJavaVersion('openjdk version "21" 2023-09-19'), { version: '21', major: 21 });
    assert.equal(parseJavaVersion('garbage'), null);
  });

  it('explains a bad Java setting', async () => {
    await assert.rejects(findJava({ setting: '/nonexistent/jdk/bin/java', settingName: 'flinkSavepoints.java' }), (e: unknown) => {
      assert.ok(e instanceof JavaNotFoundError);
      assert.match(e.message, /flinkSavepoints\.java \(\/nonexistent\/jdk\/bin\/java\): not found/);
      assert.match(e.message, /Java 17\+/);
      return true;
    });
  });

  it('finds the Java on this machine (JAVA_HOME or PATH)', async () => {
    const j = await findJava();
    assert.ok(j.major >= 17, `found ${j.version}`);
  });
});
