/**
 * State entries webview (custom editor `flinkSavepoints.entries`): a paged, virtualized table of one
 * state's entries (only the shown page is decoded by the extension), lookup by key, filter, jump to
 * a key group, a JSON detail view, validated edits (the extension validates against the state's
 * serializers), and Save As New Savepoint.
 */
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import { Cursor, EntriesApi, EntriesEvents, EntriesInfo, KeyTimers, Page, Row } from './protocol';
import { connect, el, fmtInt, setValue, valueOf, vscodeApi } from './_dom';

const rpc = connect<EntriesApi, EntriesEvents>();
const vs = vscodeApi();
const root = document.getElementById('root')!;

interface SavedState {
  stack: Cursor[];
  filter: string;
  selected?: string;
}

const saved = (vs.getState() as SavedState | undefined) ?? { stack: [{ kg: 0, skip: 0 }], filter: '' };
let info: EntriesInfo | undefined;
let stack: Cursor[] = saved.stack?.length ? saved.stack : [{ kg: 0, skip: 0 }];
let filter = saved.filter ?? '';
let page: Page | undefined;
let rows: Row[] = [];
let selected: string | undefined = saved.selected;
let total: { count: number; done: boolean } | undefined;
let dirty = false;
let edits = 0;
let mode: 'page' | 'lookup' = 'page';
let lookupNote = '';
let loading = 0;

const ROW_H = 24;

function persist(): void {
  vs.setState({ stack, filter, selected } satisfies SavedState);
}

function $(id: string): HTMLElement | null {
  return document.getElementById(id);
}

function button(id: string, label: string, onClick: () => void, opts: { secondary?: boolean; icon?: string; title?: string } = {}): HTMLElement {
  const b = el('vscode-button', { id, secondary: opts.secondary, icon: opts.icon, title: opts.title }, label);
  b.addEventListener('click', () => {
    if (!b.hasAttribute('disabled')) onClick();
  });
  return b;
}

function field(id: string, placeholder: string, onEnter: () => void, width?: string): HTMLElement {
  const f = el('vscode-textfield', { id, placeholder });
  if (width) f.style.width = width;
  f.addEventListener('keydown', (e) => {
    if ((e as KeyboardEvent).key === 'Enter') onEnter();
  });
  return f;
}

function setDisabled(id: string, off: boolean): void {
  const b = $(id);
  if (!b) return;
  if (off) b.setAttribute('disabled', '');
  else b.removeAttribute('disabled');
}

function message(text: string, kind: 'error' | 'info' | 'ok' = 'info'): void {
  const m = $('message');
  if (!m) return;
  m.className = kind === 'error' ? 'error-box' : kind === 'ok' ? 'ok-box' : 'muted';
  m.textContent = text;
  m.hidden = !text;
}

// ---------------------------------------------------------------------------------------------
// layout

function renderShell(i: EntriesInfo): void {
  const facts = el(
    'div',
    { class: 'facts' },
    fact('Operator', i.operatorLabel),
    fact('Kind', `${i.kind} · ${i.backend}`),
    i.keyType ? fact('Key', i.keyType) : undefined,
    i.namespaceType && i.namespaceType !== 'VoidNamespace' ? fact('Namespace', i.namespaceType) : undefined,
    i.userKeyType ? fact('User key', i.userKeyType) : undefined,
    i.valueType ? fact(i.kind === 'LIST' ? 'Element' : 'Value', i.valueType) : undefined,
    i.keyGroups ? fact('Key groups with data', `${fmtInt(i.keyGroups)} of ${fmtInt(i.maxParallelism)}`) : undefined,
  );
  const toolbar = el('div', { class: 'toolbar' });
  if (i.canLookup) {
    const keyHint = i.keyType?.startsWith('RowData<') ? `Key: [fields] of ${i.keyType}` : `Key (${i.keyType ?? 'JSON'})`;
    toolbar.append(field('lookup', keyHint, () => void doLookup(), '200px'), button('lookup-go', 'Look Up', () => void doLookup(), { secondary: true, icon: 'search' }), el('span', { class: 'sep' }));
  }
  toolbar.append(field('filter', 'Filter (text in key / value)', () => void applyFilter(), '200px'), button('filter-go', 'Filter', () => void applyFilter(), { secondary: true, icon: 'filter' }));
  if (i.keyGroups) toolbar.append(el('span', { class: 'sep' }), field('kg', `Key group 0–${i.maxParallelism - 1}`, () => void doSeek(), '130px'), button('kg-go', 'Go', () => void doSeek(), { secondary: true }));
  toolbar.append(
    el('span', { class: 'spacer' }),
    button('first', 'First', () => void goFirst(), { secondary: true, icon: 'arrow-up', title: 'First page' }),
    button('prev', 'Previous', () => void goPrev(), { secondary: true, icon: 'arrow-left' }),
    button('next', 'Next', () => void goNext(), { secondary: true, icon: 'arrow-right' }),
  );
  const actions = el('div', { class: 'toolbar' });
  if (i.canAdd) actions.append(button('add', i.kind === 'TIMER' ? 'Add Timer…' : 'Add Entry…', () => toggleAdd(), { secondary: true, icon: 'add' }));
  if (!i.readOnly) actions.append(button('save-as', 'Save As New Savepoint…', () => void saveAs(), { icon: 'save-as' }));
  actions.append(
    el('span', { id: 'dirty', class: 'muted' }),
    el('span', { class: 'spacer' }),
    el('span', { id: 'status', class: 'muted', role: 'status' }),
  );
  const ro = i.readOnly
    ? el('div', { class: 'readonly-box', id: 'readonly' }, el('span', { class: 'codicon codicon-lock' }), ' Read-only: ', i.readOnly, i.readOnlyType ? el('span', { class: 'mono' }, ` (${i.readOnlyType})`) : undefined)
    : undefined;
  const head = el('div', { class: 'grid-head', id: 'grid-head', role: 'row' }, ...columnsOf(i).map((c) => el('div', { class: `cell c-${c.id}`, role: 'columnheader', title: c.type ?? '' }, c.label, c.type ? el('span', { class: 'muted type' }, ` ${c.type}`) : undefined)));
  const viewport = el('div', { class: 'grid-body', id: 'grid-body', tabindex: '0', role: 'rowgroup' }, el('div', { id: 'spacer' }));
  viewport.addEventListener('scroll', () => renderRows());
  viewport.addEventListener('keydown', (e) => onGridKey(e as KeyboardEvent));
  const grid = el('div', { class: 'grid', id: 'grid', role: 'grid', 'aria-label': `${i.state} entries` }, head, viewport);
  const detail = el(
    'div',
    { class: 'detail', id: 'detail' },
    el('h2', {}, 'Entry'),
    el('pre', { class: 'mono json', id: 'detail-json' }, 'Select a row.'),
    el('div', { id: 'editor' }),
    el('div', { id: 'key-timers' }),
  );
  root.replaceChildren(
    el('h1', { id: 'title' }, i.state, ' ', el('vscode-badge', { variant: 'counter' }, i.kind)),
    facts,
    el('div', { class: 'path' }, i.savepoint),
    ...(ro ? [ro] : []),
    toolbar,
    actions,
    el('div', { id: 'add-form', hidden: true }),
    el('div', { id: 'message', hidden: true }),
    el('div', { class: 'split' }, grid, detail),
  );
  setValue($('filter'), filter);
  updateDirty();
}

function fact(k: string, v: string): HTMLElement {
  return el('span', { class: 'fact' }, el('span', { class: 'k' }, k), el('span', { class: 'v mono' }, v));
}

function columnsOf(i: EntriesInfo): { id: string; label: string; type?: string }[] {
  return [...i.columns, { id: 'status', label: '' }];
}

// ---------------------------------------------------------------------------------------------
// the virtualized rows

function cellText(r: Row, id: string): string {
  switch (id) {
    case 'keyGroup':
      return r.keyGroup === undefined ? '' : String(r.keyGroup);
    case 'subtask':
      return String(r.subtask);
    case 'status':
      return r.status === 'clean' ? '' : r.status;
    default:
      return ((r as unknown as Record<string, string | undefined>)[id] ?? '').slice(0, 400);
  }
}

function renderRows(): void {
  const body = $('grid-body');
  const spacer = $('spacer');
  if (!body || !spacer || !info) return;
  spacer.style.height = `${Math.max(rows.length * ROW_H, 1)}px`;
  const top = body.scrollTop;
  const h = body.clientHeight || 400;
  const first = Math.max(0, Math.floor(top / ROW_H) - 5);
  const last = Math.min(rows.length, Math.ceil((top + h) / ROW_H) + 5);
  const cols = columnsOf(info);
  const frag = document.createDocumentFragment();
  for (let i = first; i < last; i++) {
    const r = rows[i];
    const div = el(
      'div',
      { class: `row s-${r.status}${r.id === selected ? ' selected' : ''}`, role: 'row', 'data-id': r.id, 'aria-selected': r.id === selected ? 'true' : 'false' },
      ...cols.map((c) => el('div', { class: `cell c-${c.id}${c.id === 'key' || c.id === 'value' || c.id === 'userKey' || c.id === 'namespace' ? ' mono' : ''}`, role: 'gridcell', title: cellText(r, c.id) }, cellText(r, c.id))),
    );
    div.style.top = `${i * ROW_H}px`;
    div.addEventListener('click', () => void select(r.id));
    frag.append(div);
  }
  for (const old of Array.from(body.querySelectorAll('.row'))) old.remove();
  body.append(frag);
  if (!rows.length) {
    const empty = el('div', { class: 'row empty muted' }, mode === 'lookup' ? 'No entry for this key.' : filter ? 'No matching entries in the scanned range.' : 'No entries.');
    empty.style.top = '0px';
    body.append(empty);
  }
}

function onGridKey(e: KeyboardEvent): void {
  if (!rows.length) return;
  const i = rows.findIndex((r) => r.id === selected);
  let j = i;
  if (e.key === 'ArrowDown') j = Math.min(rows.length - 1, i + 1);
  else if (e.key === 'ArrowUp') j = Math.max(0, i - 1);
  else if (e.key === 'PageDown') j = Math.min(rows.length - 1, i + 20);
  else if (e.key === 'PageUp') j = Math.max(0, i - 20);
  else return;
  e.preventDefault();
  const body = $('grid-body')!;
  const y = j * ROW_H;
  if (y < body.scrollTop) body.scrollTop = y;
  else if (y + ROW_H > body.scrollTop + body.clientHeight) body.scrollTop = y + ROW_H - body.clientHeight;
  void select(rows[j].id);
}

// ---------------------------------------------------------------------------------------------
// paging

function statusLine(): void {
  const s = $('status');
  if (!s || !info) return;
  const parts: string[] = [];
  if (mode === 'lookup') parts.push(lookupNote);
  else {
    parts.push(`Page ${stack.length}`);
    if (rows.length) {
      const kgs = rows.filter((r) => r.keyGroup !== undefined).map((r) => r.keyGroup!);
      if (kgs.length) parts.push(`key groups ${kgs[0]}–${kgs[kgs.length - 1]}`);
    }
    parts.push(`${fmtInt(rows.length)} rows`);
    if (page) parts.push(`${fmtInt(page.decoded)} decoded`);
    if (page?.partial) parts.push(`scan paused at key group ${page.reachedKeyGroup ?? '?'} — Next continues`);
  }
  if (total) parts.push(`${fmtInt(total.count)}${total.done ? '' : '+'} entries in the state`);
  s.textContent = parts.join(' · ');
  setDisabled('prev', mode === 'page' && stack.length <= 1);
  setDisabled('next', mode === 'page' && !page?.next);
  setDisabled('first', mode === 'page' && stack.length <= 1 && stack[0].kg === 0 && stack[0].skip === 0);
}

async function load(): Promise<void> {
  const cursor = stack[stack.length - 1];
  const my = ++loading;
  $('grid')?.classList.add('busy');
  try {
    const p = await rpc.request('page', { cursor, filter: filter || undefined });
    if (my !== loading) return;
    mode = 'page';
    page = p;
    rows = p.rows;
    const body = $('grid-body');
    if (body) body.scrollTop = 0;
    renderRows();
    statusLine();
    persist();
    if (selected && !rows.some((r) => r.id === selected)) selected = undefined;
    if (!selected && rows.length) await select(rows[0].id, false);
    else if (selected) await select(selected, false);
  } catch (e) {
    message((e as Error).message, 'error');
  } finally {
    if (my === loading) $('grid')?.classList.remove('busy');
  }
}

async function goNext(): Promise<void> {
  if (mode === 'lookup') return backToPages();
  if (!page?.next) return;
  stack.push(page.next);
  await load();
}

async function goPrev(): Promise<void> {
  if (mode === 'lookup') return backToPages();
  if (stack.length > 1) stack.pop();
  await load();
}

async function goFirst(): Promise<void> {
  stack = [{ kg: 0, skip: 0 }];
  await load();
}

async function backToPages(): Promise<void> {
  mode = 'page';
  await load();
}

async function applyFilter(): Promise<void> {
  filter = valueOf($('filter')).trim();
  message('');
  stack = [stack[0]];
  await load();
}

async function doSeek(): Promise<void> {
  const v = valueOf($('kg')).trim();
  if (!/^\d+$/.test(v)) return message(`A key group is a number between 0 and ${(info?.maxParallelism ?? 1) - 1}.`, 'error');
  try {
    const c = await rpc.request('seek', { keyGroup: Number(v) });
    message('');
    stack = [c];
    await load();
  } catch (e) {
    message((e as Error).message, 'error');
  }
}

async function doLookup(): Promise<void> {
  const key = valueOf($('lookup')).trim();
  if (!key) return backToPages();
  try {
    const r = await rpc.request('lookup', { key });
    mode = 'lookup';
    page = undefined;
    rows = r.rows;
    lookupNote = `Key ${r.key} → key group ${r.keyGroup}: ${r.rows.length} ${r.rows.length === 1 ? 'entry' : 'entries'} (Previous / Next return to the pages)`;
    message('');
    renderRows();
    statusLine();
    if (rows.length) await select(rows[0].id, false);
  } catch (e) {
    message((e as Error).message, 'error');
  }
}

// ---------------------------------------------------------------------------------------------
// detail and edits

function prettyJson(s: string | undefined): string {
  if (s === undefined) return '';
  try {
    return JSON.stringify(JSON.parse(s), null, 2);
  } catch {
    return s;
  }
}

async function select(id: string, focusGrid = true): Promise<void> {
  selected = id;
  persist();
  for (const r of Array.from(document.querySelectorAll('#grid-body .row'))) {
    const on = r.getAttribute('data-id') === id;
    r.classList.toggle('selected', on);
    r.setAttribute('aria-selected', on ? 'true' : 'false');
  }
  if (focusGrid) $('grid-body')?.focus();
  const row = rows.find((r) => r.id === id);
  if (!row) return;
  const pre = $('detail-json');
  try {
    const d = await rpc.request('detail', { id });
    if (selected !== id) return;
    if (pre) pre.textContent = d.json;
  } catch (e) {
    if (pre) pre.textContent = (e as Error).message;
  }
  renderEditor(row);
  await renderKeyTimers(row);
}

// ---------------------------------------------------------------------------------------------
// the key's timers beside a keyed state's entry

/** Shows the selected key's timers (same operator), with add / delete routed to the timer state's editor. */
async function renderKeyTimers(row: Row): Promise<void> {
  const host = $('key-timers');
  if (!host) return;
  if (!info || info.kind === 'TIMER' || info.backend === 'PRIORITY_QUEUE' || !info.canLookup || row.key === undefined) {
    host.replaceChildren();
    return;
  }
  let kt: KeyTimers | null;
  try {
    kt = await rpc.request('keyTimers', { id: row.id });
  } catch (e) {
    if (selected === row.id) host.replaceChildren(el('p', { class: 'error' }, `Timers of this key: ${(e as Error).message}`));
    return;
  }
  if (selected !== row.id) return;
  if (!kt) {
    // the operator has no timer states: nothing to say
    host.replaceChildren();
    return;
  }
  const k = kt;
  const sections: HTMLElement[] = [];
  for (const st of k.states) {
    const mine = k.timers.filter((t) => t.state === st.state);
    const items = mine.map((t) =>
      el(
        'li',
        { class: `key-timer status-${t.status}`, 'data-state': t.state, 'data-timestamp': t.timestamp },
        el('span', { class: 'mono' }, t.timestamp),
        t.iso ? el('span', { class: 'muted' }, ` ${t.iso}`) : undefined,
        t.namespace ? el('span', { class: 'mono muted' }, ` ns ${t.namespace}`) : undefined,
        t.status !== 'clean' ? el('span', { class: 'muted' }, ` (${t.status}, not saved yet)`) : undefined,
        t.status !== 'deleted'
          ? button(`kt-del-${st.state}-${t.timestamp}`, 'Delete', () => void deleteKeyTimer(row.id, t.state, t.timestamp, t.namespace), { secondary: true, icon: 'trash', title: `Delete this timer (an edit of ${t.state})` })
          : undefined,
      ),
    );
    sections.push(
      el(
        'div',
        { class: 'key-timer-state' },
        el('h3', {}, `${st.domain === 'event' ? 'Event time' : 'Processing time'} · ${st.service}`, ' ', button(`kt-open-${st.state}`, 'Open Timers', () => void openTimers(st.state, k.key), { secondary: true, icon: 'go-to-file', title: `Open ${st.state} at this key` })),
        items.length ? el('ul', { class: 'key-timer-list' }, ...items) : el('p', { class: 'muted' }, 'No timers for this key.'),
      ),
    );
  }
  const select = el('select', { id: 'kt-state', 'aria-label': 'Timer service' }) as HTMLSelectElement;
  for (const st of k.states) select.append(el('option', { value: st.state }, `${st.domain} · ${st.service}`));
  const add = el(
    'div',
    { class: 'toolbar' },
    select,
    field('kt-timestamp', 'Timestamp (epoch ms or ISO-8601)', () => void addKeyTimer(row.id), '220px'),
    field('kt-namespace', 'Namespace (window timers only)', () => void addKeyTimer(row.id), '180px'),
    button('kt-add', 'Add Timer', () => void addKeyTimer(row.id), { secondary: true, icon: 'add', title: "Add a timer for this key (an edit of the timer state's editor, saved with its Save As)" }),
  );
  host.replaceChildren(
    el('h2', {}, 'Timers of this key'),
    el('p', { class: 'muted' }, `Key ${k.key} · key group ${k.keyGroup}. Timer edits go to the timer state's own editor (undo / redo and Save As New Savepoint there).`),
    ...sections,
    add,
    el('div', { id: 'kt-error', class: 'error', role: 'alert' }),
  );
}

function timerError(text: string): void {
  const e = $('kt-error');
  if (e) e.textContent = text;
}

async function addKeyTimer(id: string): Promise<void> {
  const state = ($('kt-state') as HTMLSelectElement | null)?.value;
  const timestamp = valueOf($('kt-timestamp')).trim();
  const ns = valueOf($('kt-namespace')).trim();
  if (!state) return timerError('Pick a timer service.');
  if (!timestamp) return timerError('A timer needs a timestamp (epoch milliseconds or an ISO-8601 date-time).');
  const r = await rpc.request('addKeyTimer', { id, state, timestamp, namespace: ns || undefined });
  if (!r.ok) return timerError(r.error ?? 'rejected');
  timerError('');
  await refreshKeyTimers();
}

async function deleteKeyTimer(id: string, state: string, timestamp: string, namespace: string | undefined): Promise<void> {
  const r = await rpc.request('deleteKeyTimer', { id, state, timestamp, namespace });
  if (!r.ok) return timerError(r.error ?? 'cannot delete');
  timerError('');
  await refreshKeyTimers();
}

async function openTimers(state: string, key: string): Promise<void> {
  const r = await rpc.request('openTimers', { state, key });
  if (!r.ok) timerError(r.error ?? 'cannot open the timers');
}

async function refreshKeyTimers(): Promise<void> {
  const row = rows.find((r) => r.id === selected);
  if (row) await renderKeyTimers(row);
}

/** Looks up a key given by another editor ("Open Timers"). */
async function lookupFromOutside(key: string): Promise<void> {
  const f = $('lookup');
  if (!f || !info?.canLookup) return;
  setValue(f, key);
  await doLookup();
}

function renderEditor(row: Row): void {
  const host = $('editor');
  if (!host || !info) return;
  if (row.readOnly) {
    host.replaceChildren(el('p', { class: 'muted', id: 'row-readonly' }, el('span', { class: 'codicon codicon-lock' }), ' ', row.readOnly));
    return;
  }
  if (info.kind === 'TIMER') {
    // a timer is its key, namespace and timestamp: it is added or deleted, never edited in place
    host.replaceChildren(
      el('p', { class: 'muted', id: 'timer-note' }, `Timer at ${timerTime(row.timestamp)}. To move it, delete it and add a timer with the new timestamp.`),
      el(
        'div',
        { class: 'toolbar' },
        row.status !== 'deleted' ? button('delete', 'Delete Timer', () => void deleteRow(row.id), { secondary: true, icon: 'trash' }) : undefined,
        row.status !== 'clean' ? button('revert', 'Revert', () => void revertRow(row.id), { secondary: true, icon: 'discard' }) : undefined,
      ),
      el('div', { id: 'edit-error', class: 'error', role: 'alert' }),
    );
    return;
  }
  const label = info.kind === 'LIST' ? 'Elements (JSON array)' : info.kind === 'MAP' ? 'Value for this user key (JSON)' : 'Value (JSON)';
  const ta = el('vscode-textarea', { id: 'value-input', rows: '8', resize: 'vertical', 'aria-label': label, monospace: true });
  ta.classList.add('mono');
  setValue(ta, prettyJson(row.value));
  ta.addEventListener('keydown', (e) => {
    const k = e as KeyboardEvent;
    if (k.key === 'Enter' && (k.ctrlKey || k.metaKey)) void applyEdit(row.id);
  });
  host.replaceChildren(
    el('label', { class: 'muted' }, `${label} — ${info.valueType ?? ''}`),
    ta,
    el(
      'div',
      { class: 'toolbar' },
      button('apply', 'Apply', () => void applyEdit(row.id), { icon: 'check', title: 'Validate against the state type and apply (Ctrl+Enter)' }),
      row.status !== 'deleted' ? button('delete', 'Delete Entry', () => void deleteRow(row.id), { secondary: true, icon: 'trash' }) : undefined,
      row.status !== 'clean' ? button('revert', 'Revert Entry', () => void revertRow(row.id), { secondary: true, icon: 'discard' }) : undefined,
    ),
    el('div', { id: 'edit-error', class: 'error', role: 'alert' }),
  );
}

async function applyEdit(id: string): Promise<void> {
  const v = valueOf($('value-input'));
  const r = await rpc.request('edit', { id, value: v });
  const err = $('edit-error');
  if (!r.ok) {
    if (err) err.textContent = r.error ?? 'rejected';
    return;
  }
  if (err) err.textContent = '';
}

async function deleteRow(id: string): Promise<void> {
  const r = await rpc.request('delete', { id });
  if (!r.ok) message(r.error ?? 'cannot delete', 'error');
}

async function revertRow(id: string): Promise<void> {
  const r = await rpc.request('revert', { id });
  if (!r.ok) message(r.error ?? 'cannot revert', 'error');
}

/** A timer timestamp (epoch ms as a decimal string) with its UTC date-time when it is in Date's range. */
function timerTime(ts: string | undefined): string {
  if (ts === undefined) return '?';
  const n = Number(ts);
  const d = new Date(n);
  return Number.isFinite(n) && Math.abs(n) <= 8.64e15 && !Number.isNaN(d.getTime()) ? `${ts} (${d.toISOString()})` : ts;
}

function toggleAdd(): void {
  const host = $('add-form');
  if (!host || !info) return;
  if (!host.hidden) {
    host.hidden = true;
    return;
  }
  if (info.kind === 'TIMER') {
    const windowed = !!info.namespaceType && info.namespaceType !== 'VoidNamespace';
    host.replaceChildren(
      el('h2', {}, 'Add timer'),
      el(
        'div',
        { class: 'toolbar' },
        field('add-key', `Key (${info.keyType ?? ''})`, () => void addEntry(), '220px'),
        field('add-timestamp', 'Timestamp (epoch ms or ISO-8601)', () => void addEntry(), '240px'),
        windowed ? field('add-namespace', `Namespace (${info.namespaceType}) {"start":…,"end":…}`, () => void addEntry(), '260px') : undefined,
      ),
      el('div', { class: 'toolbar' }, button('add-go', 'Add', () => void addEntry(), { icon: 'add' }), button('add-cancel', 'Cancel', () => toggleAdd(), { secondary: true })),
      el('div', { id: 'add-error', class: 'error', role: 'alert' }),
    );
    host.hidden = false;
    return;
  }
  const valueField = el('vscode-textarea', { id: 'add-value', rows: '3', placeholder: info.kind === 'LIST' ? '["a", "b"]' : 'value as JSON', monospace: true });
  host.replaceChildren(
    el('h2', {}, 'Add entry'),
    el('div', { class: 'toolbar' }, field('add-key', `Key (${info.keyType ?? ''})`, () => void addEntry(), '220px'), info.kind === 'MAP' ? field('add-userkey', `User key (${info.userKeyType ?? ''})`, () => void addEntry(), '200px') : undefined),
    valueField,
    el('div', { class: 'toolbar' }, button('add-go', 'Add', () => void addEntry(), { icon: 'add' }), button('add-cancel', 'Cancel', () => toggleAdd(), { secondary: true })),
    el('div', { id: 'add-error', class: 'error', role: 'alert' }),
  );
  host.hidden = false;
}

async function addEntry(): Promise<void> {
  const key = valueOf($('add-key')).trim();
  const userKey = $('add-userkey') ? valueOf($('add-userkey')).trim() : undefined;
  const value = $('add-value') ? valueOf($('add-value')) : '';
  const timestamp = $('add-timestamp') ? valueOf($('add-timestamp')).trim() : undefined;
  const namespace = $('add-namespace') ? valueOf($('add-namespace')).trim() : undefined;
  const r = await rpc.request('add', { key, userKey, value, timestamp, namespace });
  const err = $('add-error');
  if (!r.ok) {
    if (err) err.textContent = r.error ?? 'rejected';
    return;
  }
  if (err) err.textContent = '';
  $('add-form')!.hidden = true;
  if (r.row) {
    // show the key group of the new entry
    stack = [{ kg: r.row.keyGroup ?? 0, skip: 0 }];
    selected = r.row.id;
    await load();
  }
}

async function saveAs(): Promise<void> {
  try {
    const r = await rpc.request('saveAs');
    if (r.dir) message(`New savepoint written to ${r.dir}. The source savepoint is unchanged.`, 'ok');
  } catch (e) {
    message(`Save As failed: ${(e as Error).message}`, 'error');
  }
}

function updateDirty(): void {
  const d = $('dirty');
  if (d) d.textContent = edits ? `${edits} edit${edits === 1 ? '' : 's'}${dirty ? ' not saved' : ' (saved to a new savepoint)'}` : '';
}

// ---------------------------------------------------------------------------------------------
// events from the extension

rpc.on('changed', (c) => {
  dirty = c.dirty;
  edits = c.edits;
  updateDirty();
  for (const r of c.rows) {
    const i = rows.findIndex((x) => x.id === r.id);
    if (i >= 0) rows[i] = r;
    else if (mode === 'page' && page && r.keyGroup !== undefined && rows.length && r.keyGroup >= (rows[0].keyGroup ?? 0) && r.keyGroup <= (rows[rows.length - 1].keyGroup ?? 0)) {
      // an added entry inside the shown range: reload the page to place it
      void load();
      return;
    }
  }
  for (const id of c.removed) {
    const i = rows.findIndex((x) => x.id === id);
    if (i >= 0) rows.splice(i, 1);
  }
  renderRows();
  const sel = rows.find((r) => r.id === selected);
  if (sel && c.rows.some((r) => r.id === sel.id)) void select(sel.id, false);
});

rpc.on('reload', (c) => {
  dirty = c.dirty;
  edits = c.edits;
  updateDirty();
  void load();
});

rpc.on('keyTimersChanged', () => void refreshKeyTimers());

rpc.on('lookupKey', (k) => void lookupFromOutside(k.key));

rpc.on('count', (c) => {
  total = c;
  statusLine();
});

rpc.on('saved', (s) => {
  dirty = false;
  updateDirty();
  message(`New savepoint written to ${s.dir}. The source savepoint is unchanged.`, 'ok');
});

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  try {
    const init = await rpc.request('init');
    if (!init.ok) {
      root.replaceChildren(el('h1', { id: 'title' }, 'Cannot open this state'), el('div', { class: 'error-box', id: 'error', role: 'alert' }, init.error));
      return;
    }
    info = init.info;
    dirty = info.dirty;
    edits = info.edits;
    renderShell(info);
    await load();
    if (init.lookup !== undefined) await lookupFromOutside(init.lookup);
  } catch (e) {
    root.replaceChildren(el('h1', {}, 'Cannot open this state'), el('div', { class: 'error-box', role: 'alert' }, (e as Error).message));
  }
}

void main();
