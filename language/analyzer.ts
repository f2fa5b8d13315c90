/**
 * Language-independent DataStream analysis over a FileModel.
 * A call is a Flink operator only when its receiver traces back to a StreamExecutionEnvironment,
 * a DataStream-family declaration or another operator — never by method name alone.
 */
import type { Node } from 'web-tree-sitter';
import { baseTypeName, CallInfo } from './adapters';
import { CHECKPOINT_INTERFACES, Decl, FileModel, FuncRec, norm } from './model';
import {
  AnalyzeOptions, FileAnalysis, Finding, OperatorKind, OperatorSite, PipelineSummary, Position, Range, RULE_DEFAULTS,
  RuleId, RuleSetting, Severity, TextEdit, UidInfo, UidSite,
} from './types';

export type SKind =
  | 'envClass' | 'env' | 'stream' | 'keyed' | 'windowed' | 'allWindowed' | 'connected' | 'bconnected' | 'bstream'
  | 'joinB' | 'intervalB' | 'cepClass' | 'pattern' | 'asyncClass' | 'sink';
interface KV { kind: SKind; root: string; rootNode?: Node }

export interface ClassResolver { statefulClass(name: string, seen?: Set<string>): { reason: string } | undefined }

const TYPE_KINDS: Record<string, SKind> = {
  StreamExecutionEnvironment: 'env', LocalStreamEnvironment: 'env', RemoteStreamEnvironment: 'env',
  DataStream: 'stream', DataStreamSource: 'stream', SingleOutputStreamOperator: 'stream', SideOutputDataStream: 'stream',
  KeyedStream: 'keyed', WindowedStream: 'windowed', AllWindowedStream: 'allWindowed', ConnectedStreams: 'connected',
  BroadcastConnectedStream: 'bconnected', BroadcastStream: 'bstream', DataStreamSink: 'sink', PatternStream: 'pattern',
  JoinedStreams: 'joinB', CoGroupedStreams: 'joinB', IntervalJoin: 'intervalB', IntervalJoined: 'intervalB',
};
const ENV_FACTORIES = new Set(['getExecutionEnvironment', 'createLocalEnvironment', 'createLocalEnvironmentWithWebUI', 'createRemoteEnvironment']);
const SOURCES = new Set(['fromSource', 'addSource', 'fromElements', 'fromCollection', 'fromSequence', 'fromData', 'generateSequence',
  'socketTextStream', 'readTextFile', 'readFile', 'createInput', 'fromParallelCollection']);
const ENV_SELF = new Set(['setParallelism', 'setMaxParallelism', 'enableCheckpointing', 'setRuntimeMode', 'setStateBackend',
  'setBufferTimeout', 'disableOperatorChaining', 'setRestartStrategy', 'configure', 'setDefaultSavepointDirectory']);
/** calls that configure the operator they are applied to and return it */
const MODIFIERS = new Set(['uid', 'setUidHash', 'name', 'setParallelism', 'setMaxParallelism', 'disableChaining', 'startNewChain',
  'slotSharingGroup', 'returns', 'setDescription', 'setBufferTimeout', 'forceNonParallel', 'setResources']);
const PASSTHROUGH = new Set(['union', 'rebalance', 'rescale', 'shuffle', 'forward', 'global', 'partitionCustom', 'getSideOutput', 'setConnectionType']);
const SINKS = new Set(['print', 'printToErr', 'addSink', 'sinkTo', 'writeAsText', 'writeAsCsv', 'writeToSocket', 'writeUsingOutputFormat']);
const KEYED_AGG = new Set(['process', 'reduce', 'aggregate', 'sum', 'min', 'max', 'minBy', 'maxBy', 'fold']);
const WINDOW_FN = new Set(['reduce', 'aggregate', 'apply', 'process', 'sum', 'min', 'max', 'minBy', 'maxBy', 'fold']);
const WINDOW_SELF = new Set(['trigger', 'evictor', 'allowedLateness', 'sideOutputLateData']);
const SIMPLE_OPS: Record<string, OperatorKind> = { map: 'map', flatMap: 'flatMap', filter: 'filter', process: 'process', project: 'other', transform: 'other' };
/** sink/source functions from Flink connectors that checkpoint */
const KNOWN_STATEFUL_CLASSES: Record<string, string> = {
  FlinkKafkaProducer: 'FlinkKafkaProducer checkpoints transactions', FlinkKafkaProducer011: 'FlinkKafkaProducer checkpoints transactions',
  FlinkKafkaConsumer: 'Kafka consumer offsets', StreamingFileSink: 'StreamingFileSink keeps bucket state',
  TwoPhaseCommitSinkFunction: 'two-phase commit sink keeps transaction state', ElasticsearchSink: 'Elasticsearch sink flushes on checkpoint',
  FlinkKinesisProducer: 'Kinesis producer checkpoints', FlinkKinesisConsumer: 'Kinesis consumer offsets',
  GenericWriteAheadSink: 'write-ahead sink state', BucketingSink: 'bucketing sink state',
};

interface OpRec {
  call: CallInfo;
  kind: OperatorKind;
  stateful?: string;
  root: string;
  rootNode?: Node;
  functionClass?: string;
  watermarkPy?: boolean;
}

export function kebab(s: string): string {
  return s
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase();
}

export function toRange(n: Node): Range {
  return { start: pos(n.startPosition), end: pos(n.endPosition) };
}
function pos(p: { row: number; column: number }): Position {
  return { line: p.row, character: p.column };
}

export class Analyzer {
  private kindMemo = new Map<number, KV | null>();
  private busy = new Set<number>();
  private ops = new Map<number, OpRec>();
  private classMemo = new Map<string, { reason: string } | null>();

  constructor(private m: FileModel, private ws?: ClassResolver) {}

  // ------------------------------------------------------------ stream kinds
  kindOf(n: Node | null | undefined): KV | null {
    if (!n) return null;
    n = this.m.a.unwrap(n);
    const memo = this.kindMemo.get(n.id);
    if (memo !== undefined) return memo;
    if (this.busy.has(n.id)) return null;
    this.busy.add(n.id);
    let r: KV | null = null;
    try {
      r = this.computeKind(n);
    } finally {
      this.busy.delete(n.id);
    }
    this.kindMemo.set(n.id, r);
    return r;
  }

  private computeKind(n: Node): KV | null {
    const m = this.m;
    const call = m.callByNode.get(n.id);
    if (call) return this.evalCall(call);
    if (n.type === 'this_expression') {
      // Kotlin extension function on a stream type: fun DataStream<E>.dedup() = this.keyBy { … }
      let best: FuncRec | undefined;
      for (const fs of m.funcs.values()) for (const f of fs) {
        if (f.receiverType && f.node.startIndex <= n.startIndex && n.endIndex <= f.node.endIndex && (!best || f.node.startIndex > best.node.startIndex)) best = f;
      }
      const tk = best ? this.typeKind(best.receiverType) : undefined;
      return tk && best ? { kind: tk, root: 'recv:' + best.node.startIndex, rootNode: best.node } : null;
    }
    const id = m.a.ident(n);
    if (id) {
      const d = m.lookup(id, n.startIndex);
      if (d) return this.declKind(d);
      if (id === 'StreamExecutionEnvironment') return { kind: 'envClass', root: '' };
      if (id === 'CEP') return { kind: 'cepClass', root: '' };
      if (id === 'AsyncDataStream') return { kind: 'asyncClass', root: '' };
      return null;
    }
    // qualified static receivers: org.apache.flink...StreamExecutionEnvironment
    if (/^[A-Za-z_][\w.]*$/.test(n.text)) {
      const b = baseTypeName(n.text);
      if (b === 'StreamExecutionEnvironment') return { kind: 'envClass', root: '' };
      if (b === 'CEP') return { kind: 'cepClass', root: '' };
      if (b === 'AsyncDataStream') return { kind: 'asyncClass', root: '' };
    }
    return null;
  }

  private typeKind(type: string | undefined): SKind | undefined {
    if (!type) return undefined;
    return TYPE_KINDS[baseTypeName(type)];
  }

  private declKind(d: Decl): KV | null {
    if (d.kind === 'param') {
      const viaCalls = this.paramFromCallSites(d);
      if (viaCalls) return viaCalls;
      const tk = this.typeKind(d.type);
      if (tk) return { kind: tk, root: 'decl:' + d.node.startIndex, rootNode: d.node };
      if (!d.type && (d.name === 'env' || d.name === 'senv' || d.name === 'stream_env' || d.name === 's_env')) {
        return { kind: 'env', root: 'decl:' + d.node.startIndex, rootNode: d.node };
      }
      return null;
    }
    if (d.value) {
      const v = this.kindOf(d.value);
      if (v) return v;
    }
    const tk = this.typeKind(d.type);
    if (tk) return { kind: tk, root: 'decl:' + d.node.startIndex, rootNode: d.node };
    return null;
  }

  private paramFromCallSites(d: Decl): KV | null {
    const f = d.func;
    if (!f || d.paramIndex === undefined) return null;
    const sites = this.m.callsByName.get(norm(f.name)) ?? [];
    const selfParam = f.params[0]?.name === 'self' || f.params[0]?.name === 'cls';
    for (const c of sites) {
      if (c.name !== f.name) continue;
      let idx = d.paramIndex;
      if (selfParam) {
        if (!c.recv) continue;
        idx -= 1;
      } else if (c.recv && !/^(this|self)$/.test(c.recv.text)) continue;
      const k = this.kindOf(c.args[idx]);
      if (k) return k;
    }
    return null;
  }

  private funcKind(f: FuncRec): KV | null {
    for (const r of f.returns) {
      const k = this.kindOf(r);
      if (k) return k;
    }
    const tk = this.typeKind(f.returnType);
    if (tk) return { kind: tk, root: 'fn:' + f.node.startIndex, rootNode: f.node };
    return null;
  }

  /** stream kind of a call's result; records operators on the way */
  evalCall(c: CallInfo): KV | null {
    const name = norm(c.name);
    if (!c.recv) {
      const fs = this.m.funcs.get(c.name);
      if (fs) for (const f of fs) {
        const k = this.funcKind(f);
        if (k) return k;
      }
      return null;
    }
    if (/^(this|self)$/.test(c.recv.text)) {
      const fs = this.m.funcs.get(c.name);
      if (fs) for (const f of fs) {
        const k = this.funcKind(f);
        if (k) return k;
      }
    }
    const r = this.kindOf(c.recv);
    if (!r) return null;
    const same = (): KV => r;
    const op = (kind: OperatorKind, result: SKind, stateful?: string, root = r): KV => {
      this.addOp(c, kind, stateful, root);
      return { kind: result, root: root.root, rootNode: root.rootNode };
    };
    const to = (k: SKind): KV => ({ kind: k, root: r.root, rootNode: r.rootNode });
    switch (r.kind) {
      case 'envClass':
        if (ENV_FACTORIES.has(name)) return { kind: 'env', root: 'env:' + c.node.startIndex, rootNode: c.node };
        return null;
      case 'env':
        if (SOURCES.has(name)) return op('source', 'stream', 'source (keeps reader/split or offset state)');
        if (ENV_SELF.has(name)) return same();
        return null;
      case 'cepClass':
        if (name === 'pattern') {
          const s = this.kindOf(c.args[0]);
          return s ? { kind: 'pattern', root: s.root, rootNode: s.rootNode } : null;
        }
        return null;
      case 'pattern':
        if (name === 'select' || name === 'process' || name === 'flatSelect') return op('cep', 'stream', 'CEP pattern (NFA state)');
        if (name === 'inProcessingTime' || name === 'inEventTime' || name === 'sideOutputLateData') return same();
        return null;
      case 'asyncClass':
        if (/^(un)?orderedWait(WithRetry)?$/.test(name)) {
          const s = this.kindOf(c.args[0]);
          if (!s) return null;
          return op('async', 'stream', 'async I/O (in-flight elements)', s);
        }
        return null;
      case 'sink':
        return MODIFIERS.has(name) ? same() : null;
      case 'windowed':
      case 'allWindowed':
        if (WINDOW_FN.has(name)) return op('window', 'stream', 'window state');
        if (WINDOW_SELF.has(name)) return same();
        return null;
      case 'joinB':
        if (name === 'where' || name === 'equalTo' || name === 'window' || WINDOW_SELF.has(name)) return same();
        if (name === 'apply' || name === 'with') return op('join', 'stream', 'window join state');
        return null;
      case 'intervalB':
        if (name === 'between' || name === 'lowerBoundExclusive' || name === 'upperBoundExclusive') return same();
        if (name === 'process') return op('intervalJoin', 'stream', 'interval join buffers');
        return null;
      case 'connected':
        if (name === 'keyBy') return same();
        if (name === 'process' || name === 'map' || name === 'flatMap' || name === 'transform') return op('coProcess', 'stream');
        return null;
      case 'bconnected':
        if (name === 'process') return op('broadcastProcess', 'stream', 'broadcast state');
        return null;
      case 'bstream':
        return null;
      case 'keyed':
      case 'stream':
        if (r.kind === 'keyed') {
          if (KEYED_AGG.has(name)) return op(name === 'process' ? 'process' : 'keyed', 'stream', `keyed state (${c.name})`);
          if (name === 'window' || name === 'timeWindow' || name === 'countWindow') return to('windowed');
          if (name === 'intervalJoin') return to('intervalB');
        }
        if (MODIFIERS.has(name)) return same();
        if (SIMPLE_OPS[name]) return op(SIMPLE_OPS[name], 'stream');
        if (name === 'keyBy') return to('keyed');
        if (name === 'assignTimestampsAndWatermarks') return op('watermarks', 'stream');
        if (SINKS.has(name)) return op('sink', 'sink', name === 'sinkTo' ? 'Sink V2 connector (writer/committer state)' : undefined);
        if (PASSTHROUGH.has(name)) return to('stream');
        if (name === 'broadcast') return to(c.args.length ? 'bstream' : 'stream');
        if (name === 'connect') {
          const other = this.kindOf(c.args[0]);
          return to(other?.kind === 'bstream' ? 'bconnected' : 'connected');
        }
        if (name === 'join' || name === 'coGroup') return to('joinB');
        if (name === 'windowAll' || name === 'countWindowAll' || name === 'timeWindowAll') return to('allWindowed');
        return null;
    }
    return null;
  }

  private addOp(c: CallInfo, kind: OperatorKind, stateful: string | undefined, root: KV): void {
    if (this.ops.has(c.node.id)) return;
    const rec: OpRec = { call: c, kind, stateful, root: root.root, rootNode: root.rootNode };
    // the user function decides for stateless operator kinds
    const fnArgs = kind === 'async' ? c.args.slice(1) : c.args;
    for (const a of fnArgs) {
      const f = this.functionInfo(a, 0);
      if (f.cls && !rec.functionClass) rec.functionClass = f.cls;
      if (!rec.stateful && f.stateful) rec.stateful = f.stateful;
    }
    if (kind === 'watermarks' && this.m.lang === 'python') rec.watermarkPy = true;
    this.ops.set(c.node.id, rec);
  }

  /** class and statefulness of a user-function argument */
  private functionInfo(arg: Node, depth: number): { cls?: string; stateful?: string } {
    if (depth > 4) return {};
    const m = this.m;
    const n = m.a.unwrap(arg);
    const ni = m.a.newInstance(n);
    if (ni) {
      if (ni.anon) {
        const cr = m.anonClasses.get(n.id) ?? [...m.anonClasses.values()].find((c) => c.body && c.body.startIndex >= n.startIndex && c.body.endIndex <= n.endIndex);
        const st = cr ? this.classStatefulRec(cr.supers, cr.body) : undefined;
        return { cls: undefined, stateful: st?.reason };
      }
      return { cls: ni.cls, stateful: this.classStateful(ni.cls)?.reason };
    }
    const id = m.a.ident(n);
    if (id) {
      const d = m.lookup(id, n.startIndex);
      if (d?.value) {
        const r = this.functionInfo(d.value, depth + 1);
        if (r.cls || r.stateful) return r;
      }
      if (d?.type) {
        const t = baseTypeName(d.type);
        return { cls: t, stateful: this.classStateful(t)?.reason };
      }
      return {};
    }
    const call = m.callByNode.get(n.id);
    if (call && !call.recv) {
      for (const f of m.funcs.get(call.name) ?? []) {
        for (const r of f.returns) {
          const fi = this.functionInfo(r, depth + 1);
          if (fi.cls || fi.stateful) return fi;
        }
      }
    }
    return {};
  }

  private classStatefulRec(supers: string[], body: Node | null, seen = new Set<string>()): { reason: string } | undefined {
    if (this.m.hasStateCall(body)) return { reason: 'function uses managed state' };
    for (const s of supers) {
      if (CHECKPOINT_INTERFACES.has(s)) return { reason: `implements ${s}` };
      const r = this.classStateful(s, seen);
      if (r) return r;
    }
    return undefined;
  }

  classStateful(name: string, seen = new Set<string>()): { reason: string } | undefined {
    if (!name || seen.has(name)) return undefined;
    seen.add(name);
    const memo = this.classMemo.get(name);
    if (memo !== undefined) return memo ?? undefined;
    let r: { reason: string } | undefined;
    const local = this.m.classes.get(name);
    if (local) {
      const x = this.classStatefulRec(local.supers, local.body, seen);
      if (x) r = { reason: `${name}: ${x.reason}` };
    } else if (this.ws) {
      r = this.ws.statefulClass(name);
    }
    if (!r && KNOWN_STATEFUL_CLASSES[name]) r = { reason: KNOWN_STATEFUL_CLASSES[name] };
    this.classMemo.set(name, r ?? null);
    return r;
  }

  // ------------------------------------------------------------ constants
  constValue(n: Node | null | undefined, depth = 0): { value?: string; constant: boolean } {
    if (!n || depth > 8) return { constant: false };
    const m = this.m;
    n = m.a.unwrap(n);
    const parts = m.a.strParts(n);
    if (parts) {
      let v = '';
      let constant = true;
      for (const p of parts) {
        if ('text' in p) v += p.text;
        else {
          const r = this.constValue(p.expr, depth + 1);
          if (!r.constant || r.value === undefined) { constant = false; v += '${' + p.expr.text + '}'; } else v += r.value;
        }
      }
      return { value: v, constant };
    }
    const plus = m.a.plus(n);
    if (plus) {
      const l = this.constValue(plus[0], depth + 1), r = this.constValue(plus[1], depth + 1);
      return { value: (l.value ?? '') + (r.value ?? ''), constant: l.constant && r.constant };
    }
    if (n.type === 'integer' || n.type === 'decimal_integer_literal' || n.type === 'integer_literal') return { value: n.text, constant: true };
    const id = m.a.ident(n);
    if (id) {
      const d = m.lookup(id, n.startIndex);
      const inLoop = d && (/for/.test(d.node.parent?.type ?? '') || /for/.test(d.node.parent?.parent?.type ?? ''));
      if (d && d.kind !== 'param' && d.value && !inLoop) {
        const r = this.constValue(d.value, depth + 1);
        // a reassigned variable is not a constant
        const assigns = (m.decls.get(id) ?? []).filter((x) => x.kind === 'assign' && x.scopeStart === d.scopeStart);
        if (r.constant && assigns.length > (d.kind === 'assign' ? 1 : 0)) return { value: r.value, constant: false };
        return r;
      }
    }
    return { constant: false };
  }

  // ------------------------------------------------------------ driver
  run(opts: AnalyzeOptions = {}): FileAnalysis {
    const m = this.m;
    for (const c of m.calls) {
      if (c.recv || m.funcs.has(c.name)) this.kindOf(c.node);
    }
    const rules: Record<RuleId, RuleSetting> = { ...RULE_DEFAULTS, ...(opts.rules ?? {}) };
    const recs = [...this.ops.values()].sort((a, b) => a.call.nameNode.startIndex - b.call.nameNode.startIndex);
    const operators: OperatorSite[] = [];
    const pipeIdx = new Map<string, number>();
    const pipeRoot: (Node | undefined)[] = [];
    const usedUids = new Set<string>();
    const pending: { op: OperatorSite; rec: OpRec; base: string }[] = [];

    for (const rec of recs) {
      const c = rec.call;
      let pi = pipeIdx.get(rec.root);
      if (pi === undefined) {
        pi = pipeIdx.size;
        pipeIdx.set(rec.root, pi);
        pipeRoot.push(rec.rootNode);
      }
      const mods = this.modifiers(c);
      const op: OperatorSite = {
        index: operators.length,
        method: c.name,
        kind: rec.kind,
        stateful: rec.stateful,
        range: toRange(c.nameNode),
        callEnd: pos(c.node.endPosition),
        uid: mods.uid,
        uidHash: mods.uidHash,
        name: mods.name,
        functionClass: rec.functionClass,
        variable: mods.variable,
        pipeline: pi,
        suggestedUid: '',
      };
      if (op.uid?.value !== undefined && op.uid.method === 'uid') usedUids.add(op.uid.value);
      operators.push(op);
      pending.push({ op, rec, base: this.suggestionBase(op, c) });
    }
    for (const p of pending) {
      let u = p.base || 'operator';
      if (p.op.uid?.value === undefined) {
        let i = 2;
        const b = u;
        while (usedUids.has(u)) u = `${b}-${i++}`;
        usedUids.add(u);
      }
      p.op.suggestedUid = u;
    }

    const findings: Finding[] = [];
    const fixAll: TextEdit[] = [];
    const sev = (r: RuleId): Severity | undefined => {
      const s = rules[r];
      return s === 'off' ? undefined : s;
    };
    const opHint = rules['operator-without-uid'] === 'off' ? undefined : sev('operator-without-uid');
    for (const { op, rec } of pending) {
      if (rec.watermarkPy) {
        const s = sev('pyflink-watermark-uid');
        if (s) findings.push({ ruleId: 'pyflink-watermark-uid', severity: s, range: op.range, operator: op.index,
          message: 'PyFlink adds hidden operators for assign_timestamps_and_watermarks that cannot take a uid; keep this step unchanged between savepoints.' });
        continue;
      }
      if (op.uid) {
        if (!op.uid.constant) {
          const s = sev('non-constant-uid');
          if (s) findings.push({ ruleId: 'non-constant-uid', severity: s, range: op.range, operator: op.index,
            message: `The uid of ${op.method} is computed (${op.uid.value ?? 'non-constant'}); use a constant string so it stays the same between deployments.` });
        }
        continue;
      }
      const fixEdit: TextEdit = { range: { start: op.callEnd, end: op.callEnd }, newText: `.uid("${op.suggestedUid}")` };
      const fix = {
        title: `Add .uid("${op.suggestedUid}")`,
        uid: op.suggestedUid,
        edit: fixEdit,
        editWithName: { range: fixEdit.range, newText: op.name ? fixEdit.newText : `.uid("${op.suggestedUid}").name("${op.suggestedUid}")` },
      };
      if (op.stateful) {
        const s = sev('stateful-operator-without-uid');
        if (s) {
          findings.push({ ruleId: 'stateful-operator-without-uid', severity: s, range: op.range, operator: op.index, fix,
            message: `Stateful operator ${op.method} has no .uid() (${op.stateful}). Without a uid its state cannot be restored after the job graph changes.` });
          fixAll.push(fixEdit);
        }
      } else if (opHint) {
        findings.push({ ruleId: 'operator-without-uid', severity: opHint, range: op.range, operator: op.index, fix,
          message: `Operator ${op.method} has no .uid().` });
        fixAll.push(fixEdit);
      }
    }
    // duplicates within one pipeline (job)
    const byJob = new Map<string, OperatorSite[]>();
    for (const op of operators) {
      if (!op.uid || op.uid.value === undefined || !op.uid.constant) continue;
      const k = op.pipeline + '\u0000' + op.uid.method + '\u0000' + op.uid.value;
      let l = byJob.get(k);
      if (!l) byJob.set(k, (l = []));
      l.push(op);
    }
    const dsev = sev('duplicate-uid');
    if (dsev) for (const l of byJob.values()) {
      if (l.length < 2) continue;
      for (const op of l) {
        const others = l.filter((o) => o !== op).map((o) => `line ${o.range.start.line + 1}`).join(', ');
        findings.push({ ruleId: 'duplicate-uid', severity: dsev, range: op.range, operator: op.index,
          message: `uid "${op.uid!.value}" is also used at ${others}; uids must be unique within a job.` });
      }
    }
    findings.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);

    const pipelines: PipelineSummary[] = pipeRoot.map((rn, i) => {
      const ops = operators.filter((o) => o.pipeline === i);
      const withUid = ops.filter((o) => o.uid).length;
      const swu = ops.filter((o) => o.stateful && !o.uid).length;
      const first = ops[0];
      const range = rn && rn.startPosition.row <= first.range.start.line ? lineRange(rn) : first.range;
      return { index: i, operators: ops.length, withUid, statefulWithoutUid: swu, range,
        label: `${ops.length} operator${ops.length === 1 ? '' : 's'}, ${withUid} with uid` + (swu ? `, ${swu} stateful without uid` : '') };
    });
    // sites: operators with a uid, or with a setUidHash (the ID Flink restores their state under)
    const uids: UidSite[] = [];
    for (const o of operators) {
      const byUid = o.uid?.value !== undefined && o.uid.method === 'uid';
      if (!byUid && o.uidHash === undefined) continue;
      const site: UidSite = { uid: byUid ? o.uid!.value! : o.uidHash!, range: o.uid!.range, operator: o.index, method: o.method, stateful: o.stateful };
      if (o.uidHash !== undefined) site.operatorId = o.uidHash;
      uids.push(site);
    }
    return { lang: m.lang, operators, pipelines, findings, fixAll, uids };
  }

  private suggestionBase(op: OperatorSite, c: CallInfo): string {
    if (op.name) return kebab(op.name);
    if (op.functionClass) return kebab(op.functionClass);
    if (op.kind === 'source' && c.name !== 'fromElements' && c.name !== 'from_collection' && c.name !== 'fromCollection') {
      for (const a of c.args) {
        const v = this.constValue(a);
        if (v.constant && v.value && /^[A-Za-z][\w .-]*$/.test(v.value)) return kebab(v.value);
      }
    }
    if (op.variable) return kebab(op.variable);
    if (op.kind === 'source') {
      const id = c.args[0] ? this.m.a.ident(this.m.a.unwrap(c.args[0])) : null;
      if (id) return kebab(id);
    }
    if (op.kind === 'sink') {
      const id = c.args[0] ? this.m.a.ident(this.m.a.unwrap(c.args[0])) : null;
      if (id) return kebab(id);
    }
    return kebab(c.name);
  }

  /** uid/name applied to the operator: chained directly, or later on the variable holding it */
  private modifiers(c: CallInfo): { uid?: UidInfo; uidHash?: string; name?: string; variable?: string } {
    const m = this.m;
    const out: { uid?: UidInfo; uidHash?: string; name?: string; variable?: string } = {};
    const take = (mc: CallInfo): void => {
      const nn = norm(mc.name);
      if (nn === 'setUidHash' && out.uidHash === undefined) {
        const v = this.constValue(mc.args[0]);
        if (v.constant && v.value !== undefined && /^[0-9a-fA-F]{32}$/.test(v.value)) out.uidHash = v.value.toLowerCase();
      }
      if (nn === 'uid' || nn === 'setUidHash') {
        if (out.uid && out.uid.method === 'uid') return;
        const a = mc.args[0];
        const v = this.constValue(a);
        out.uid = { value: v.value, constant: v.constant, method: nn, range: a ? toRange(a) : toRange(mc.nameNode), callRange: toRange(mc.nameNode) };
      } else if (nn === 'name' && !out.name) {
        const v = this.constValue(mc.args[0]);
        if (v.value) out.name = v.value;
      }
    };
    const climb = (start: Node): Node => {
      let cur = start;
      for (;;) {
        let key = cur;
        // skip wrapping parentheses
        while (key.parent && key.parent.type === 'parenthesized_expression') key = key.parent;
        const up = m.callByRecv.get(key.id);
        if (!up || !MODIFIERS.has(norm(up.name))) return key;
        take(up);
        cur = up.node;
      }
    };
    const top = climb(c.node);
    const d = m.declByValue.get(top.id);
    if (d) {
      out.variable = d.name.replace(/^self\./, '');
      // later modifier calls on the variable
      for (const mc of m.calls) {
        if (!mc.recv || !MODIFIERS.has(norm(mc.name))) continue;
        const r = m.a.unwrap(mc.recv);
        const id = m.a.ident(r);
        if (id !== d.name) continue;
        if (m.lookup(id, r.startIndex) !== d) continue;
        take(mc);
        climb(mc.node);
      }
    }
    return out;
  }
}

function lineRange(n: Node): Range {
  return { start: { line: n.startPosition.row, character: n.startPosition.column }, end: { line: n.startPosition.row, character: n.startPosition.column } };
}
