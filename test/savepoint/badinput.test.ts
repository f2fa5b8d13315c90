/**
 * Bad input: truncation, flipped bits, oversized lengths, escaping paths, and a seeded fuzz run.
 * The only acceptable failure is a SavepointFormatError naming file, offset and expectation
 * (or an `error` line in the dump, which carries the same message).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SavepointFormatError } from '../../engine/savepoint/errors';
import { dumpLines, listStates, openSavepoint } from '../../engine/savepoint/index';
import { parseMetadata } from '../../engine/savepoint/metadata';
import { snappyDecompressBlock, snappyFramedDecode } from '../../engine/savepoint/snappy';
import { buildSavepoint, cleanupTemp, snappyCompress, snappyFramed, tempDir } from './build';
import { sourceSplitLines } from '../../engine/savepoint/splits';
import { corpusCases } from './corpus';
import { xorshift32 } from './random';
import { copySeed, mutate, Seed } from './mutate';

async function dumpAll(dir: string, withStates = true): Promise<string[]> {
  const sp = await openSavepoint(dir);
  const out: string[] = [];
  for await (const l of dumpLines(sp)) out.push(l);
  if (!withStates) return out;
  for (const o of sp.operators) {
    try {
      await listStates(sp, o.id);
    } catch (e) {
      if (e instanceof SavepointFormatError) continue;
      throw e;
    }
  }
  return out;
}

function isFormatError(e: unknown, file?: string): e is SavepointFormatError {
  if (!(e instanceof SavepointFormatError)) return false;
  if (file !== undefined && e.file !== file) return false;
  return /at offset \d+: expected /.test(e.message);
}

/** The `error` lines of a dump, parsed. */
function errorLines(lines: string[]): { message: string }[] {
  return lines.filter((l) => l.startsWith('{"type":"error"')).map((l) => JSON.parse(l));
}

describe('bad input', () => {
  it('reads the synthetic savepoint cleanly (baseline for the mutations below)', async () => {
    for (const compressed of [false, true]) {
      const b = buildSavepoint({ compressed });
      const lines = await dumpAll(b.dir);
      assert.equal(errorLines(lines).length, 0);
      const values = lines.filter((l) => l.includes('"state":"count"') && l.startsWith('{"type":"entry"'));
      assert.deepEqual(values.sort(), [...b.valueLines].sort());
      assert.ok(lines.some((l) => l.includes('"key":"r1","value":1')));
    }
  });

  it('truncated _metadata: error names the file, the offset and what was expected', async () => {
    const b = buildSavepoint();
    const full = fs.readFileSync(b.metadata);
    for (const cut of [0, 3, 7, 20, 60, full.length - 6, full.length - 1]) {
      fs.writeFileSync(b.metadata, full.subarray(0, cut));
      await assert.rejects(openSavepoint(b.dir), (e: unknown) => {
        assert.ok(isFormatError(e, b.metadata), String(e));
        assert.ok(e.offset <= cut, `offset ${e.offset} within ${cut}`);
        assert.match(e.message, /: expected \S/);
        return true;
      });
    }
  });

  it('wrong magic and unknown versions are rejected at offsets 0 and 4', () => {
    const good = fs.readFileSync(buildSavepoint().metadata);
    const bad = Uint8Array.from(good);
    bad[0] ^= 0x01;
    assert.throws(() => parseMetadata(bad, '/x/_metadata'), (e: unknown) => isFormatError(e) && e.offset === 0 && /magic/.test(e.message));
    const v = Uint8Array.from(good);
    v[7] = 9;
    assert.throws(() => parseMetadata(v, '/x/_metadata'), (e: unknown) => isFormatError(e) && e.offset === 4 && /version between 2 and 7/.test(e.message));
  });

  it('an oversized operator count is rejected before allocating', () => {
    const good = fs.readFileSync(buildSavepoint().metadata);
    const bad = Uint8Array.from(good);
    // header: magic(4) version(4) checkpoint id(8) master count(4) operator count(4)
    new DataView(bad.buffer).setInt32(20, 0x7fffffff);
    assert.throws(() => parseMetadata(bad, '/x/_metadata'), (e: unknown) => isFormatError(e) && e.offset === 20 && /operator count between 0 and/.test(e.message));
  });

  it('an oversized key length in a key group gives an error line naming the state file', async () => {
    const b = buildSavepoint({ keys: 3 });
    const bytes = Uint8Array.from(fs.readFileSync(b.keyedFile));
    const sp = await openSavepoint(b.dir);
    const h = sp.metadata.operators.find((o) => o.id === b.keyedOpId)!.subtasks[0].managedKeyed!;
    const off = (h as { offsets: number[] }).offsets.find((o) => o > 0)!;
    // section: u16 state id, then i32 key length
    new DataView(bytes.buffer).setInt32(off + 2, 0x7ffffff0);
    fs.writeFileSync(b.keyedFile, bytes);
    const errs = errorLines(await dumpAll(b.dir));
    assert.equal(errs.length, 1);
    assert.ok(errs[0].message.startsWith(`${b.keyedFile} at offset ${off + 6}: expected a composite key`), errs[0].message);
  });

  it('a flipped bit in a keyed header is reported, not thrown', async () => {
    const b = buildSavepoint({ keys: 3 });
    const bytes = Uint8Array.from(fs.readFileSync(b.keyedFile));
    bytes[3] ^= 0x04; // proxy version 6 -> 2
    fs.writeFileSync(b.keyedFile, bytes);
    const errs = errorLines(await dumpAll(b.dir));
    assert.equal(errs.length, 1);
    assert.equal(errs[0].message, `${b.keyedFile} at offset 0: expected keyed backend proxy version 6, found 2`);
  });

  it('a missing state file is reported with its path', async () => {
    const b = buildSavepoint({ keys: 3 });
    fs.unlinkSync(b.operatorFile);
    const errs = errorLines(await dumpAll(b.dir));
    assert.equal(errs.length, 1);
    assert.match(errs[0].message, new RegExp(`^${b.operatorFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} at offset 0: expected a readable state file, found ENOENT`));
  });

  for (const rel of ['../escape', '../../etc/passwd', '/etc/passwd', 'a/../../b', 'file:/etc/passwd', 'sub/../..', '']) {
    it(`rejects a relative handle path ${JSON.stringify(rel)}`, async () => {
      const b = buildSavepoint({ keys: 2, relativeKeyedPath: rel });
      await assert.rejects(openSavepoint(b.dir), (e: unknown) => {
        assert.ok(isFormatError(e, b.metadata), String(e));
        assert.match(e.message, /expected a relative path inside the savepoint directory/);
        return true;
      });
    });
  }

  it('accepts a relative handle path in a subfolder', async () => {
    const b = buildSavepoint({ keys: 2, relativeKeyedPath: 'sub/state' });
    fs.mkdirSync(path.join(b.dir, 'sub'));
    fs.renameSync(b.keyedFile, path.join(b.dir, 'sub', 'state'));
    const lines = await dumpAll(b.dir);
    assert.equal(errorLines(lines).length, 0);
    assert.equal(lines.filter((l) => l.includes('"state":"count"')).length, 2);
  });

  it('reads V5 (name/uid) and V7 (reference checkpoint id marker) metadata', async () => {
    for (const version of [5, 6, 7]) {
      const b = buildSavepoint({ keys: 2, version });
      const sp = await openSavepoint(b.metadata);
      assert.equal(sp.version, version);
      assert.deepEqual(sp.operators.map((o) => o.uid).sort(), ['keyed', 'lister']);
      assert.equal(errorLines(await dumpAll(b.dir)).length, 0);
    }
  });
});

describe('snappy', () => {
  it('round-trips literals and copies, including overlapping copies', () => {
    const text = new TextEncoder().encode('abcabcabcabcabcabc-hello hello hello hello-' + 'x'.repeat(300));
    const framed = snappyFramed(text);
    assert.deepEqual(snappyFramedDecode(framed, 'f', 0), text);
    const block = snappyCompress(text);
    assert.ok(block.length < text.length, 'the test compressor produced copies');
    assert.deepEqual(snappyDecompressBlock(block, 'f', 0), text);
  });

  it('decodes copy-1 and copy-4 tags and multi-byte literal lengths', () => {
    // len 10: literal "ab" then copy-1 (len 8, offset 2)
    assert.deepEqual(Array.from(snappyDecompressBlock(Uint8Array.from([10, 1 << 2, 0x61, 0x62, ((8 - 4) << 2) | 1, 2]), 'f', 0)), Array.from(new TextEncoder().encode('ababababab')));
    // copy-4: len 4 offset 1 after literal "z"
    assert.deepEqual(Array.from(snappyDecompressBlock(Uint8Array.from([5, 0, 0x7a, (3 << 2) | 3, 1, 0, 0, 0]), 'f', 0)), [0x7a, 0x7a, 0x7a, 0x7a, 0x7a]);
    // literal with 1 extra length byte (tag 60): 61 bytes
    const lit = new Uint8Array(61).fill(7);
    assert.deepEqual(snappyDecompressBlock(Uint8Array.from([61, 60 << 2, 60, ...lit]), 'f', 0), lit);
  });

  it('rejects declared lengths above 64 KiB, bad offsets and overruns without allocating', () => {
    assert.throws(() => snappyDecompressBlock(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f]), 'f.snappy', 100), (e: unknown) => isFormatError(e, 'f.snappy') && e.offset === 100 && /at most 65536 bytes/.test(e.message));
    assert.throws(() => snappyDecompressBlock(Uint8Array.from([4, (3 << 2) | 2, 5, 0]), 'f', 0), /copy offset between 1 and 0/);
    assert.throws(() => snappyDecompressBlock(Uint8Array.from([2, 3 << 2, 1, 2, 3, 4]), 'f', 0), /at most 2 uncompressed bytes/);
    assert.throws(() => snappyDecompressBlock(Uint8Array.from([5, 0, 1]), 'f', 0), /5 uncompressed bytes, found 1/);
    assert.throws(() => snappyFramedDecode(Uint8Array.from([0x00, 0xff, 0xff, 0x00]), 'f', 10), (e: unknown) => isFormatError(e) && e.offset === 10 && /Snappy frame of 65535 bytes/.test(e.message));
    assert.throws(() => snappyFramedDecode(Uint8Array.from([0x05, 0x00, 0x00, 0x00]), 'f', 0), /known Snappy frame type/);
  });
});

// ---------------------------------------------------------------------------------------------
// fuzz

const prng = xorshift32;

describe('fuzz', function () {
  this.timeout(120000);
  it('survives 10,000 seeded mutations of metadata and state files with SavepointFormatErrors only', async () => {
    const seeds: Seed[] = [];
    for (const compressed of [false, true]) seeds.push(copySeed(buildSavepoint({ compressed, keys: 12 }).dir));
    seeds.push(copySeed(buildSavepoint({ version: 5, keys: 4 }).dir));
    // the smallest corpus savepoints (both Flink lines), a handful of them
    const small = corpusCases()
      .map((c) => {
        const files = fs.readdirSync(c.savepoint).map((f) => path.join(c.savepoint, f)).filter((p) => fs.statSync(p).isFile());
        return { c, files: files.length, total: files.reduce((s, p) => s + fs.statSync(p).size, 0) };
      })
      .filter((x) => x.total <= 24 * 1024 && x.files <= 8)
      .sort((a, b) => a.total - b.total)
      .slice(0, 6);
    for (const x of small) seeds.push(copySeed(x.c.savepoint));
    const stats = await fuzz(seeds, 10000, 0x5eed1234);
    assert.ok(stats.formatErrors > 0 && stats.errorLines > 0, 'the mutations reached both the metadata and the state files');
  });

  it('survives 5,000 seeded mutations of the Scala, SQL (RowData, the table runtime\'s data serializers, Java-serialized types) and FileSource cases', async () => {
    const seeds: Seed[] = [];
    for (const name of ['flink-1.20.3/types-scala', 'flink-1.20.3/sql-groupby', 'flink-1.20.3/sql-distinct', 'flink-1.20.3/file-source']) {
      const c = corpusCases().find((x) => x.name === name);
      assert.ok(c, `corpus case ${name}`);
      seeds.push(copySeed(c.savepoint));
    }
    // besides the dump, the decoded source splits and enumerator state (fsp inspect's)
    const splits = async (dir: string) => {
      const sp = await openSavepoint(dir);
      for (const op of sp.operators) await sourceSplitLines(sp, op.id);
    };
    const stats = await fuzz(seeds, 5000, 0x5ca1a5e1, splits);
    assert.ok(stats.formatErrors + stats.errorLines > 0, 'some mutations were detected as bad bytes');
  });
});

/**
 * Mutates one file of a seed at a time (restoring it after) and dumps the seed: only typed errors
 * (a SavepointFormatError thrown, or error lines naming an offset and an expectation) may come out,
 * and memory stays bounded. A hang would end the test at its mocha timeout.
 */
async function fuzz(seeds: Seed[], N: number, seed: number, also?: (dir: string) => Promise<void>) {
  const rnd = prng(seed);
  const stats = { formatErrors: 0, errorLines: 0, clean: 0, slowest: 0 };
  const t0 = Date.now();
  for (let i = 0; i < N; i++) {
    const sd = seeds[i % seeds.length];
    const pick = rnd() % 2 === 0 ? 0 : rnd() % sd.files.length;
    const f = sd.files[pick];
    fs.writeFileSync(f.path, mutate(f.bytes, rnd));
    const s = Date.now();
    try {
      const lines = await dumpAll(sd.dir, i % 16 === 0);
      if (also) await also(sd.dir);
      const errs = errorLines(lines);
      if (errs.length) {
        stats.errorLines++;
        for (const e of errs) assert.match(e.message, / at offset \d+: expected /, `iteration ${i}: ${e.message}`);
      } else stats.clean++;
    } catch (e) {
      if (!isFormatError(e)) {
        throw new Error(`iteration ${i} (seed ${sd.dir}, file ${path.basename(f.path)}): ${e instanceof Error ? e.stack : String(e)}`);
      }
      stats.formatErrors++;
    } finally {
      fs.writeFileSync(f.path, f.bytes);
    }
    stats.slowest = Math.max(stats.slowest, Date.now() - s);
  }
  const elapsed = Date.now() - t0;
  const rss = process.memoryUsage().rss;
  // eslint-disable-next-line no-console
  console.log(`      fuzz: ${N} mutations over ${seeds.length} seeds in ${elapsed} ms; ${stats.formatErrors} SavepointFormatErrors, ${stats.errorLines} dumps with error lines, ${stats.clean} clean; slowest ${stats.slowest} ms; rss ${Math.round(rss / 1048576)} MiB`);
  assert.equal(stats.formatErrors + stats.errorLines + stats.clean, N);
  assert.ok(rss < 1.5 * 1024 * 1024 * 1024, `rss ${rss}`);
  return stats;
}

after(() => cleanupTemp());
