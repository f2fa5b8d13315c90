/**
 * The model behind one state-entries editor (no vscode import): one state of one operator of one
 * savepoint, paged by key group, with lookup, filter, validated edits (EditModel) and Save As.
 *
 * Keyed states go through KeyedStateAccess (raw sections, decode per shown row). Operator states
 * (list / union / broadcast) are small and come from the public reader's `entries()`; they are
 * read-only here.
 */
import { entries as readerEntries, findOperator, keyGroupForHash, lookup as readerLookup, openSavepoint, parseKey, Savepoint, listStates } from '../../engine/savepoint/index';
import { compareBytes } from '../../engine/savepoint/io';
import { RawEntry } from '../../engine/savepoint/keyed';
import { typeString } from '../../engine/savepoint/serializers';
import { encoderFor } from '../../engine/savepoint/write/encode';
import { CompositeKeys } from '../../engine/savepoint/write/bootstrap';
import { timerKeyBytes, timerTimestamp } from '../../engine/savepoint/write/timers';
import type { Column, Cursor, EntriesInfo, KeyTimer, KeyTimers, LookupResult, Page, Row } from '../../webview/protocol';
import { EditModel, EntryEdit, entryId, parseEntryId } from './editModel';
import { countAll, PagerSource, readPage } from './pager';
import { KeyedPart, KeyedStateAccess, unreadableKeyedReason } from './stateAccess';
import { encodeChecked, fromHexString, parseJson, readOnlyReason, toHexString, ValueEditError, valueBytes } from './valueEdit';
import { RawEdit, saveEditedSavepoint, SaveResult } from './saveAs';

export { ValueEditError };

export interface StateRef {
  /** savepoint folder or its `_metadata` */
  savepoint: string;
  /** operator id or uid */
  operator: string;
  state: string;
}

export interface ModelOptions {
  pageSize?: number;
  /** filter scan budget */
  maxScan?: number;
  maxMs?: number;
}

/** One keyed item of a page: a stored entry and / or an edit of it. */
interface KeyedItem {
  kg: number;
  part: KeyedPart;
  key: Uint8Array;
  raw?: RawEntry;
  hex?: string;
}

interface OperatorItem {
  row: Row;
}

const VOID_NS = 'VoidNamespace';

/**
 * The models of this operator's timer states that are open in their own editors (by state name):
 * their rows carry pending timer edits, so the timers beside a key show them too.
 */
export type OpenTimerModels = (state: string) => StateModel | undefined;

export interface TimerInput {
  timestamp?: string;
  namespace?: string;
}

export abstract class StateModel {
  readonly edits = new EditModel();
  abstract readonly info: EntriesInfo;
  abstract page(cursor: Cursor, filter?: string): Promise<Page>;
  abstract lookup(keyText: string): Promise<LookupResult>;
  abstract row(id: string): Promise<Row | undefined>;
  abstract editValue(id: string, text: string): Promise<EntryEdit>;
  abstract deleteEntry(id: string): Promise<EntryEdit>;
  abstract revertEntry(id: string): Promise<EntryEdit>;
  /** `timer`: for timer states, the timestamp (epoch ms or ISO-8601) and the namespace JSON (TimeWindow) */
  abstract addEntry(keyText: string, userKeyText: string | undefined, valueText: string, timer?: TimerInput): Promise<EntryEdit>;
  abstract count(cancelled?: () => boolean, progress?: (n: number) => void): Promise<number | undefined>;
  abstract saveAs(target: string): SaveResult;
  abstract close(): Promise<void>;

  /**
   * The stored timers of one key of this (keyed, non-timer) state's operator, read by a key-group
   * lookup: undefined when this is not a keyed non-timer state, or the operator has no timer states.
   * `keyText` is the key as JSON (a row's `key`) or, for String keys, bare text.
   */
  async timersOfKey(_keyText: string, _open?: OpenTimerModels): Promise<KeyTimers | undefined> {
    return undefined;
  }

  /** timersOfKey for a row of this state. */
  async timersOfRow(id: string, open?: OpenTimerModels): Promise<KeyTimers | undefined> {
    const r = await this.row(id);
    if (!r || r.key === undefined) return undefined;
    return this.timersOfKey(r.key, open);
  }

  constructor(
    readonly ref: StateRef,
    readonly sp: Savepoint,
  ) {}

  seek(keyGroup: number): Cursor {
    if (!Number.isInteger(keyGroup) || keyGroup < 0 || keyGroup >= this.info.maxParallelism) {
      throw new ValueEditError(`a key group is an integer between 0 and ${this.info.maxParallelism - 1}`);
    }
    return { kg: keyGroup, skip: 0 };
  }

  /** Pretty JSON of a row's members for the detail view. */
  async detail(id: string): Promise<string> {
    const r = await this.row(id);
    if (!r) throw new ValueEditError('the entry is gone');
    const o: Record<string, unknown> = {};
    const put = (k: string, v: string | undefined) => {
      if (v === undefined) return;
      try {
        o[k] = JSON.parse(v);
      } catch {
        o[k] = v;
      }
    };
    if (r.keyGroup !== undefined) o.keyGroup = r.keyGroup;
    o.subtask = r.subtask;
    put('key', r.key);
    put('namespace', r.namespace);
    put('userKey', r.userKey);
    put('value', r.value);
    put('timestamp', r.timestamp);
    if (r.status !== 'clean') o.status = r.status;
    return JSON.stringify(o, null, 2);
  }

  static async open(ref: StateRef, opts: ModelOptions = {}): Promise<StateModel> {
    const sp = await openSavepoint(ref.savepoint);
    const op = findOperator(sp, ref.operator);
    if (!op) throw new Error(`no operator ${ref.operator} in ${sp.metadataPath}`);
    const states = await listStates(sp, op.id).catch(() => undefined);
    const info = states?.find((s) => s.name === ref.state);
    const isOperatorState = info ? info.backend === 'OPERATOR' || info.backend === 'BROADCAST' : op.subtasks.some((s) => s.managedOperator?.states.some((x) => x.name === ref.state));
    if (!isOperatorState) {
      const why = unreadableKeyedReason(op);
      if (why) throw new Error(`operator ${op.uid ?? op.id}: ${why}`);
      const access = await KeyedStateAccess.open(sp, op.id, ref.state);
      if (!access) throw new Error(`operator ${op.uid ?? op.id} has no state ${JSON.stringify(ref.state)}`);
      return new KeyedModel(ref, sp, access, opts);
    }
    const rows: Row[] = [];
    let i = 0;
    for await (const e of readerEntries(sp, op.id, { state: ref.state })) {
      if (e.type !== 'element') continue;
      rows.push({ id: `op/${e.subtask}/${i++}`, subtask: e.subtask, key: e.key, value: e.value, status: 'clean', readOnly: 'operator state is read-only in this version' });
    }
    return new OperatorStateModel(ref, sp, rows, info?.kind ?? 'LIST', info?.backend ?? 'OPERATOR', info?.valueType, info?.keyType, opts);
  }
}

function operatorLabel(sp: Savepoint, opId: string): string {
  const o = sp.operators.find((x) => x.id === opId);
  return o?.uid ?? o?.name ?? opId;
}

function matches(r: Row, needle: string): boolean {
  const n = needle.toLowerCase();
  for (const v of [r.key, r.userKey, r.namespace, r.value, r.timestamp]) if (v && v.toLowerCase().includes(n)) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------
// keyed state

class KeyedModel extends StateModel {
  readonly info: EntriesInfo;
  private readonly pageSize: number;
  private readonly stateReadOnly?: string;
  private readonly voidNs: boolean;

  constructor(
    ref: StateRef,
    sp: Savepoint,
    readonly access: KeyedStateAccess,
    private readonly opts: ModelOptions,
  ) {
    super(ref, sp);
    const t = access.types;
    this.pageSize = opts.pageSize ?? 200;
    const ro = readOnlyReason(t);
    this.stateReadOnly = ro?.reason;
    this.voidNs = !t.namespace || typeString(t.namespace) === VOID_NS;
    const columns: Column[] = [{ id: 'keyGroup', label: 'Key group' }];
    if (t.kind !== 'PRIORITY_QUEUE') columns.push({ id: 'key', label: 'Key', type: t.key ? typeString(t.key) : undefined });
    if (!this.voidNs) columns.push({ id: 'namespace', label: 'Namespace', type: t.namespace ? typeString(t.namespace) : undefined });
    if (t.kind === 'MAP') columns.push({ id: 'userKey', label: 'User key', type: t.userKey ? typeString(t.userKey) : undefined });
    if (t.kind === 'TIMER') columns.push({ id: 'timestamp', label: 'Timestamp' });
    else columns.push({ id: 'value', label: t.kind === 'LIST' ? 'Elements' : 'Value', type: t.value ? typeString(t.value) : undefined });
    let canLookup = false;
    let canAdd = false;
    if (t.key && t.kind !== 'PRIORITY_QUEUE' && t.key.kind === 'rowData') {
      // a Table API / SQL row key: looked up by its fields (keyOf), never written
      canLookup = true;
    } else if (t.key && t.kind !== 'PRIORITY_QUEUE') {
      try {
        canLookup = !!encoderFor(t.key).hash;
        // timers name their namespace (a TimeWindow) explicitly; other windowed state cannot be added
        canAdd = canLookup && !ro && !!t.namespace && (this.voidNs || t.kind === 'TIMER');
      } catch {
        canLookup = false;
      }
    }
    this.info = {
      savepoint: sp.dir,
      operator: access.op.id,
      operatorLabel: operatorLabel(sp, access.op.id),
      state: ref.state,
      kind: t.kind,
      backend: t.backend,
      keyType: t.key ? typeString(t.key) : undefined,
      namespaceType: t.namespace ? typeString(t.namespace) : undefined,
      userKeyType: t.userKey ? typeString(t.userKey) : undefined,
      valueType: t.value ? typeString(t.value) : undefined,
      columns,
      maxParallelism: access.maxParallelism,
      keyGroups: access.groups.length,
      readOnly: ro?.reason,
      readOnlyType: ro?.type,
      canLookup,
      canAdd,
      pageSize: this.pageSize,
      dirty: false,
      edits: 0,
    };
  }

  /** Pager source over the stored key groups plus key groups that only hold added entries. */
  private source(cache = true): PagerSource<KeyedItem> {
    const a = this.access;
    const extra = [...this.edits.keyGroupsWithAdds()].filter((kg) => {
      const i = a.indexOf(kg);
      return !(i < a.groups.length && a.groups[i].kg === kg);
    });
    type G = { kg: number; index?: number };
    let groups: G[] | undefined;
    if (extra.length) {
      groups = [...a.groups.map((g, index) => ({ kg: g.kg, index })), ...extra.map((kg) => ({ kg }))].sort((x, y) => x.kg - y.kg);
    }
    const load = async (g: G): Promise<KeyedItem[]> => {
      const items: KeyedItem[] = [];
      let part: KeyedPart | undefined;
      if (g.index !== undefined) {
        part = a.groups[g.index].part;
        for (const raw of await a.raw(g.index, cache)) items.push({ kg: g.kg, part, key: raw.key, raw });
      }
      const added = this.edits.addedIn(g.kg);
      if (added.length) {
        for (const e of added) {
          const p = part ?? a.parts.find((x) => x.subtask === e.subtask);
          if (!p) continue;
          items.push({ kg: g.kg, part: p, key: fromHexString(e.key), hex: e.key });
        }
        items.sort((x, y) => compareBytes(x.key, y.key));
      }
      return items;
    };
    if (!groups) {
      return {
        groupCount: a.groups.length,
        kgAt: (i) => a.groups[i].kg,
        indexOf: (kg) => a.indexOf(kg),
        items: (i) => load({ kg: a.groups[i].kg, index: i }),
      };
    }
    const gs = groups;
    return {
      groupCount: gs.length,
      kgAt: (i) => gs[i].kg,
      indexOf: (kg) => {
        let i = 0;
        while (i < gs.length && gs[i].kg < kg) i++;
        return i;
      },
      items: (i) => load(gs[i]),
    };
  }

  private hexOf(it: KeyedItem): string {
    if (!it.hex) it.hex = toHexString(it.key);
    return it.hex;
  }

  /** Decodes one item into a row, with its edit applied. */
  private toRow(it: KeyedItem): Row {
    const hex = this.hexOf(it);
    const id = entryId({ subtask: it.part.subtask, kg: it.kg, key: hex });
    const edit = this.edits.current(id);
    let status: Row['status'] = 'clean';
    let value = it.raw?.value;
    if (edit) {
      if (edit.value === null) status = 'deleted';
      else {
        status = it.raw ? 'edited' : 'added';
        value = fromHexString(edit.value);
      }
    }
    const d = this.access.decode(it.part, { stateId: it.part.stateId, key: it.key, value: value ?? new Uint8Array(0), keyAt: it.raw?.keyAt ?? 0 }, it.kg);
    const row: Row = { id, keyGroup: it.kg, subtask: it.part.subtask, key: d.key, namespace: d.namespace, userKey: d.userKey, value: d.value, timestamp: d.timestamp, status };
    if (this.stateReadOnly) row.readOnly = this.stateReadOnly;
    else if (d.value?.startsWith('{"$raw"')) row.readOnly = `a raw value (${rawType(d.value)}) cannot be edited`;
    else if (d.userKey?.startsWith('{"$raw"')) row.readOnly = `a raw map key (${rawType(d.userKey)}) cannot be edited`;
    return row;
  }

  async page(cursor: Cursor, filter?: string): Promise<Page> {
    const src = this.source();
    const needle = filter?.trim();
    const before = this.access.decodeCount;
    if (needle) {
      // filtered: decode while scanning, within a budget; keep the decoded rows that match
      const rows = new Map<KeyedItem, Row>();
      const r = await readPage(src, cursor, this.pageSize, {
        match: (it) => {
          const row = this.toRow(it);
          if (!matches(row, needle)) return false;
          rows.set(it, row);
          return true;
        },
        maxScan: this.opts.maxScan ?? 50_000,
        maxMs: this.opts.maxMs ?? 500,
      });
      return { rows: r.items.map((x) => rows.get(x.item)!), start: r.start, next: r.next, decoded: this.access.decodeCount - before, partial: r.partial, reachedKeyGroup: r.reachedKeyGroup };
    }
    const r = await readPage(src, cursor, this.pageSize);
    const rows = r.items.map((x) => this.toRow(x.item));
    return { rows, start: r.start, next: r.next, decoded: this.access.decodeCount - before, reachedKeyGroup: r.reachedKeyGroup };
  }

  /** The canonical key JSON and key group of a user-given key. */
  private keyOf(keyText: string): { json: unknown; canonical: string; kg: number } {
    const t = this.access.types;
    if (!t.key) throw new ValueEditError('the key type of this state is unknown');
    let json: unknown;
    try {
      json = parseJson(keyText);
    } catch {
      // a bare word for a String key
      json = keyText;
    }
    if (t.key.kind === 'rowData') {
      // a Table API / SQL row key: the JSON array of its fields; hashed like Flink's BinaryRowData
      try {
        const k = parseKey(keyText, typeString(t.key), t.key);
        return { json, canonical: k.json, kg: keyGroupForHash(k.hash, this.access.maxParallelism) };
      } catch (e) {
        throw new ValueEditError(e instanceof Error ? e.message : String(e));
      }
    }
    const enc = encoderFor(t.key);
    if (!enc.hash) throw new ValueEditError(`keys of type ${typeString(t.key)} cannot be looked up: their hashCode() (which picks the key group) is unknown`);
    let checked;
    try {
      checked = encodeChecked(t.key, json, 'key');
    } catch (e) {
      if (typeof json !== 'string' && typeString(t.key) === 'String') checked = encodeChecked(t.key, keyText, 'key');
      else throw e;
      json = keyText;
    }
    const kg = keyGroupForHash(enc.hash(json), this.access.maxParallelism);
    return { json, canonical: checked.json, kg };
  }

  async lookup(keyText: string): Promise<LookupResult> {
    const { canonical, kg } = this.keyOf(keyText);
    const src = this.source();
    const i = src.indexOf(kg);
    const rows: Row[] = [];
    if (i < src.groupCount && src.kgAt(i) === kg) {
      for (const it of await src.items(i)) {
        const row = this.toRow(it);
        if (row.key === canonical) rows.push(row);
      }
    }
    return { keyGroup: kg, key: canonical, rows };
  }

  private async find(id: string): Promise<KeyedItem | undefined> {
    const p = parseEntryId(id);
    if (!p) return undefined;
    const src = this.source();
    const i = src.indexOf(p.kg);
    if (i >= src.groupCount || src.kgAt(i) !== p.kg) return undefined;
    for (const it of await src.items(i)) if (it.part.subtask === p.subtask && this.hexOf(it) === p.key) return it;
    return undefined;
  }

  async row(id: string): Promise<Row | undefined> {
    const it = await this.find(id);
    return it ? this.toRow(it) : undefined;
  }

  private label(what: string, row: Row): string {
    const k = row.key && row.key.length > 40 ? row.key.slice(0, 39) + '…' : row.key;
    return `${what} ${this.ref.state}${k ? ` [${k}${row.userKey ? ` → ${row.userKey.slice(0, 30)}` : ''}]` : ''}`;
  }

  private async editable(id: string): Promise<{ it: KeyedItem; row: Row }> {
    if (this.stateReadOnly) throw new ValueEditError(this.stateReadOnly);
    const it = await this.find(id);
    if (!it) throw new ValueEditError('the entry is not in the savepoint (reload the page)');
    const row = this.toRow(it);
    if (row.readOnly) throw new ValueEditError(row.readOnly);
    return { it, row };
  }

  async editValue(id: string, text: string): Promise<EntryEdit> {
    const { it, row } = await this.editable(id);
    const checked = valueBytes(this.access.types, text);
    return { subtask: it.part.subtask, kg: it.kg, stateId: it.part.stateId, key: this.hexOf(it), value: toHexString(checked.bytes), existed: !!it.raw, label: this.label('Edit', row) };
  }

  async deleteEntry(id: string): Promise<EntryEdit> {
    const { it, row } = await this.editable(id);
    if (row.status === 'deleted') throw new ValueEditError('the entry is already deleted');
    return { subtask: it.part.subtask, kg: it.kg, stateId: it.part.stateId, key: this.hexOf(it), value: null, existed: !!it.raw, label: this.label('Delete', row) };
  }

  async revertEntry(id: string): Promise<EntryEdit> {
    const { it, row } = await this.editable(id);
    if (row.status === 'clean') throw new ValueEditError('the entry has no changes');
    return {
      subtask: it.part.subtask,
      kg: it.kg,
      stateId: it.part.stateId,
      key: this.hexOf(it),
      value: it.raw ? toHexString(it.raw.value) : null,
      existed: !!it.raw,
      label: this.label('Revert', row),
    };
  }

  async addEntry(keyText: string, userKeyText: string | undefined, valueText: string, timer?: TimerInput): Promise<EntryEdit> {
    const t = this.access.types;
    if (t.kind === 'TIMER') return this.addTimer(keyText, timer?.timestamp ?? valueText, timer?.namespace ?? userKeyText);
    if (!this.info.canAdd) throw new ValueEditError(this.stateReadOnly ?? (this.voidNs ? `entries with ${this.info.keyType} keys cannot be added: the key group of such a key is unknown` : 'entries of windowed (namespaced) state cannot be added'));
    const { json, kg } = this.keyOf(keyText);
    const part = this.access.partFor(kg);
    if (!part) throw new ValueEditError(`no subtask holds key group ${kg}`);
    if (part.stateId < 0) throw new ValueEditError(`subtask ${part.subtask}'s file does not declare state ${this.ref.state}, so entries for key group ${kg} cannot be added`);
    const keys = new CompositeKeys(this.access.maxParallelism, encoderFor(t.key!), encoderFor(t.namespace!));
    let composite: Uint8Array;
    if (t.kind === 'MAP') {
      if (userKeyText === undefined || userKeyText.trim() === '') throw new ValueEditError('a map state entry needs a user key');
      let uk: unknown;
      try {
        uk = parseJson(userKeyText);
      } catch {
        uk = userKeyText;
      }
      encodeChecked(t.userKey!, uk, 'user key');
      composite = keys.build(kg, json, { enc: encoderFor(t.userKey!), value: uk });
    } else composite = keys.build(kg, json);
    const hex = toHexString(composite);
    const id = entryId({ subtask: part.subtask, kg, key: hex });
    const existing = await this.find(id);
    if (existing) {
      const r = this.toRow(existing);
      if (r.status !== 'deleted') throw new ValueEditError(`the entry already exists in key group ${kg}: edit it instead`);
    }
    const checked = valueBytes(t, valueText);
    return { subtask: part.subtask, kg, stateId: part.stateId, key: hex, value: toHexString(checked.bytes), existed: !!existing?.raw, label: `Add ${this.ref.state} entry` };
  }

  /** A new timer (empty value) of this timer state: key, timestamp and (TimeWindow) namespace. */
  private async addTimer(keyText: string, tsText: string | undefined, nsText: string | undefined): Promise<EntryEdit> {
    const t = this.access.types;
    if (!this.info.canAdd) throw new ValueEditError(this.stateReadOnly ?? `timers with ${this.info.keyType} keys cannot be added: the key group of such a key is unknown`);
    if (tsText === undefined || tsText.trim() === '') throw new ValueEditError('a timer needs a timestamp (epoch milliseconds or an ISO-8601 date-time)');
    let tsJson: unknown;
    try {
      tsJson = parseJson(tsText);
    } catch {
      tsJson = tsText.trim(); // an ISO date-time without quotes
    }
    let ts: bigint;
    try {
      ts = timerTimestamp(typeof tsJson === 'string' || typeof tsJson === 'number' || typeof tsJson === 'bigint' ? tsJson : String(tsJson));
    } catch (e) {
      throw new ValueEditError(`the timestamp: ${e instanceof Error ? e.message : String(e)}`);
    }
    let ns: unknown = null;
    if (!this.voidNs) {
      if (nsText === undefined || nsText.trim() === '') throw new ValueEditError(`a timer of this state needs its namespace (${this.info.namespaceType}), e.g. {"start":0,"end":1000}`);
      ns = parseJson(nsText);
      encodeChecked(t.namespace!, ns, 'namespace');
    }
    const { json, canonical, kg } = this.keyOf(keyText);
    const part = this.access.partFor(kg);
    if (!part) throw new ValueEditError(`no subtask holds key group ${kg}`);
    if (part.stateId < 0) throw new ValueEditError(`subtask ${part.subtask}'s file does not declare ${this.ref.state}, so timers for key group ${kg} cannot be added`);
    const { keyGroup, bytes } = timerKeyBytes(t.key!, t.namespace!, this.access.maxParallelism, json, ts, ns);
    if (keyGroup !== kg) throw new ValueEditError(`internal: key group ${keyGroup} != ${kg}`);
    const hex = toHexString(bytes);
    const id = entryId({ subtask: part.subtask, kg, key: hex });
    const existing = await this.find(id);
    if (existing && this.toRow(existing).status !== 'deleted') throw new ValueEditError(`this timer already exists (key ${canonical}, timestamp ${ts}) in key group ${kg}`);
    const k = canonical.length > 40 ? canonical.slice(0, 39) + '…' : canonical;
    return { subtask: part.subtask, kg, stateId: part.stateId, key: hex, value: '', existed: !!existing?.raw, label: `Add timer ${this.ref.state} [${k} @ ${ts}]` };
  }

  private timerStates?: Promise<KeyTimers['states']>;

  /** The operator's timer states (`_timer_state/<event|processing>_<service>`), read once. */
  private operatorTimerStates(): Promise<KeyTimers['states']> {
    this.timerStates ??= listStates(this.sp, this.access.op.id)
      .then((states) => {
        const out: KeyTimers['states'] = [];
        for (const st of states) {
          const t = parseTimerStateName(st.name);
          if (t && (st.kind === 'TIMER' || st.backend === 'PRIORITY_QUEUE')) out.push({ state: st.name, ...t });
        }
        return out.sort((a, b) => (a.state < b.state ? -1 : a.state > b.state ? 1 : 0));
      })
      .catch(() => []);
    return this.timerStates;
  }

  override async timersOfKey(keyText: string, open?: OpenTimerModels): Promise<KeyTimers | undefined> {
    const t = this.access.types;
    if (t.kind === 'TIMER' || t.kind === 'PRIORITY_QUEUE' || !this.info.canLookup) return undefined;
    const states = await this.operatorTimerStates();
    if (!states.length) return undefined;
    const { canonical, kg } = this.keyOf(keyText);
    // the reader takes the key's text: a String key unquoted, other simple keys as their JSON text
    let k: string;
    try {
      const v = JSON.parse(canonical) as unknown;
      k = typeof v === 'string' ? v : canonical;
    } catch {
      k = canonical;
    }
    const byName = new Map(states.map((s) => [s.state, s]));
    const timers: KeyTimer[] = [];
    const push = (st: KeyTimers['states'][number], r: { keyGroup?: number; subtask: number; timestamp: string; namespace?: string; status: Row['status'] }) => {
      const kt: KeyTimer = { domain: st.domain, service: st.service, state: st.state, keyGroup: r.keyGroup ?? kg, subtask: r.subtask, timestamp: r.timestamp, status: r.status };
      const iso = isoUtc(r.timestamp);
      if (iso) kt.iso = iso;
      if (r.namespace !== undefined && r.namespace !== 'null' && r.namespace !== `"${VOID_NS}"`) kt.namespace = r.namespace;
      timers.push(kt);
    };
    // timer states open in their own editors: their rows (with pending adds / deletes)
    const viaModel = new Set<string>();
    for (const st of states) {
      const m = open?.(st.state);
      if (!m || m.info.kind !== 'TIMER' || m.info.operator !== this.access.op.id) continue;
      viaModel.add(st.state);
      for (const r of (await m.lookup(canonical)).rows) {
        if (r.timestamp === undefined || r.key !== canonical) continue;
        push(st, { keyGroup: r.keyGroup, subtask: r.subtask, timestamp: r.timestamp, namespace: r.namespace, status: r.status });
      }
    }
    if (viaModel.size < states.length) {
      // the stored timers: one key-group lookup for all timer states of the operator
      for (const e of await readerLookup(this.sp, this.access.op.id, undefined, k)) {
        const st = byName.get(e.state);
        if (!st || viaModel.has(e.state) || e.type !== 'entry' || e.timestamp === undefined || e.key !== canonical) continue;
        push(st, { keyGroup: e.keyGroup, subtask: e.subtask, timestamp: e.timestamp, namespace: e.namespace, status: 'clean' });
      }
    }
    timers.sort((a, b) => cmp(a.domain, b.domain) || cmp(a.service, b.service) || cmpBig(a.timestamp, b.timestamp) || cmp(a.namespace ?? '', b.namespace ?? ''));
    return { key: canonical, keyGroup: kg, states, timers };
  }

  async count(cancelled?: () => boolean, progress?: (n: number) => void): Promise<number | undefined> {
    return countAll(this.source(false), cancelled, progress ? (n) => progress(n) : undefined);
  }

  saveAs(target: string): SaveResult {
    const edits: RawEdit[] = this.edits.effective().map((e) => ({
      subtask: e.subtask,
      kg: e.kg,
      state: this.ref.state,
      key: fromHexString(e.key),
      value: e.value === null ? null : fromHexString(e.value),
    }));
    const r = saveEditedSavepoint(this.sp, this.access.op.id, edits, target);
    this.edits.markSaved();
    return r;
  }

  async close(): Promise<void> {
    await this.access.close();
  }
}

/**
 * The edit deleting one timer of a key in a timer state's model (the timer state's own edit path):
 * the timer is found by the key's lookup, its timestamp (epoch ms or ISO-8601) and namespace JSON.
 */
export async function deleteTimerOfKey(timerModel: StateModel, keyText: string, timestamp: string, namespace?: string): Promise<EntryEdit> {
  if (timerModel.info.kind !== 'TIMER') throw new ValueEditError(`${timerModel.ref.state} is not a timer state`);
  let ts: bigint;
  try {
    ts = timerTimestamp(/^-?\d+$/.test(timestamp.trim()) ? timestamp.trim() : timestamp.trim().replace(/^"|"$/g, ''));
  } catch (e) {
    throw new ValueEditError(`the timestamp: ${e instanceof Error ? e.message : String(e)}`);
  }
  const ns = namespace === undefined || namespace.trim() === '' ? undefined : canonicalJson(namespace);
  const { rows } = await timerModel.lookup(keyText);
  const row = rows.find((r) => r.status !== 'deleted' && r.timestamp !== undefined && BigInt(r.timestamp) === ts && (ns === undefined ? !r.namespace || r.namespace === 'null' : r.namespace !== undefined && canonicalJson(r.namespace) === ns));
  if (!row) throw new ValueEditError(`no timer at ${ts} for this key in ${timerModel.ref.state}`);
  return timerModel.deleteEntry(row.id);
}

function canonicalJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text;
  }
}

/** `_timer_state/event_<service>` / `_timer_state/processing_<service>` → domain and service. */
export function parseTimerStateName(name: string): { domain: 'event' | 'processing'; service: string } | undefined {
  const m = /^_timer_state\/(event|processing)_(.*)$/s.exec(name);
  return m ? { domain: m[1] as 'event' | 'processing', service: m[2] } : undefined;
}

/** Epoch milliseconds (decimal text) as ISO-8601 UTC; undefined outside Date's range. */
export function isoUtc(ms: string): string | undefined {
  let n: bigint;
  try {
    n = BigInt(ms);
  } catch {
    return undefined;
  }
  if (n < -8640000000000000n || n > 8640000000000000n) return undefined;
  const d = new Date(Number(n));
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function cmpBig(a: string, b: string): number {
  try {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  } catch {
    return cmp(a, b);
  }
}

function rawType(json: string): string {
  try {
    return String((JSON.parse(json) as { type?: string }).type ?? 'unknown type');
  } catch {
    return 'unknown type';
  }
}

// ---------------------------------------------------------------------------------------------
// operator state (read-only)

class OperatorStateModel extends StateModel {
  readonly info: EntriesInfo;

  constructor(
    ref: StateRef,
    sp: Savepoint,
    private readonly rows: Row[],
    kind: string,
    backend: string,
    valueType: string | undefined,
    keyType: string | undefined,
    opts: ModelOptions,
  ) {
    super(ref, sp);
    const op = findOperator(sp, ref.operator)!;
    const columns: Column[] = [{ id: 'subtask', label: 'Subtask' }];
    if (kind === 'BROADCAST') columns.push({ id: 'key', label: 'Key', type: keyType });
    columns.push({ id: 'value', label: 'Value', type: valueType });
    this.info = {
      savepoint: sp.dir,
      operator: op.id,
      operatorLabel: operatorLabel(sp, op.id),
      state: ref.state,
      kind,
      backend,
      keyType,
      valueType,
      columns,
      maxParallelism: op.maxParallelism,
      keyGroups: 0,
      readOnly: 'operator state is read-only in this version',
      readOnlyType: valueType,
      canLookup: false,
      canAdd: false,
      pageSize: opts.pageSize ?? 200,
      dirty: false,
      edits: 0,
    };
  }

  override seek(): Cursor {
    throw new ValueEditError('operator state has no key groups');
  }

  async page(cursor: Cursor, filter?: string): Promise<Page> {
    const src: PagerSource<OperatorItem> = {
      groupCount: 1,
      kgAt: () => 0,
      indexOf: (kg) => (kg <= 0 ? 0 : 1),
      items: async () => this.rows.map((row) => ({ row })),
    };
    const needle = filter?.trim();
    const r = await readPage(src, cursor, this.info.pageSize, needle ? { match: (it) => matches(it.row, needle) } : {});
    return { rows: r.items.map((x) => x.item.row), start: r.start, next: r.next, decoded: 0, partial: r.partial };
  }

  async lookup(): Promise<LookupResult> {
    throw new ValueEditError('operator state has no keys to look up; use the filter');
  }

  async row(id: string): Promise<Row | undefined> {
    return this.rows.find((r) => r.id === id);
  }

  private ro(): never {
    throw new ValueEditError(this.info.readOnly!);
  }

  async editValue(): Promise<EntryEdit> {
    return this.ro();
  }

  async deleteEntry(): Promise<EntryEdit> {
    return this.ro();
  }

  async revertEntry(): Promise<EntryEdit> {
    return this.ro();
  }

  async addEntry(): Promise<EntryEdit> {
    return this.ro();
  }

  async count(): Promise<number> {
    return this.rows.length;
  }

  saveAs(): SaveResult {
    return this.ro();
  }

  async close(): Promise<void> {}
}
