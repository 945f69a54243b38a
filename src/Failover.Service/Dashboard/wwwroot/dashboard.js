// The Failover dashboard: status, producers × rounds, participation and LIB lag, the failover timeline — read from
// the query API and kept live by /api/stream (server-sent events read through fetch, so the bearer token can be sent
// when read routes are protected, and Last-Event-ID resumes the stream after a reconnect). No external resources.

const GRID_ROUNDS = 12;
const CHART_ROUNDS = 30;
const SVG = 'http://www.w3.org/2000/svg';
const $ = (id) => document.getElementById(id);

/** The API token, held in this page's memory only (never stored). */
let token = '';
let lastEventId = null;
let pendingAction = null;

function headers(extra = {}) {
  return token ? { ...extra, Authorization: `Bearer ${token}` } : extra;
}

async function getJson(path) {
  const response = await fetch(path, { headers: headers({ Accept: 'application/json' }), cache: 'no-store' });
  if (response.status === 401 || response.status === 403) {
    const problem = await response.json().catch(() => ({}));
    showReadProblem(`${problem.title ?? 'Unauthorized'}: ${problem.detail ?? ''} Use a control button to enter the API token.`);
    throw new Error(`read refused: ${response.status}`);
  }
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  $('read-problem').hidden = true;
  return response.json();
}

function showReadProblem(text) {
  const p = $('read-problem');
  p.textContent = text;
  p.hidden = false;
}

const text = (id, value) => { $(id).textContent = value ?? '—'; };
const percent = (rate) => (rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(0)} %`);
const time = (iso) => (iso ? new Date(iso).toISOString().slice(11, 19) + 'Z' : '—');
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v; else if (k.startsWith('data-')) node.setAttribute(k, v); else node[k] = v;
  }
  for (const child of children) node.append(child);
  return node;
};

// ---- status header ----

function renderStatus(status) {
  text('producer', status.producer);
  text('active-dc', status.active_data_center ?? 'none of ours');
  text('onchain-key', (status.on_chain_keys ?? []).join(', ') || '—');
  const automation = $('automation');
  automation.textContent = status.automation;
  automation.className = `badge ${status.automation}`;
  const chain = status.chain ?? {};
  text('head', chain.head_block_num ? `#${chain.head_block_num} by ${chain.head_producer ?? '?'}` : '—');
  text('lib-lag', chain.lib_lag ?? '—');
  text('participation', `${percent(chain.last_full_round_participation)} / ${percent(chain.sliding_window_participation)}`);
  text('our-missed', chain.our_consecutive_missed ?? 0);
}

// ---- producers × rounds grid ----

function renderGrid(rounds, producer) {
  const shown = rounds.slice(0, GRID_ROUNDS).reverse(); // oldest left
  const names = [...new Set(shown.flatMap((r) => r.producers.map((p) => p.producer)))].sort();
  const table = $('grid');
  table.replaceChildren();
  const head = el('tr', {}, el('th', { class: 'producer' }, 'producer \\ round'));
  for (const round of shown) head.append(el('th', { title: `slots ${round.round_start}–${round.round_end}` }, time(round.starts_at).slice(0, 5)));
  table.append(el('thead', {}, head));
  const body = el('tbody');
  for (const name of names) {
    const row = el('tr', { 'data-producer': name, class: name === producer ? 'ours' : '' }, el('th', { class: 'producer' }, name));
    for (const round of shown) {
      const slots = round.producers.find((p) => p.producer === name) ?? { produced: 0, missed: 0 };
      const kind = slots.produced + slots.missed === 0 ? 'empty' : slots.missed === 0 ? 'produced' : slots.produced === 0 ? 'missed' : 'partial';
      row.append(el('td', {
        class: `cell ${kind}`, 'data-round': String(round.round_start), 'data-produced': String(slots.produced), 'data-missed': String(slots.missed),
        title: `${name}, round ${round.round_start}: ${slots.produced} produced, ${slots.missed} missed`,
      }, kind === 'empty' ? '' : slots.missed ? `${slots.produced}/${slots.missed}` : String(slots.produced)));
    }
    body.append(row);
  }
  table.append(body);
}

// ---- participation and LIB lag chart (hand-written SVG) ----

function renderChart(rounds) {
  const points = rounds.slice(0, CHART_ROUNDS).reverse().filter((r) => r.observed_slots > 0);
  const svg = $('chart');
  svg.replaceChildren();
  const [left, right, top, bottom, width, height] = [40, 40, 10, 30, 800, 220];
  const x = (i) => left + (points.length <= 1 ? 0 : (i * (width - left - right)) / (points.length - 1));
  const maxLag = Math.max(4, ...points.map((r) => r.lib_lag ?? 0));
  const yRate = (rate) => top + (1 - rate) * (height - top - bottom);
  const yLag = (lag) => top + (1 - lag / maxLag) * (height - top - bottom);
  const add = (tag, attrs) => { const n = document.createElementNS(SVG, tag); for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v); svg.append(n); return n; };
  add('line', { class: 'axis', x1: left, y1: height - bottom, x2: width - right, y2: height - bottom });
  add('line', { class: 'axis', x1: left, y1: top, x2: left, y2: height - bottom });
  add('line', { class: 'axis', x1: width - right, y1: top, x2: width - right, y2: height - bottom });
  for (const rate of [0, 0.5, 0.8, 1]) add('text', { x: 4, y: yRate(rate) + 3 }).textContent = `${rate * 100}%`;
  add('text', { x: width - right + 4, y: top + 8 }).textContent = `${maxLag}`;
  add('text', { x: width - right + 4, y: height - bottom }).textContent = '0';
  add('line', { x1: left, y1: yRate(0.8), x2: width - right, y2: yRate(0.8), stroke: '#2f6fdb', 'stroke-dasharray': '3 4', 'stroke-opacity': '0.4' });
  if (points.length === 0) return;
  add('polyline', { id: 'participation-line', fill: 'none', stroke: '#2f6fdb', 'stroke-width': 2, points: points.map((r, i) => `${x(i)},${yRate(r.participation)}`).join(' ') });
  const lagged = points.map((r, i) => [i, r.lib_lag]).filter(([, lag]) => lag !== null && lag !== undefined);
  add('polyline', { id: 'lib-line', fill: 'none', stroke: '#c2571a', 'stroke-width': 2, points: lagged.map(([i, lag]) => `${x(i)},${yLag(lag)}`).join(' ') });
  points.forEach((r, i) => {
    if (i % Math.ceil(points.length / 8) === 0) add('text', { x: x(i) - 14, y: height - bottom + 14 }).textContent = time(r.starts_at).slice(0, 5);
    const dot = add('circle', { cx: x(i), cy: yRate(r.participation), r: 3, fill: r.our_status === 'produced' || r.our_status === 'not-scheduled' ? '#2f6fdb' : '#d0453b' });
    const title = document.createElementNS(SVG, 'title');
    title.textContent = `round ${r.round_start}: participation ${percent(r.participation)}, LIB lag ${r.lib_lag ?? '—'}, ours ${r.our_status}`;
    dot.append(title);
  });
}

// ---- failover timeline ----

function evidenceOf(event) {
  const box = el('div', { class: 'evidence', hidden: true });
  const evidence = event.evidence ?? {};
  const chain = evidence.chain ?? {};
  const incident = evidence.incident;
  const facts = [
    ['evaluated at', time(evidence.evaluated_at)],
    incident ? ['incident', `${incident.consecutive_missed} consecutive misses from slot ${incident.first_missed_slot}, revealed by block ${incident.revealed_by_block_num}`] : null,
    evidence.manual ? ['manual request', `${evidence.manual.data_center} by ${evidence.manual.by}: ${evidence.manual.reason}`] : null,
    ['head / LIB', `#${chain.head_block_num} / #${chain.last_irreversible_block_num}`],
    ['participation', `${percent(chain.last_full_round?.rate)} last round, ${percent(chain.sliding_window?.rate)} sliding`],
    ['endpoints agreeing', `${chain.endpoints_agreeing} of ${chain.endpoints_configured}`],
    ['policy', `${event.decision?.policy_hash?.slice(0, 16) ?? ''}…`],
  ].filter(Boolean);
  const table = el('table');
  for (const [k, v] of facts) table.append(el('tr', {}, el('td', {}, k), el('td', {}, String(v))));
  for (const gate of event.decision?.gates ?? []) {
    const verdict = gate.overridden ? 'overridden' : gate.pending ? 'pending' : gate.passed ? 'passed' : 'failed';
    table.append(el('tr', { class: 'gate-row' }, el('td', { class: `gate ${verdict}` }, `${gate.reason}: ${verdict}`), el('td', {}, gate.detail)));
  }
  box.append(table);
  return box;
}

function decisionItem(label, event) {
  const item = el('li', { class: 'decision-item' });
  const line = el('div', { class: 'decision', tabIndex: 0, title: 'Show the evidence' }, label);
  const evidence = evidenceOf(event);
  const toggle = () => { evidence.hidden = !evidence.hidden; };
  line.addEventListener('click', toggle);
  line.addEventListener('keydown', (e) => { if (e.key === 'Enter') toggle(); });
  item.append(line, evidence);
  return item;
}

function renderTimeline(failovers) {
  const list = $('timeline');
  list.replaceChildren();
  if (failovers.length === 0) list.append(el('li', { class: 'empty' }, 'No incident so far.'));
  for (const f of failovers) {
    const item = el('li', { class: 'incident', 'data-outcome': f.outcome, 'data-sequence': String(f.sequence) });
    item.append(el('h3', {}, `#${f.sequence} ${f.outcome} — opened ${time(f.opened_at)}`));
    const decisions = el('ul', { class: 'steps' });
    const events = [...(f.suppressions ?? []).map((s) => ['suppress', s]), ...(f.trigger ? [['trigger', f.trigger]] : [])]
      .sort((a, b) => a[1].decided_at.localeCompare(b[1].decided_at));
    for (const [kind, e] of events) {
      decisions.append(decisionItem(kind === 'trigger'
        ? `${time(e.decided_at)} DECISION: rotate to ${e.target_data_center} (${e.target_key})`
        : `${time(e.decided_at)} suppressed: ${e.reasons.join(', ')}`, e));
    }
    item.append(decisions);
    for (const r of f.rotations ?? []) {
      const steps = el('ul', { class: 'steps rotation', 'data-phase': r.phase });
      steps.append(el('li', {}, `${time(r.requested_at)} transaction `, el('span', { class: 'mono' }, r.transaction_id), ` (${r.actions.join(' + ')}) → ${r.target_data_center}`));
      if (r.submitted_at) steps.append(el('li', {}, `${time(r.submitted_at)} pushed to ${r.submitted_to}: ${r.submit_outcome}`));
      if (r.failure_reason) steps.append(el('li', { class: 'gate failed' }, `failed (${r.failure_reason}): ${r.failure_detail ?? ''}`));
      if (r.key_rotated_at) steps.append(el('li', {}, `${time(r.key_rotated_at)} producers table shows ${r.target_key}`));
      if (r.activated_at) steps.append(el('li', {}, `${time(r.activated_at)} schedule v${r.activated_schedule_version} in force`));
      if (r.completed_at) steps.append(el('li', { class: 'completed' }, `${time(r.completed_at)} completed: block ${r.completed_block_num} signed by ${r.target_data_center}`));
      item.append(steps);
    }
    list.append(item);
  }
}

// ---- loading and live updates ----

let status = null;
const refresh = { rounds: null, failovers: null };

async function loadStatus() { status = await getJson('/api/status'); renderStatus(status); }

async function loadRounds() {
  const page = await getJson(`/api/rounds?limit=${CHART_ROUNDS}`);
  renderGrid(page.rounds, status?.producer);
  renderChart(page.rounds);
}

async function loadFailovers() { renderTimeline((await getJson('/api/failovers?limit=20')).failovers); }

/** Runs a reload at most once per interval, trailing. */
function throttled(key, load, interval) {
  if (refresh[key]) return;
  refresh[key] = setTimeout(async () => { refresh[key] = null; try { await load(); } catch { /* shown by getJson */ } }, interval);
}

function onItem(item) {
  if (item.id) { lastEventId = item.id; text('last-event', `#${item.id} ${item.event === 'status' ? '' : item.event}`); }
  if (item.event === 'status') { status = JSON.parse(item.data); renderStatus(status); return; }
  if (/^(block-|fork-|participation-|producer-schedule)/.test(item.event)) throttled('rounds', loadRounds, 1000);
  if (/^(failover-|key-rotation|signing-key|automation-|manual-failover|key-rotated)/.test(item.event)) throttled('failovers', loadFailovers, 300);
}

function setLive(online) {
  const live = $('live');
  live.textContent = online ? 'live' : 'offline';
  live.className = `live ${online ? 'online' : 'offline'}`;
}

/** Server-sent events over fetch: resumes with Last-Event-ID after any break. */
async function follow() {
  for (;;) {
    try {
      const response = await fetch('/api/stream', { headers: headers(lastEventId ? { Accept: 'text/event-stream', 'Last-Event-ID': lastEventId } : { Accept: 'text/event-stream' }), cache: 'no-store' });
      if (!response.ok) throw new Error(`stream: HTTP ${response.status}`);
      setLive(true);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value.replaceAll('\r\n', '\n');
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const item = { event: 'message', data: '', id: null };
          for (const line of block.split('\n')) {
            const colon = line.indexOf(':');
            if (colon <= 0) continue;
            const [field, raw] = [line.slice(0, colon), line.slice(colon + 1)];
            const v = raw.startsWith(' ') ? raw.slice(1) : raw;
            if (field === 'event') item.event = v; else if (field === 'id') item.id = v; else if (field === 'data') item.data += (item.data ? '\n' : '') + v;
          }
          onItem(item);
        }
      }
    } catch { /* reconnect below */ }
    setLive(false);
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

// ---- control ----

const titles = { pause: 'Pause automation', resume: 'Resume automation', rearm: 'Re-arm automation' };

function openControl(action) {
  pendingAction = action;
  text('control-title', titles[action]);
  $('control-token').value = token;
  $('control-reason').value = '';
  $('control-dialog').showModal();
  (token ? $('control-reason') : $('control-token')).focus();
}

async function sendControl(event) {
  event.preventDefault();
  const action = pendingAction;
  token = $('control-token').value.trim();
  const reason = $('control-reason').value;
  $('control-dialog').close();
  const result = $('control-result');
  result.className = 'result';
  result.textContent = `${titles[action]}…`;
  try {
    const response = await fetch(`/api/automation/${action}`, {
      method: 'POST', headers: headers({ 'Content-Type': 'application/json', Accept: 'application/json' }), body: JSON.stringify({ reason, by: 'dashboard' }),
    });
    const body = await response.json().catch(() => ({}));
    if (response.ok) {
      result.className = 'result ok';
      result.textContent = `${titles[action]}: ${body.message} (event #${body.position}).`;
      await loadStatus();
    } else {
      if (response.status === 401) token = '';
      result.className = 'result error';
      result.textContent = `${titles[action]} refused — ${response.status} ${body.title ?? ''}: ${body.detail ?? ''}`;
    }
  } catch (e) {
    result.className = 'result error';
    result.textContent = `${titles[action]} failed: ${e.message}`;
  }
}

for (const button of document.querySelectorAll('button[data-action]')) button.addEventListener('click', () => openControl(button.dataset.action));
$('control-form').addEventListener('submit', sendControl);
$('control-cancel').addEventListener('click', () => $('control-dialog').close());

async function start() {
  try { await loadStatus(); await Promise.all([loadRounds(), loadFailovers()]); } catch { /* shown; the stream retries */ }
  follow();
}

start();
