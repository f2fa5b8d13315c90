/**
 * startEngine() against stand-in "java" programs (shell scripts), so the protocol handling
 * (ready line, log lines, stderr tail in errors, stop escalation) is tested without a JVM.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngine, EngineStartError } from '../../engine/rest/engine-process';

describe('startEngine (with fake java programs)', function () {
  let dir: string;
  let jar: string;

  before(function () {
    if (process.platform === 'win32') this.skip();
    dir = mkdtempSync(join(tmpdir(), 'fsp-engine-proc-'));
    jar = join(dir, 'engine.jar');
    writeFileSync(jar, 'not really a jar');
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  function fakeJava(name: string, script: string): string {
    const p = join(dir, name);
    writeFileSync(p, `#!/bin/sh\n${script}\n`);
    chmodSync(p, 0o755);
    return p;
  }

  it('resolves on the ready line, forwards other output, and stops by closing stdin', async () => {
    const java = fakeJava('ok-java', [
      'echo "starting $3" >&2',
      'echo "some stdout noise"',
      'echo \'{"event":"ready","rest":"http://127.0.0.1:1234","flinkVersion":"9.9.9"}\'',
      'cat > /dev/null',
      'echo "stdin closed" >&2',
      'exit 0',
    ].join('\n'));
    const lines: string[] = [];
    const e = await startEngine({ java, jar, args: ['--port', '0'], onLog: (l, s) => lines.push(`${s}:${l}`) });
    assert.equal(e.url, 'http://127.0.0.1:1234');
    assert.equal(e.flinkVersion, '9.9.9');
    const exit = await e.stop({ graceMs: 5_000 });
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.ok(lines.includes('stderr:starting serve'), lines.join('\n'));
    assert.ok(lines.includes('stdout:some stdout noise'));
    assert.ok(lines.includes('stderr:stdin closed'));
  });

  it('escalates to SIGTERM when stdin closing is ignored', async () => {
    const java = fakeJava('stubborn-java', [
      'trap "echo got TERM >&2; exit 0" TERM',
      'echo \'{"event":"ready","rest":"http://127.0.0.1:1","flinkVersion":"1"}\'',
      'exec 0<&-',
      'while true; do sleep 0.1; done',
    ].join('\n'));
    const lines: string[] = [];
    const e = await startEngine({ java, jar, onLog: (l) => lines.push(l) });
    const t0 = Date.now();
    const exit = await e.stop({ graceMs: 500, termGraceMs: 5_000 });
    assert.ok(Date.now() - t0 >= 450, 'should first wait for the stdin grace period');
    assert.equal(exit.code, 0);
    assert.ok(lines.includes('got TERM'));
  });

  it('rejects with the stderr tail when the engine dies before it is ready', async () => {
    const java = fakeJava('bad-java', 'echo "Error: could not bind 127.0.0.1:8081" >&2\nexit 1');
    await assert.rejects(startEngine({ java, jar }), (e: unknown) => {
      assert.ok(e instanceof EngineStartError);
      assert.match(e.message, /exited before it was ready \(exit code 1\)/);
      assert.match(e.message, /could not bind 127\.0\.0\.1:8081/);
      return true;
    });
  });

  it('rejects with the stderr tail on a ready timeout, and kills the process', async () => {
    const java = fakeJava('slow-java', 'echo "still loading" >&2\nexec sleep 30');
    await assert.rejects(startEngine({ java, jar, readyTimeoutMs: 500 }), /did not report ready within 0\.5 s[\s\S]*still loading/);
  });

  it('names a missing java or jar', async () => {
    await assert.rejects(startEngine({ java: join(dir, 'no-java'), jar }), /no such program/);
    await assert.rejects(startEngine({ java: 'java', jar: join(dir, 'missing.jar') }), /engine\.jar not found at/);
  });
});
