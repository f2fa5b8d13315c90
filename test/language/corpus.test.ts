import * as assert from 'assert';
import * as path from 'path';
import { analyzeSource, ensureLanguages } from '../../language/index';
import { parse } from '../../language/parser';
import type { Lang } from '../../language/types';
import { corpusFiles, expectations, scoreLanguage } from './corpus';

const GOALS: Record<Lang, number> = { java: 0.95, scala: 0.9, kotlin: 0.9, python: 0.9 };
const MIN_FILES: Record<Lang, number> = { java: 15, scala: 8, kotlin: 8, python: 8 };

describe('labelled job corpus', function () {
  this.timeout(60_000);
  before(() => ensureLanguages());

  for (const lang of Object.keys(GOALS) as Lang[]) {
    describe(lang, () => {
      it(`has at least ${MIN_FILES[lang]} labelled files`, () => {
        const files = corpusFiles(lang);
        assert.ok(files.length >= MIN_FILES[lang], `${files.length} files`);
        const labels = files.reduce((n, f) => n + expectations(f.text).size, 0);
        assert.ok(labels >= 8, `only ${labels} labels`);
      });

      it('parses every file without syntax errors', async () => {
        for (const f of corpusFiles(lang)) {
          const t = await parse(f.text, lang);
          const bad = t.rootNode.hasError;
          t.delete();
          assert.strictEqual(bad, false, `${path.basename(f.path)} has syntax errors`);
        }
      });

      it(`stateful-operator-without-uid precision and recall >= ${GOALS[lang]}`, async () => {
        const r = await scoreLanguage(lang);
        const s = r.scores['stateful-operator-without-uid'];
        const detail = r.mismatches.map((m) => `${m.kind} ${m.file}:${m.line} ${m.rule}`).join('\n');
        assert.ok(s.tp >= 8, `too few true positives (${s.tp})`);
        assert.ok(s.recall >= GOALS[lang], `recall ${s.recall}\n${detail}`);
        assert.ok(s.precision >= GOALS[lang], `precision ${s.precision}\n${detail}`);
      });

      it('duplicate-uid and non-constant-uid labels are matched', async () => {
        const r = await scoreLanguage(lang);
        for (const rule of ['duplicate-uid', 'non-constant-uid', 'pyflink-watermark-uid']) {
          const s = r.scores[rule];
          assert.strictEqual(s.fp + s.fn, 0, `${rule}: ${JSON.stringify(s)}`);
        }
      });

      it('finds no operators at all in non-Flink look-alikes', async () => {
        const files = corpusFiles(lang).filter((f) => /not_?flink/i.test(path.basename(f.path)));
        assert.ok(files.length >= 1, 'corpus lacks a not-Flink file');
        for (const f of files) {
          const a = await analyzeSource(f.text, lang, undefined, { rules: { 'operator-without-uid': 'hint' } });
          assert.deepStrictEqual(a.operators.map((o) => `${o.range.start.line + 1}:${o.method}`), []);
        }
      });
    });
  }

  it('Table API files only report the DataStream operators around them', async () => {
    for (const lang of ['java', 'python'] as Lang[]) {
      const f = corpusFiles(lang).find((x) => /table/i.test(path.basename(x.path)))!;
      const a = await analyzeSource(f.text, lang, undefined, { rules: { 'operator-without-uid': 'hint' } });
      const methods = a.operators.map((o) => o.method);
      for (const tableMethod of ['select', 'where', 'group_by', 'groupBy', 'execute', 'execute_insert']) {
        assert.ok(!methods.includes(tableMethod), `${lang}: ${tableMethod} reported as operator`);
      }
    }
  });
});
