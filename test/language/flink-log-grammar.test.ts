import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

interface Rule { name?: string; match?: string; patterns?: Rule[]; include?: string; captures?: Record<string, { name: string }> }
const grammar = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'syntaxes', 'flink-log.tmLanguage.json'), 'utf8')) as {
  scopeName: string; patterns: Rule[]; repository: Record<string, Rule>;
};

/** all match rules in the order a TextMate engine would try them (first match wins at a position) */
function rules(): Rule[] {
  const out: Rule[] = [];
  const add = (r: Rule): void => {
    if (r.include) add(grammar.repository[r.include.slice(1)]);
    else if (r.patterns) r.patterns.forEach(add);
    else out.push(r);
  };
  grammar.patterns.forEach(add);
  return out;
}

/** scopes found on a line: a small left-to-right tokenizer using JS regexes (the grammar sticks to the common subset) */
function scopes(line: string): { text: string; scope: string }[] {
  const rs = rules().map((r) => ({ r, re: new RegExp(r.match!, 'g') }));
  const found: { text: string; scope: string }[] = [];
  let pos = 0;
  while (pos < line.length) {
    let best: { index: number; m: RegExpExecArray; r: Rule } | undefined;
    for (const { r, re } of rs) {
      re.lastIndex = pos;
      const m = re.exec(line);
      if (m && m[0].length && (!best || m.index < best.index)) best = { index: m.index, m, r };
    }
    if (!best) break;
    if (best.r.name) found.push({ text: best.m[0], scope: best.r.name });
    for (const [k, c] of Object.entries(best.r.captures ?? {})) if (best.m[+k]) found.push({ text: best.m[+k], scope: c.name });
    pos = best.index + best.m[0].length;
  }
  return found;
}

describe('flink-log TextMate grammar', () => {
  it('is valid JSON with a scope name and compilable patterns', () => {
    assert.strictEqual(grammar.scopeName, 'text.log.flink');
    const all = rules();
    assert.ok(all.length >= 10);
    for (const r of all) assert.doesNotThrow(() => new RegExp(r.match!), r.match);
  });

  it('highlights the restore error and its operator ID', () => {
    const line = 'java.lang.IllegalStateException: Failed to rollback to checkpoint/savepoint file:/tmp/sp/savepoint-1a2b3c. Cannot map checkpoint/savepoint state for operator 6cdc5bb954874d922eaee11a8e7ca5be to the new program, because the operator is not available in the new program.';
    const s = scopes(line);
    assert.ok(s.some((x) => x.scope === 'constant.numeric.operator-id.flink-log' && x.text === '6cdc5bb954874d922eaee11a8e7ca5be'), JSON.stringify(s));
    assert.ok(s.some((x) => x.scope.startsWith('invalid.illegal.restore-error.rollback')));
    assert.ok(s.some((x) => x.scope === 'message.error.restore.flink-log'));
    assert.ok(s.some((x) => x.scope === 'entity.name.type.exception.flink-log' && x.text === 'java.lang.IllegalStateException'));
  });

  it('marks timestamps, levels, bare operator IDs and stack frames', () => {
    const s = scopes('2024-05-01 12:00:01,123 ERROR org.apache.flink.runtime.taskmanager.Task - Operator a1b2c3d4e5f60718293a4b5c6d7e8f90 failed');
    assert.deepStrictEqual(s.map((x) => x.scope).slice(0, 2), ['constant.other.timestamp.flink-log', 'invalid.illegal.level.error.flink-log']);
    assert.ok(s.some((x) => x.text === 'a1b2c3d4e5f60718293a4b5c6d7e8f90'));
    // a 32-hex run inside a longer hex string is not an operator ID
    assert.ok(!scopes('deadbeef' + 'a'.repeat(32)).some((x) => x.scope.includes('operator-id')));
    assert.deepStrictEqual(scopes('\tat org.apache.flink.runtime.checkpoint.Checkpoints.loadAndValidateCheckpoint(Checkpoints.java:185) ~[flink-dist-1.20.0.jar:1.20.0]').map((x) => x.scope),
      ['comment.line.stack-frame.flink-log']);
  });
});
