// The Sluice dashboard: polls /api/streams for what runs and how fast, and reads the rows of one
// output stream from its WebSocket feed (/feeds/<stream>). Plain browser module, no build step.

const MAX_ROWS = 100;
const CHART_POINTS = 120;

const $ = (selector) => document.querySelector(selector);
const el = (tag, text, className) => {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
};
const fmt = (n) => Number(n).toLocaleString('en-US');

const state = { stream: null, socket: null, columns: [], rows: [], received: 0, chart: null, chartQueries: '', series: [] };

async function poll() {
  try {
    const res = await fetch('/api/streams', { cache: 'no-store' });
    const report = await res.json();
    $('#status').textContent = `live · ${new Date().toLocaleTimeString()}`;
    renderQueries(report.queries);
    renderStreams(report.streams);
    renderPicker(report.streams);
    plotRates(report.queries);
  } catch {
    $('#status').textContent = 'server unreachable, retrying…';
  }
}

function renderQueries(queries) {
  const body = $('#queries tbody');
  body.replaceChildren(...queries.map((q) => {
    const tr = el('tr');
    tr.append(el('td', q.name), el('td', `${q.source} → ${q.target}`), el('td', fmt(q.rowsIn), 'num'), el('td', fmt(q.rowsInPerSec), 'num'),
      el('td', fmt(q.rowsOut), 'num'), el('td', fmt(q.rowsOutPerSec), 'num'), el('td', fmt(q.openGroups), 'num'));
    return tr;
  }));
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

function renderPicker(streams) {
  const outputs = streams.filter((s) => s.output).map((s) => s.name);
  const pick = $('#pick');
  if (pick.options.length !== outputs.length || outputs.some((n, i) => pick.options[i].value !== n)) {
    pick.replaceChildren(...outputs.map((n) => el('option', n)));
  }
  if (!state.stream && outputs.length) {
    const wanted = new URLSearchParams(location.search).get('stream');
    watch(outputs.includes(wanted) ? wanted : outputs.find((n) => n !== 'error_stream') ?? outputs[0]);
  }
  if (state.stream) pick.value = state.stream;
}

function watch(stream) {
  state.socket?.close();
  state.stream = stream;
  state.rows = [];
  state.received = 0;
  renderRows(0);
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const socket = new WebSocket(`${scheme}://${location.host}/feeds/${encodeURIComponent(stream)}`);
  state.socket = socket;
  socket.onmessage = (event) => {
    if (socket !== state.socket) return;
    const message = JSON.parse(event.data);
    if (message.type === 'history') state.columns = message.columns;
    const fresh = message.rows.slice().reverse();
    state.rows = fresh.concat(state.rows).slice(0, MAX_ROWS);
    state.received += message.rows.length;
    renderRows(message.type === 'rows' ? Math.min(fresh.length, MAX_ROWS) : 0);
  };
  socket.onclose = (event) => {
    if (socket !== state.socket) return;
    $('#status').textContent = `feed closed: ${event.reason || event.code}; reconnecting…`;
    setTimeout(() => socket === state.socket && watch(stream), 2000);
  };
}

function renderRows(freshCount) {
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

const isNumeric = (type) => /INT|DOUBLE|FLOAT|DECIMAL|REAL|NUMERIC/.test(type);

function show(value, type) {
  if (value === null || value === undefined) return '∅';
  if (typeof value === 'number' && !Number.isInteger(value)) return value.toFixed(2);
  if (type === 'TIMESTAMP') return String(value).replace('T', ' ').replace('Z', '');
  return String(value);
}

function plotRates(queries) {
  const key = queries.map((q) => q.name).join('\u0000');
  if (!state.chart || key !== state.chartQueries) {
    state.chart?.destroy();
    state.chartQueries = key;
    state.series = [[], ...queries.map(() => [])];
    const colors = ['#2f6fed', '#e8590c', '#2b8a3e', '#ae3ec9', '#c92a2a', '#1098ad'];
    state.chart = new uPlot({
      width: $('#chart').clientWidth || 600,
      height: 220,
      title: 'rows in per second, by query',
      series: [{}, ...queries.map((q, i) => ({ label: q.name, stroke: colors[i % colors.length], width: 2 }))],
      axes: [{}, { size: 60 }],
      // Always show at least the last minute, so the first points do not stretch the axis over years.
      scales: {
        x: {
          time: true,
          range: (_u, min, max) => {
            const hi = Number.isFinite(max) ? max : Date.now() / 1000;
            const lo = Number.isFinite(min) ? min : hi;
            return [Math.min(lo, hi - 60), hi + 1];
          },
        },
      },
    }, state.series, $('#chart'));
  }
  state.series[0].push(Date.now() / 1000);
  queries.forEach((q, i) => state.series[i + 1].push(q.rowsInPerSec));
  if (state.series[0].length > CHART_POINTS) for (const s of state.series) s.shift();
  state.chart.setData(state.series);
}

$('#pick').addEventListener('change', (event) => watch(event.target.value));
window.addEventListener('resize', () => state.chart?.setSize({ width: $('#chart').clientWidth, height: 220 }));
poll();
setInterval(poll, 1000);
