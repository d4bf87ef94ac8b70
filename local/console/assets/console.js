// The offline console's page: plain DOM, no framework, no build step. Every value shown comes
// from the app's events and data, which anyone can shape: it is only ever set as text
// (textContent through h()), never parsed as HTML.
/* global document, Node, fetch, requestAnimationFrame, EventSource, URLSearchParams, location */
'use strict';

// `redrives`: queue name → 'pending' or the answer, kept here so a live re-render does not lose it.
const state = { records: [], architecture: null, view: 'map', traceId: '', table: '', redrives: {} };

/** An element with attributes and children; strings become text nodes, never markup. */
function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** Replaces a panel's content; nested lists of children are flattened by h(). */
const fill = (panel, ...children) => panel.replaceChildren(h('div', {}, children));
const time = (at) => new Date(at).toISOString().slice(11, 23);
const pretty = (text) => {
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch { return String(text ?? ''); }
};
/** Outcome as a word and a symbol, so it reads without colour. */
const outcome = (ok, word) => h('span', { class: ok ? 'ok' : 'bad' }, ok ? `✓ ${word || 'ok'}` : `✗ ${word || 'failed'}`);
const follow = (id) => (id ? h('button', { class: 'link', type: 'button', 'data-follow': id, onclick: () => traceFor(id) }, id) : '—');

async function getJson(path, init) {
  const response = await fetch(`/_console/api/${path}`, init);
  const body = await response.json();
  if (!response.ok) throw new Error(body.title || response.statusText);
  return body;
}

// ------------------------------------------------------------------ views

function mapView() {
  const map = state.architecture;
  if (!map) return [h('p', {}, 'loading…')];
  return [
    h('h2', {}, 'Contexts'),
    h('div', { class: 'grid' }, map.contexts.map((context) => h('div', { class: 'card' },
      h('h3', {}, context.name),
      h('p', {}, h('strong', {}, 'tables: '), context.tables.join(', ') || 'none'),
      h('p', {}, h('strong', {}, `functions (${context.functions.length}): `)),
      h('ul', {}, context.functions.map((name) => h('li', {}, h('code', {}, name))))))),
    h('h2', {}, 'Event buses and rules'),
    map.buses.map((bus) => h('div', { class: 'card' }, h('h3', {}, `bus ${bus.name}`),
      h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'rule'), h('th', {}, 'pattern'), h('th', {}, 'targets → DLQ'))),
        h('tbody', {}, bus.rules.map((rule) => h('tr', {},
          h('td', {}, h('code', {}, rule.name), h('div', { class: 'muted' }, rule.context)),
          h('td', {}, h('pre', {}, JSON.stringify(rule.pattern, null, 1))),
          h('td', {}, rule.targets.map((target) => h('div', {}, `${target.kind}: `, h('code', {}, target.name), target.deadLetterQueue ? [' → DLQ ', h('code', {}, target.deadLetterQueue)] : ''))))))))),
    h('h2', {}, 'Queues'),
    h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'queue'), h('th', {}, 'context'), h('th', {}, 'role'))),
      h('tbody', {}, map.queues.map((queue) => h('tr', {}, h('td', {}, h('code', {}, queue.name)), h('td', {}, queue.context),
        h('td', {}, queue.isDeadLetterQueue ? `DLQ of ${queue.feeds.join(', ')}` : queue.deadLetterQueue ? ['redrives to ', h('code', {}, queue.deadLetterQueue)] : '—'))))),
    h('h2', {}, 'State machines'),
    map.stateMachines.map((machine) => h('div', { class: 'card' }, h('h3', {}, machine.name),
      h('ol', { class: 'path' }, machine.states.map((s) => h('li', {}, h('code', {}, s.name), ` ${s.type}`, s.compensation ? h('span', { class: 'warn' }, ' (compensation)') : '', s.next.length ? h('span', { class: 'muted' }, ` → ${s.next.join(', ')}`) : ''))))),
  ];
}

function deliveriesOf(eventId) {
  return state.records.filter((record) => record.kind === 'delivery' && record.data.eventId === eventId);
}

function deliveryText(record) {
  const d = record.data;
  if (d.deadLetter) return h('div', { class: 'bad' }, `⚠ dead-lettered to ${d.target}: ${d.errorCode || ''} ${d.errorMessage || ''}`);
  return h('div', {}, outcome(d.ok, d.ok ? `${d.kind} ${d.target}` : `${d.kind} ${d.target}: ${d.error}`), d.attempt > 1 ? h('span', { class: 'warn' }, ` (retry, attempt ${d.attempt})`) : '');
}

function eventRow(record) {
  const d = record.data;
  return h('tr', { 'data-event-id': d.id, 'data-detail-type': d.detailType },
    h('td', {}, time(record.at)),
    h('td', {}, h('code', {}, d.source), h('div', {}, h('strong', {}, d.detailType))),
    h('td', {}, follow(d.correlationId)),
    h('td', {}, d.rules.length ? d.rules.map((rule) => h('span', { class: 'tag' }, rule)) : h('span', { class: 'muted' }, 'no rule matched')),
    h('td', {}, deliveriesOf(d.id).map(deliveryText)),
    h('td', {}, h('details', {}, h('summary', {}, 'detail'), h('pre', {}, pretty(d.detail)))));
}

function eventsView() {
  const events = state.records.filter((record) => record.kind === 'event').slice(-300).reverse();
  const landings = state.records.filter((record) => record.kind === 'delivery' && record.data.deadLetter && !record.data.eventId);
  return [
    h('h2', {}, `Events (${events.length}, newest first)`),
    h('table', { id: 'events-table' }, h('thead', {}, h('tr', {}, ['time', 'source / detail-type', 'correlation id', 'rules matched', 'deliveries', ''].map((title) => h('th', {}, title)))),
      h('tbody', {}, events.map(eventRow))),
    landings.length ? [h('h2', {}, 'Other dead-letter landings'), h('ul', {}, landings.map((record) => h('li', {}, `${time(record.at)} from ${record.data.from} to ${record.data.target}`, h('pre', {}, pretty(record.data.body)))))] : '',
  ];
}

function latestExecutions() {
  const byArn = new Map();
  for (const record of state.records) if (record.kind === 'execution') byArn.set(record.data.arn, record);
  return [...byArn.values()].reverse();
}

function stepItem(step) {
  return h('li', { class: step.failed ? 'failed' : '', 'data-state': step.state },
    h('code', {}, step.state), ' ', step.failed ? h('span', { class: 'bad' }, `✗ ${step.failed}`) : step.output !== undefined ? h('span', { class: 'ok' }, '✓') : h('span', { class: 'warn' }, '… running'),
    h('details', {}, h('summary', {}, 'input / output'), h('pre', {}, `input: ${pretty(step.input)}`), h('pre', {}, `output: ${pretty(step.output ?? '')}`)));
}

function executionCard(record) {
  const d = record.data;
  const forward = d.steps.filter((step) => !step.compensation);
  const compensation = d.steps.filter((step) => step.compensation);
  const input = (() => { try { return JSON.parse(d.input); } catch { return {}; } })();
  return h('div', { class: 'card', 'data-execution': d.name, 'data-status': d.status },
    h('h3', {}, `${d.machine} · `, h('code', {}, d.name), ' · ', d.status === 'SUCCEEDED' ? outcome(true, 'SUCCEEDED') : d.status === 'RUNNING' ? h('span', { class: 'warn' }, '… RUNNING') : outcome(false, d.status)),
    input.orderId ? h('p', {}, 'order ', follow(input.orderId), input.correlationId ? [' · correlation ', follow(input.correlationId)] : '') : '',
    h('h4', {}, 'Path taken'), h('ol', { class: 'path', 'aria-label': 'path taken' }, forward.map(stepItem)),
    compensation.length ? h('div', { class: 'compensation' }, h('h4', {}, '⚠ Compensation'), h('ol', { class: 'path', 'aria-label': 'compensation' }, compensation.map(stepItem))) : '');
}

function sagasView() {
  const executions = latestExecutions();
  return [h('h2', {}, `Saga executions (${executions.length}, newest first)`), executions.length ? executions.map(executionCard) : h('p', { class: 'muted' }, 'none yet: place an order')];
}

async function dlqsView(panel) {
  const [queues, flagged] = await Promise.all([getJson('dead-letter-queues'), getJson('flagged')]);
  const redrive = async (name) => {
    state.redrives[name] = 'pending';
    state.redrives[name] = await getJson(`dead-letter-queues/${encodeURIComponent(name)}/redrive`, { method: 'POST' }).catch((error) => ({ error: error.message }));
    void render();
  };
  const redriveControl = (queue) => {
    const done = state.redrives[queue.name];
    const answer = done && done !== 'pending'
      ? h('span', { role: 'status', class: done.error || done.failed ? 'bad' : 'ok' }, done.error ? `✗ ${done.error}` : `${done.failed ? '✗' : '✓'} ${done.report}`)
      : '';
    // Messages that landed after the last redrive bring the button back beside its answer.
    const button = queue.count && queue.redrivable
      ? h('button', { type: 'button', disabled: done === 'pending', onclick: (event) => { event.currentTarget.disabled = true; void redrive(queue.name); } }, `Redrive ${queue.name}`)
      : '';
    return [answer, button];
  };
  fill(panel,
    h('h2', {}, 'Dead-letter queues'),
    queues.map((queue) => h('div', { class: 'card', 'data-queue': queue.name },
      h('h3', {}, h('code', {}, queue.name), ` · ${queue.count} message(s)`, queue.count ? h('span', { class: 'bad' }, ' ⚠') : ''),
      h('p', { class: 'muted' }, `holds ${queue.purpose}`),
      queue.messages.map((message) => h('details', {}, h('summary', {}, `message ${message.id}`, message.attributes.ERROR_CODE ? ` · ${message.attributes.ERROR_CODE}` : ''), h('pre', {}, pretty(message.body)), h('pre', {}, JSON.stringify(message.attributes, null, 1)))),
      redriveControl(queue))),
    h('h2', {}, `Orders flagged for an operator (${flagged.length})`),
    flagged.length ? h('table', {}, h('thead', {}, h('tr', {}, ['order', 'status', 'flagged at', 'error'].map((title) => h('th', {}, title)))),
      h('tbody', {}, flagged.map((order) => h('tr', { 'data-flagged': order.orderId }, h('td', {}, follow(order.orderId)), h('td', {}, order.status), h('td', {}, order.flaggedAt), h('td', {}, order.error))))) : h('p', { class: 'muted' }, 'none'));
}

async function tablesView(panel) {
  const tables = await getJson('tables');
  state.table ||= tables[0] ? tables[0].name : '';
  const select = h('select', { id: 'table-select', onchange: (event) => { state.table = event.currentTarget.value; void render(); } },
    tables.map((table) => h('option', { value: table.name, selected: table.name === state.table }, `${table.context}: ${table.name}`)));
  const scan = state.table ? await getJson(`tables/${encodeURIComponent(state.table)}`) : { items: [] };
  const columns = [...new Set(scan.items.flatMap((item) => Object.keys(item)))].slice(0, 12);
  fill(panel,
    h('h2', {}, 'Tables (read only)'), h('label', { for: 'table-select' }, 'Table '), select,
    h('p', { class: 'muted' }, `${scan.items.length} item(s)${scan.more ? ', more not shown' : ''}`),
    h('table', {}, h('thead', {}, h('tr', {}, columns.map((column) => h('th', {}, column)))),
      h('tbody', {}, scan.items.map((item) => h('tr', {}, columns.map((column) => h('td', {}, item[column] === undefined ? '' : typeof item[column] === 'object' ? JSON.stringify(item[column]) : String(item[column]))))))));
}

/** Records that mention the id, and (for an order's correlation id) those of the orders it touched. */
function traceRecords(id) {
  const ids = new Set([id]);
  const mentions = (record) => { const text = JSON.stringify(record.data); return [...ids].some((candidate) => text.includes(candidate)); };
  for (const record of state.records) if (record.kind === 'event' && mentions(record) && record.data.orderId) ids.add(record.data.orderId);
  return state.records.filter(mentions);
}

function traceLine(record) {
  const d = record.data;
  const what = {
    request: () => [`HTTP ${d.method} ${d.path} → ${d.status} (${d.ms} ms)`],
    invocation: () => [`function ${d.functionName} `, outcome(d.ok, d.ok ? `${d.ms} ms` : d.errorType)],
    event: () => [`event ${d.source} `, h('strong', {}, d.detailType), ` → rules ${d.rules.join(', ') || 'none'}`],
    delivery: () => [deliveryText(record)],
    execution: () => [`saga ${d.machine} ${d.name}: ${d.status} via ${d.steps.map((step) => step.state + (step.compensation ? ' (compensation)' : '')).join(' → ')}`],
  }[record.kind]();
  return h('li', { 'data-kind': record.kind }, h('span', { class: 'tag' }, record.kind), `${time(record.at)} `, what);
}

function traceView() {
  const result = document.getElementById('trace-result');
  const input = document.getElementById('trace-id');
  if (document.activeElement !== input) input.value = state.traceId;
  if (!state.traceId) return result.replaceChildren(h('p', { class: 'muted' }, 'Enter a correlation id (from an X-Correlation-Id header or an event) or an order id.'));
  const records = traceRecords(state.traceId);
  const latest = new Map();
  for (const record of records) latest.set(record.kind === 'execution' ? record.data.arn : record.seq, record);
  result.replaceChildren(h('h2', {}, `${state.traceId}: ${latest.size} step(s)`), h('ol', { class: 'path', id: 'trace-list' }, [...latest.values()].map(traceLine)));
}

// ------------------------------------------------------------------ plumbing

const SYNC_VIEWS = { map: mapView, events: eventsView, sagas: sagasView };
let pending = false;

async function render() {
  const panel = document.getElementById(`view-${state.view}`);
  try {
    if (SYNC_VIEWS[state.view]) fill(panel, SYNC_VIEWS[state.view]());
    else if (state.view === 'trace') traceView();
    else if (state.view === 'dlqs') await dlqsView(panel);
    else if (state.view === 'tables') await tablesView(panel);
  } catch (error) {
    panel.replaceChildren(h('p', { class: 'bad', role: 'alert' }, `✗ ${error.message}`));
  }
}

/** Live views redraw at most once a frame however many records arrive; data views redraw when chosen. */
function scheduleRender() {
  if (pending || !['events', 'sagas', 'trace'].includes(state.view)) return;
  pending = true;
  requestAnimationFrame(() => { pending = false; void render(); });
}

function select(view) {
  state.view = view;
  for (const tab of document.querySelectorAll('[role=tab]')) {
    const chosen = tab.id === `tab-${view}`;
    tab.setAttribute('aria-selected', String(chosen));
    tab.tabIndex = chosen ? 0 : -1;
    document.getElementById(tab.getAttribute('aria-controls')).hidden = !chosen;
  }
  void render();
}

function traceFor(id) {
  state.traceId = id;
  select('trace');
  document.getElementById('tab-trace').focus();
}

function setUpTabs() {
  const tabs = [...document.querySelectorAll('[role=tab]')];
  tabs.forEach((tab, index) => {
    tab.addEventListener('click', () => select(tab.id.slice(4)));
    // Arrow keys move between tabs, as the ARIA tabs pattern has it; Tab moves into the panel.
    tab.addEventListener('keydown', (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (!step) return;
      const next = tabs[(index + step + tabs.length) % tabs.length];
      next.focus();
      select(next.id.slice(4));
    });
  });
  document.getElementById('trace-form').addEventListener('submit', (event) => {
    event.preventDefault();
    traceFor(document.getElementById('trace-id').value.trim());
  });
}

function connect() {
  const status = document.getElementById('connection');
  const source = new EventSource('/_console/api/stream');
  source.onopen = () => { status.textContent = '● live'; };
  source.onerror = () => { status.textContent = '○ reconnecting…'; };
  const onRecord = (message) => {
    const record = JSON.parse(message.data);
    state.records.push(record);
    if (state.records.length > 4000) state.records.splice(0, state.records.length - 4000);
    // The DLQ view reads the queues: it is read again when something lands in one.
    if (state.view === 'dlqs' && record.kind === 'delivery' && record.data.deadLetter) void render();
    scheduleRender();
  };
  for (const kind of ['request', 'invocation', 'event', 'delivery', 'execution']) source.addEventListener(kind, onRecord);
}

document.addEventListener('DOMContentLoaded', async () => {
  setUpTabs();
  connect();
  state.architecture = await getJson('architecture');
  const wanted = new URLSearchParams(location.search).get('trace');
  if (wanted) traceFor(wanted);
  else void render();
});
