// uPlot charts for the dashboard: time on x in UTC (the rows' timestamps are UTC), y from zero to a
// rounded maximum, ticks spaced so labels never overlap, and the state a test can read back.

/* global uPlot */

export const PALETTE = ['#2f6fed', '#e8590c', '#2b8a3e', '#ae3ec9', '#c92a2a', '#1098ad', '#e67700', '#5c7cfa', '#868e96', '#099268'];

const HEIGHT = 220;

/** 1.2k, 3.4M: short enough for a y axis. */
export function compact(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return '';
  const a = Math.abs(n);
  if (a >= 1e9) return `${+(n / 1e9).toFixed(1)}G`;
  if (a >= 1e6) return `${+(n / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${+(n / 1e3).toFixed(1)}k`;
  if (a >= 100 || Number.isInteger(n)) return String(Math.round(n));
  return String(+n.toFixed(2));
}

/** The next "nice" number at or above x (1, 2, 2.5, 5 × 10^k), so the axis top does not follow every wiggle. */
function niceCeil(x) {
  if (!(x > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

const pad = (n, w = 2) => String(n).padStart(w, '0');

/**
 * Tick labels in UTC, 24-hour, as precise as the tick spacing needs; the date is added under the
 * first tick and wherever the day changes.
 */
function timeLabels(_u, ticks, _axis, _space, incr) {
  let lastDay = '';
  return ticks.map((t) => {
    const d = new Date(t * 1000);
    const day = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
    const hm = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
    const time = incr >= 86400 ? '' : incr >= 60 ? hm : incr >= 1 ? `${hm}:${pad(d.getUTCSeconds())}` : `${hm}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
    const label = day !== lastDay ? (time ? `${time}\n${day}` : day) : time;
    lastDay = day;
    return label;
  });
}

/**
 * A line chart over time. `series`: [{label, color, dash?, right?}]; series marked `right` use a
 * second y axis on the right (rows out beside rows in, which may be orders of magnitude apart).
 * The x axis spans the data's own time range (`spanSeconds` instead keeps the last N seconds, for
 * rates sampled by the page); a single point gets `padSeconds` either side. y starts at zero:
 * small changes stay small on screen.
 */
export function lineChart(el, { title, series, spanSeconds = null, padSeconds = 1, yLabel = '' }) {
  const width = () => Math.max(300, el.clientWidth || 600);
  let last = null;
  const opts = {
    title,
    width: width(),
    height: HEIGHT,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'),
    legend: { live: false },
    cursor: { points: { size: 6 } },
    series: [
      { label: 'time (UTC)' },
      ...series.map((s) => ({ label: s.label, scale: s.right ? 'right' : 'y', stroke: s.color, width: 2, dash: s.dash, spanGaps: false, points: { show: (u, si, i0, i1) => i1 - i0 < 40, size: 5, fill: s.color } })),
    ],
    scales: {
      x: {
        time: true,
        range: (_u, min, max) => {
          if (spanSeconds !== null) {
            const hi = Number.isFinite(max) ? max : Date.now() / 1000;
            return [hi - spanSeconds, hi];
          }
          if (!Number.isFinite(min) || !Number.isFinite(max)) {
            const now = Date.now() / 1000;
            return [now - 60, now];
          }
          // A little room either side, so the first and last tick labels are not cut off.
          const room = min === max ? padSeconds : (max - min) * 0.04;
          return [min - room, max + room];
        },
      },
      y: { range: zeroBased },
      right: { range: zeroBased },
    },
    axes: [
      { space: 90, gap: 6, values: timeLabels },
      { space: 36, size: 56, values: (_u, ticks) => ticks.map(compact), label: yLabel, labelSize: yLabel ? 18 : 0 },
      ...(series.some((s) => s.right)
        ? [{ scale: 'right', side: 1, space: 36, size: 56, grid: { show: false }, values: (_u, ticks) => ticks.map(compact), stroke: series.find((s) => s.right).color }]
        : []),
    ],
    hooks: { draw: [(u) => describe(el, u, last)] },
  };
  const data = [[], ...series.map(() => [])];
  const chart = new uPlot(opts, data, el);
  const onResize = () => chart.setSize({ width: width(), height: HEIGHT });
  window.addEventListener('resize', onResize);
  return {
    set(next) {
      last = next;
      chart.setData(next);
    },
    destroy() {
      window.removeEventListener('resize', onResize);
      chart.destroy();
    },
  };
}

function zeroBased(_u, min, max) {
  return [Math.min(0, Number.isFinite(min) ? min : 0), niceCeil(Number.isFinite(max) ? max * 1.05 : 1)];
}

/** What the chart shows, on its element: how many points, the data's time range and the axis's. */
function describe(el, u, data) {
  if (!data) return;
  const xs = data[0];
  let points = 0;
  for (let s = 1; s < data.length; s++) for (const v of data[s]) if (v !== null && v !== undefined) points++;
  el.dataset.points = String(points);
  el.dataset.first = xs.length ? String(xs[0]) : '';
  el.dataset.last = xs.length ? String(xs[xs.length - 1]) : '';
  el.dataset.xMin = String(u.scales.x.min);
  el.dataset.xMax = String(u.scales.x.max);
}

/** A horizontal bar per key: labels never collide, however many keys or however long. */
export function barList(el, items, format = compact) {
  const max = Math.max(0, ...items.map((i) => i.value ?? 0));
  el.replaceChildren(...items.map((item, k) => {
    const row = document.createElement('div');
    row.className = 'bar-row';
    const label = document.createElement('span');
    label.className = 'bar-label';
    label.textContent = item.label;
    label.title = item.label;
    const track = document.createElement('span');
    track.className = 'bar-track';
    const bar = document.createElement('span');
    bar.className = 'bar';
    bar.style.width = `${max > 0 ? Math.max(0.5, ((item.value ?? 0) / max) * 100) : 0}%`;
    bar.style.background = item.color ?? PALETTE[k % PALETTE.length];
    track.append(bar);
    const value = document.createElement('span');
    value.className = 'bar-value';
    value.textContent = format(item.value);
    row.append(label, track, value);
    return row;
  }));
  el.dataset.bars = String(items.length);
}
