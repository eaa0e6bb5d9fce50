// The Sluice dashboard: polls /api/streams (what runs, how fast, errors) and /api/log (what the
// ingest log holds), and reads the rows of one output stream from its WebSocket feed
// (/feeds/<stream>) to chart its results by window. Plain browser module, no build step.

import { PALETTE, barList, lineChart } from './charts.js';
import { WindowSeries, resultShape, applyRows } from './results.js';

const MAX_ROWS = 100;
const TOP_KEYS = 8;
const RATE_SAMPLES = 120;

const $ = (selector) => document.querySelector(selector);
const el = (tag, text, className) => {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
};
const fmt = (n) => Number(n).toLocaleString('en-US');
const utc = (ms) => new Date(ms).toISOString().replace('T', ' ').replace(/\.000Z$|Z$/, '') + ' UTC';

const state = {
  stream: null,
  socket: null,
  columns: [],
  rows: [],
  received: 0,
  shape: null,
  series: null,
  metricCharts: new Map(),
  barMetric: null,
  keyColors: new Map(),
  dirty: false,
  rates: { key: '', charts: [], errors: null, data: [], errorData: [[], []] },
};

async function poll() {
  try {
    const report = await getJson('/api/streams');
    const log = report.log ? await getJson('/api/log') : null;
    // Applications deployed through the Kinesis Analytics API run on engines of their own.
    const apps = await getJson('/api/applications').catch(() => null);
    $('#apps-card').hidden = !apps || apps.applications.length === 0;
    if (apps) renderApplications(apps.applications);
    const running = report.queries.length > 0;
    $('#status').textContent = `live · ${new Date().toLocaleTimeString()}`;
    for (const id of ['#results', '#queries-card', '#streams-card']) $(id).hidden = !running;
    $('#no-app').hidden = running;
    $('#log-card').hidden = !log || (running && log.streams.length === 0);
    $('#log-card').classList.toggle('wide', !running);
    if (running) {
      renderQueries(report.queries);
      renderStreams(report.streams);
      renderPicker(report.streams);
      plotRates(report.queries, report.errors);
    }
    if (log) renderLog(log.streams);
  } catch {
    $('#status').textContent = 'server unreachable, retrying…';
  }
}

async function getJson(path) {
  const res = await fetch(path, { cache: 'no-store' });
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return res.json();
}

function renderQueries(queries) {
  $('#queries tbody').replaceChildren(...queries.map((q) => {
    const tr = el('tr');
    tr.append(el('td', q.name), el('td', `${q.source} → ${q.target}`), el('td', fmt(q.rowsIn), 'num'), el('td', fmt(q.rowsInPerSec), 'num'),
      el('td', fmt(q.rowsOut), 'num'), el('td', fmt(q.rowsOutPerSec), 'num'), el('td', fmt(q.openGroups), 'num'),
      el('td', q.watermark ? utc(Date.parse(q.watermark)) : '—'), el('td', q.lagMs === null ? '—' : duration(q.lagMs), 'num'));
    return tr;
  }));
}

/** 850 ms, 4.2 s, 3 min 20 s, 5 h 2 min, 12 days. */
function duration(ms) {
  const a = Math.abs(ms);
  const sign = ms < 0 ? '−' : '';
  if (a < 1000) return `${sign}${Math.round(a)} ms`;
  if (a < 60_000) return `${sign}${(a / 1000).toFixed(1)} s`;
  if (a < 3_600_000) return `${sign}${Math.floor(a / 60_000)} min ${Math.round((a % 60_000) / 1000)} s`;
  if (a < 172_800_000) return `${sign}${Math.floor(a / 3_600_000)} h ${Math.round((a % 3_600_000) / 60_000)} min`;
  return `${sign}${Math.round(a / 86_400_000)} days`;
}

function renderStreams(streams) {
  $('#streams').replaceChildren(...streams.map((s) => {
    const li = el('li');
    li.append(el('strong', s.name));
    if (s.output) li.append(el('span', 'output', 'tag'));
    if (s.clients) li.append(el('span', `${s.clients} watching`, 'tag'));
    li.append(el('span', s.columns.map((c) => `${c.name} ${c.type}`).join(', '), 'cols'));
    return li;
  }));
}

function renderApplications(apps) {
  $('#apps tbody').replaceChildren(...apps.map((a) => {
    const tr = el('tr');
    const input = a.inputs.map((i) => `${i.stream} → ${i.namePrefix}_001${i.startingPosition ? ` (${i.startingPosition})` : ''}`).join(', ') || '—';
    const outputs = a.outputs.map((o) => `${o.name} → ${o.target} (${o.format})`).join(', ') || '—';
    const sum = (key) => a.queries.reduce((n, q) => n + q[key], 0);
    const notice = a.notices[a.notices.length - 1];
    const last = el('td', notice ? notice.message : '—', 'muted');
    if (notice) last.title = notice.at;
    tr.append(el('td', a.name), el('td', a.status), el('td', fmt(a.version), 'num'), el('td', input), el('td', outputs),
      el('td', fmt(sum('rowsIn')), 'num'), el('td', fmt(sum('rowsOut')), 'num'), el('td', fmt(a.errors), 'num'), last);
    return tr;
  }));
}

function renderLog(streams) {
  const body = $('#log tbody');
  if (streams.length === 0) {
    const tr = el('tr');
    const td = el('td', 'No streams yet: create one with the AWS SDK or CLI (aws kinesis create-stream --endpoint-url …).', 'muted');
    td.colSpan = 5;
    tr.append(td);
    body.replaceChildren(tr);
    return;
  }
  const rows = [];
  for (const s of streams) {
    const tr = el('tr', undefined, 'log-stream');
    tr.append(el('td', s.name), el('td', `${s.shards.length} ${s.shards.length === 1 ? 'shard' : 'shards'} · ${s.status}`), el('td', fmt(s.records), 'num'), el('td', bytes(s.bytes), 'num'), lastWrite(s.lastWrite));
    rows.push(tr);
    for (const sh of s.shards) {
      const row = el('tr', undefined, 'log-shard');
      row.append(el('td', ''), el('td', `${sh.shardId}${sh.open ? '' : ' (closed)'}`), el('td', fmt(sh.records), 'num'), el('td', bytes(sh.bytes), 'num'), lastWrite(sh.lastWrite));
      rows.push(row);
    }
  }
  body.replaceChildren(...rows);
}

function bytes(n) {
  return n >= 1e9 ? `${(n / 1e9).toFixed(2)} GB` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} kB` : `${n} B`;
}

function lastWrite(iso) {
  const td = el('td', iso ? `${duration(Date.now() - Date.parse(iso))} ago` : '—', 'num');
  if (iso) td.title = iso;
  return td;
}

function renderPicker(streams) {
  const outputs = streams.filter((s) => s.output);
  const pick = $('#pick');
  if (pick.options.length !== outputs.length || outputs.some((s, i) => pick.options[i].value !== s.name)) {
    pick.replaceChildren(...outputs.map((s) => el('option', s.name)));
  }
  if (!state.stream && outputs.length) {
    const wanted = new URLSearchParams(location.search).get('stream');
    const charted = outputs.find((s) => s.name !== 'error_stream' && s.columns.some((c) => /INT|DOUBLE|FLOAT|DECIMAL|REAL|NUMERIC/.test(c.type)));
    watch(outputs.some((s) => s.name === wanted) ? wanted : (charted ?? outputs.find((s) => s.name !== 'error_stream') ?? outputs[0]).name);
  }
  if (state.stream) pick.value = state.stream;
}

function watch(stream) {
  state.socket?.close();
  state.stream = stream;
  state.rows = [];
  state.received = 0;
  state.shape = null;
  state.series = null;
  for (const c of state.metricCharts.values()) c.chart.destroy();
  state.metricCharts.clear();
  $('#metric-charts').replaceChildren();
  renderRows(0);
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const socket = new WebSocket(`${scheme}://${location.host}/feeds/${encodeURIComponent(stream)}`);
  state.socket = socket;
  socket.onmessage = (event) => {
    if (socket !== state.socket) return;
    const message = JSON.parse(event.data);
    if (message.type === 'history') {
      state.columns = message.columns;
      state.shape = resultShape(message.columns);
      state.series = new WindowSeries(state.shape);
      state.barMetric = state.shape.metrics[0] ?? null;
      renderMetricPicker();
    }
    state.series?.add(message.rows.filter((r) => r.op === undefined || r.op === '+I' || r.op === '+U'));
    const fresh = message.rows.filter((r) => r.op !== '-U' && r.op !== '-D');
    state.rows = applyRows(state.rows, message.rows).slice(0, MAX_ROWS);
    state.received += message.rows.length;
    renderRows(message.type === 'rows' ? Math.min(fresh.length, MAX_ROWS) : 0);
    state.dirty = true;
  };
  socket.onclose = (event) => {
    if (socket !== state.socket) return;
    $('#status').textContent = `feed closed: ${event.reason || event.code}; reconnecting…`;
    setTimeout(() => socket === state.socket && watch(stream), 2000);
  };
}

function renderMetricPicker() {
  const pick = $('#bar-metric');
  pick.replaceChildren(...state.shape.metrics.map((m) => el('option', m)));
  if (state.barMetric) pick.value = state.barMetric;
}

/** Redraws the result charts at most a few times a second, however fast rows come. */
function renderResults() {
  if (!state.dirty || !state.series) return;
  state.dirty = false;
  const { time, metrics, keys } = state.shape;
  const chartable = time !== null && metrics.length > 0;
  $('#result-charts').hidden = !chartable;
  $('#result-note').hidden = chartable;
  if (!chartable) {
    $('#result-note').textContent = time === null ? `${state.stream} has no window or time column to chart by.` : `${state.stream} has no numeric column to chart.`;
    return;
  }
  for (const metric of metrics) {
    const top = state.series.topKeys(metric, TOP_KEYS);
    const signature = top.join('\u0000');
    let entry = state.metricCharts.get(metric);
    if (!entry || entry.signature !== signature) {
      entry?.chart.destroy();
      let box = $(`#metric-charts [data-metric="${CSS.escape(metric)}"]`);
      if (!box) {
        box = el('div', undefined, 'chart');
        box.dataset.metric = metric;
        $('#metric-charts').append(box);
      }
      box.replaceChildren();
      const title = `${metric} by ${time}${keys.length ? `, top ${Math.min(TOP_KEYS, top.length)} ${keys.join(' · ')}` : ''}`;
      const chart = lineChart(box, { title, series: top.map((k) => ({ label: k, color: colorOf(k) })), padSeconds: 5 });
      entry = { chart, signature };
      state.metricCharts.set(metric, entry);
    }
    entry.chart.set(state.series.aligned(metric, top));
  }
  renderLatest();
}

function renderLatest() {
  const metric = state.barMetric;
  if (!metric) return;
  const { time, items } = state.series.latest(metric, 12);
  $('#latest-title').textContent = time === null ? 'Latest window' : `Latest window · ${utc(time)}`;
  barList($('#bars'), items.map((i) => ({ ...i, color: colorOf(i.label) })));
}

/** One color per key for as long as the page is open, so a line keeps its color when the top keys change. */
function colorOf(key) {
  if (!state.keyColors.has(key)) state.keyColors.set(key, PALETTE[state.keyColors.size % PALETTE.length]);
  return state.keyColors.get(key);
}

function renderRows(freshCount) {
  const isNumeric = (type) => /INT|DOUBLE|FLOAT|DECIMAL|REAL|NUMERIC/.test(type);
  const head = el('tr');
  head.append(...state.columns.map((c) => el('th', c.name, isNumeric(c.type) ? 'num' : undefined)));
  $('#rows thead').replaceChildren(head);
  $('#rows tbody').replaceChildren(...state.rows.map((row, i) => {
    const tr = el('tr', undefined, i < freshCount ? 'fresh' : undefined);
    tr.append(...state.columns.map((c) => el('td', show(row[c.name], c.type), isNumeric(c.type) ? 'num' : undefined)));
    return tr;
  }));
  const count = $('#row-count');
  count.dataset.count = String(state.received);
  count.textContent = `${fmt(state.received)} rows received`;
}

function show(value, type) {
  if (value === null || value === undefined) return '∅';
  if (typeof value === 'number' && !Number.isInteger(value)) return value.toFixed(2);
  if (type === 'TIMESTAMP') return String(value).replace('T', ' ').replace('Z', '');
  return String(value);
}

/**
 * Per query, rows in and rows out per second over the last two minutes, in a chart of its own (two
 * queries reading one stream have the same rows in, and would hide each other in one chart), rows
 * out on its own axis; and rows to error_stream per second.
 */
function plotRates(queries, errors) {
  const r = state.rates;
  const key = queries.map((q) => q.name).join('\u0000');
  if (r.charts.length === 0 || key !== r.key) {
    for (const c of r.charts) c.destroy();
    r.key = key;
    r.charts = queries.map((q) => {
      const box = el('div', undefined, 'chart');
      box.dataset.query = q.name;
      return { box, q };
    });
    $('#rates-charts').replaceChildren(...r.charts.map((c) => c.box));
    r.charts = r.charts.map(({ box, q }) => lineChart(box, {
      title: `${q.name}: rows per second (${q.source} → ${q.target})`,
      series: [{ label: 'in', color: PALETTE[0] }, { label: 'out (right axis)', color: PALETTE[1], dash: [8, 5], right: true }],
      spanSeconds: RATE_SAMPLES,
    }));
    r.data = queries.map(() => [[], [], []]);
  }
  if (!r.errors) r.errors = lineChart($('#errors-chart'), { title: 'rows to error_stream per second', series: [{ label: 'errors/s', color: '#c92a2a' }], spanSeconds: RATE_SAMPLES });
  const now = Date.now() / 1000;
  queries.forEach((q, i) => {
    const d = r.data[i];
    d[0].push(now);
    d[1].push(q.rowsInPerSec);
    d[2].push(q.rowsOutPerSec);
  });
  r.errorData[0].push(now);
  r.errorData[1].push(errors.perSec);
  for (const d of [...r.data, r.errorData]) if (d[0].length > RATE_SAMPLES) for (const s of d) s.shift();
  r.charts.forEach((c, i) => c.set(r.data[i]));
  r.errors.set(r.errorData);
  $('#error-total').textContent = `${fmt(errors.total)} rows in error_stream`;
}

$('#pick').addEventListener('change', (event) => watch(event.target.value));
$('#bar-metric').addEventListener('change', (event) => {
  state.barMetric = event.target.value;
  if (state.series) renderLatest();
});
poll();
setInterval(poll, 1000);
setInterval(renderResults, 400);

