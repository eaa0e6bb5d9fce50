// The rows of an output stream as series by window: which column is the window's time, which
// columns name a key, which are numbers, and each key's value per window. Pure functions and one
// small class, no DOM.

const NUMERIC = /INT|DOUBLE|FLOAT|DECIMAL|REAL|NUMERIC/;

/** Window time column (window_start, window_end, ROWTIME or another TIMESTAMP), key columns, numeric columns. */
export function resultShape(columns) {
  const names = columns.map((c) => c.name);
  const pick = ['window_start', 'window_end', 'ROWTIME'].find((n) => names.some((m) => m.toLowerCase() === n.toLowerCase()));
  const time = pick ? names.find((m) => m.toLowerCase() === pick.toLowerCase()) : columns.find((c) => c.type === 'TIMESTAMP')?.name ?? null;
  const metrics = columns.filter((c) => c.name !== time && NUMERIC.test(c.type)).map((c) => c.name);
  const keys = columns.filter((c) => c.name !== time && !NUMERIC.test(c.type) && c.type !== 'TIMESTAMP').map((c) => c.name);
  return { time, keys, metrics };
}

/**
 * Rows gathered by window (its time) and key. A row for a window and key seen before replaces it
 * (EMIT CHANGES sends updates). Only the last `maxWindows` windows are kept.
 */
export class WindowSeries {
  constructor(shape, maxWindows = 60) {
    this.shape = shape;
    this.maxWindows = maxWindows;
    /** time (ms) → Map(key → row) */
    this.byWindow = new Map();
  }

  add(rows) {
    const { time, keys } = this.shape;
    if (!time) return;
    for (const row of rows) {
      const t = Date.parse(row[time]);
      if (!Number.isFinite(t)) continue;
      let window = this.byWindow.get(t);
      if (!window) this.byWindow.set(t, (window = new Map()));
      window.set(keyOf(row, keys), row);
    }
    if (this.byWindow.size > this.maxWindows) {
      const times = this.times();
      for (const t of times.slice(0, times.length - this.maxWindows)) this.byWindow.delete(t);
    }
  }

  /** Window times, oldest first (ms). */
  times() {
    return [...this.byWindow.keys()].sort((a, b) => a - b);
  }

  /** The `n` keys with the largest total of `metric` over the kept windows. */
  topKeys(metric, n) {
    const totals = new Map();
    for (const window of this.byWindow.values()) {
      for (const [key, row] of window) totals.set(key, (totals.get(key) ?? 0) + Math.abs(Number(row[metric]) || 0));
    }
    return [...totals.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n).map(([key]) => key);
  }

  /** uPlot data: [times in seconds, one array per key of `metric` (null where a window lacks the key)]. */
  aligned(metric, keys) {
    const times = this.times();
    return [
      times.map((t) => t / 1000),
      ...keys.map((key) => times.map((t) => {
        const v = this.byWindow.get(t)?.get(key)?.[metric];
        return v === null || v === undefined ? null : Number(v);
      })),
    ];
  }

  /** The newest window: its time and each key's `metric`, largest first. */
  latest(metric, n) {
    const times = this.times();
    const t = times[times.length - 1];
    if (t === undefined) return { time: null, items: [] };
    const items = [...this.byWindow.get(t)].map(([key, row]) => ({ label: key, value: Number(row[metric]) || 0 }));
    items.sort((a, b) => b.value - a.value);
    return { time: t, items: items.slice(0, n) };
  }
}

/** The key columns' values joined; one series for a result without key columns. */
export function keyOf(row, keys) {
  return keys.length ? keys.map((k) => (row[k] === null || row[k] === undefined ? '∅' : String(row[k]))).join(' · ') : 'all';
}

/**
 * The table after a batch of rows, newest first. Rows of an updating result carry `op`: +I and +U
 * add their row, -U and -D take away an equal row, so the table shows the result as it now is.
 * Rows without `op` are appended results.
 */
export function applyRows(table, incoming) {
  let rows = table;
  for (const row of incoming) {
    if (!('op' in row)) {
      rows = [row, ...rows];
      continue;
    }
    const { op, ...values } = row;
    if (op === '+I' || op === '+U') {
      rows = [values, ...rows];
      continue;
    }
    const key = JSON.stringify(values);
    const at = rows.findIndex((r) => JSON.stringify(r) === key);
    if (at >= 0) rows = [...rows.slice(0, at), ...rows.slice(at + 1)];
  }
  return rows;
}
