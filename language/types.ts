export type Lang = 'java' | 'scala' | 'kotlin' | 'python';

/** 0-based position; character counts UTF-16 code units (like VS Code). */
export interface Position { line: number; character: number }
export interface Range { start: Position; end: Position }
export interface TextEdit { range: Range; newText: string }

export type RuleId =
  | 'stateful-operator-without-uid'
  | 'duplicate-uid'
  | 'operator-without-uid'
  | 'non-constant-uid'
  | 'pyflink-watermark-uid';
export type Severity = 'error' | 'warning' | 'information' | 'hint';
export type RuleSetting = Severity | 'off';

export const RULE_DEFAULTS: Record<RuleId, RuleSetting> = {
  'stateful-operator-without-uid': 'warning',
  'duplicate-uid': 'error',
  'operator-without-uid': 'off', // opt-in; 'hint' when enabled
  'non-constant-uid': 'information',
  'pyflink-watermark-uid': 'information',
};

export const RULE_DESCRIPTIONS: Record<RuleId, string> = {
  'stateful-operator-without-uid': 'A stateful operator has no .uid(); its state cannot be mapped back after the job graph changes.',
  'duplicate-uid': 'The same uid is used by more than one operator of a job.',
  'operator-without-uid': 'An operator has no .uid().',
  'non-constant-uid': 'A uid is computed from a non-constant expression; it may change between runs.',
  'pyflink-watermark-uid': 'PyFlink watermark assigners create hidden operators that cannot take a uid.',
};

export type OperatorKind =
  | 'source' | 'sink' | 'map' | 'flatMap' | 'filter' | 'process' | 'keyed' | 'window'
  | 'coProcess' | 'broadcastProcess' | 'join' | 'intervalJoin' | 'cep' | 'async' | 'watermarks' | 'other';

export interface UidInfo {
  /** resolved value when constant (or a best guess) */
  value?: string;
  constant: boolean;
  /** 'uid' or 'setUidHash' */
  method: 'uid' | 'setUidHash';
  range: Range;      // range of the argument expression
  callRange: Range;  // range of the uid method name
}

export interface OperatorSite {
  index: number;
  /** method name as written, e.g. process, flat_map, sinkTo */
  method: string;
  kind: OperatorKind;
  /** reason the operator keeps state, undefined when stateless */
  stateful?: string;
  /** range of the method name */
  range: Range;
  /** range of the whole call (receiver excluded) ending after the closing paren */
  callEnd: Position;
  uid?: UidInfo;
  /** a constant `.setUidHash("…")` (lowercase): the operator ID Flink restores its state under */
  uidHash?: string;
  name?: string;
  /** class of the user function if known */
  functionClass?: string;
  /** variable the operator's result is stored in, if any */
  variable?: string;
  pipeline: number;
  /** suggested uid for quick fixes (unique in the file) */
  suggestedUid: string;
}

export interface PipelineSummary {
  index: number;
  operators: number;
  withUid: number;
  statefulWithoutUid: number;
  /** where the pipeline starts (execution environment or first operator) */
  range: Range;
  label: string;
}

export interface QuickFix {
  title: string;
  uid: string;
  edit: TextEdit;
  /** same edit but also adding .name("…") */
  editWithName: TextEdit;
}

export interface Finding {
  ruleId: RuleId;
  severity: Severity;
  message: string;
  range: Range;
  operator?: number;
  fix?: QuickFix;
}

export interface FileAnalysis {
  lang: Lang;
  operators: OperatorSite[];
  pipelines: PipelineSummary[];
  findings: Finding[];
  /** edits adding .uid() to every stateful operator without one (all operators when operator-without-uid is on) */
  fixAll: TextEdit[];
  /** uid sites for cross-checking against savepoints */
  uids: UidSite[];
}

export interface UidSite {
  uid: string;
  range: Range;
  operator: number;
  method: string;
  stateful?: string;
  file?: string;
  /**
   * The operator ID given by `.setUidHash("…")` (32 lowercase hex digits). Flink restores the
   * operator's state under it rather than under the uid's hash; `uid` is then the uid if one is set
   * too, else this hash.
   */
  operatorId?: string;
}

export interface AnalyzeOptions {
  rules?: Partial<Record<RuleId, RuleSetting>>;
  /** path of the file; used to exclude the file's own entry from the workspace index */
  path?: string;
}
