import { GLOBAL_END, GLOBAL_START, type WindowSpec } from '../planner/logical/plan.js';

/**
 * Calls `emit(start, end)` for each window a row at time `t` belongs to. Sessions are not assigned
 * per row (they merge), so they are handled by the session aggregator.
 */
export function assignWindows(w: WindowSpec, t: number, emit: (start: number, end: number) => void): void {
  switch (w.type) {
    case 'tumble': {
      // start = floor((t - offset) / size) * size + offset
      const start = Math.floor((t - w.offsetMs) / w.sizeMs) * w.sizeMs + w.offsetMs;
      emit(start, start + w.sizeMs);
      return;
    }
    case 'hop': {
      const last = Math.floor((t - w.offsetMs) / w.slideMs) * w.slideMs + w.offsetMs;
      for (let s = last; s > t - w.sizeMs; s -= w.slideMs) emit(s, s + w.sizeMs);
      return;
    }
    case 'cumulate': {
      const base = Math.floor((t - w.offsetMs) / w.sizeMs) * w.sizeMs + w.offsetMs;
      const first = Math.floor((t - base) / w.slideMs) + 1;
      for (let k = first; k * w.slideMs <= w.sizeMs; k++) emit(base, base + k * w.slideMs);
      return;
    }
    case 'session':
      emit(t, t + w.gapMs);
      return;
    case 'global':
      emit(GLOBAL_START, GLOBAL_END);
      return;
    case 'columns':
      // The row's window start is not a function of its time: the row stage reads it (see row-stage.ts).
      throw new Error('a columns window is assigned from the row');
  }
}

/** The latest end among the windows of a row at `t`: the row is late when the watermark has passed it. */
export function lastWindowEnd(w: WindowSpec, t: number): number {
  switch (w.type) {
    case 'tumble': return Math.floor((t - w.offsetMs) / w.sizeMs) * w.sizeMs + w.offsetMs + w.sizeMs;
    case 'hop': return Math.floor((t - w.offsetMs) / w.slideMs) * w.slideMs + w.offsetMs + w.sizeMs;
    case 'cumulate': return Math.floor((t - w.offsetMs) / w.sizeMs) * w.sizeMs + w.offsetMs + w.sizeMs;
    case 'session': return t + w.gapMs;
    case 'global': return Infinity;
    case 'columns': return t;
  }
}
