export interface ProgressState {
  /** Bytes of the inputs read so far (on disk: compressed bytes for a .gz). */
  readonly bytesRead: number;
  /** Bytes of all inputs, or null when one is stdin. */
  readonly totalBytes: number | null;
  readonly records: number;
  readonly rowsOut: number;
  readonly errors: number;
  readonly elapsedMs: number;
  /** Every input is read and the last windows are closing. */
  readonly closing?: boolean;
}

/** One progress line: `412/535 MB (77%) · 3.9M rec/s · ETA 0:03 · 25,050 rows out · 2 errors`. */
export function formatProgress(s: ProgressState): string {
  const seconds = s.elapsedMs / 1000;
  const parts: string[] = [];
  if (s.totalBytes !== null && s.totalBytes > 0) {
    const pct = Math.min(100, Math.floor((s.bytesRead / s.totalBytes) * 100));
    parts.push(`${megabytes(s.bytesRead, s.totalBytes)}/${megabytes(s.totalBytes, s.totalBytes)} MB (${pct}%)`);
  } else parts.push(`${megabytes(s.bytesRead, s.bytesRead)} MB read`);
  parts.push(`${count(seconds > 0 ? s.records / seconds : 0)} rec/s`);
  if (s.closing) parts.push('closing windows');
  else if (s.totalBytes !== null && s.bytesRead > 0 && s.bytesRead < s.totalBytes && seconds > 0) {
    parts.push(`ETA ${clock(((s.totalBytes - s.bytesRead) / s.bytesRead) * seconds)}`);
  }
  parts.push(`${s.rowsOut.toLocaleString('en-US')} rows out`);
  parts.push(`${s.errors.toLocaleString('en-US')} ${s.errors === 1 ? 'error' : 'errors'}`);
  return parts.join(' · ');
}

/** Megabytes with the decimals the scale calls for (the same for a count and its total). */
function megabytes(bytes: number, scale: number): string {
  const mb = bytes / 1e6;
  return mb.toFixed(scale >= 100e6 ? 0 : scale >= 10e6 ? 1 : 2);
}

/** 3.9M, 412k, 950. */
function count(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${Math.round(n / 1e3)}k`;
  return String(Math.round(n));
}

/** m:ss, or h:mm:ss from an hour. */
function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * The progress line of `sluice run` on a terminal: shown once the run has taken a second,
 * redrawn in place at most every 200 ms, erased at the end. Nothing when stderr is not a TTY.
 */
export class ProgressLine {
  private lastDraw = 0;
  private shown = false;
  private readonly timer: NodeJS.Timeout | null;
  private readonly enabled: boolean;

  /** `started`: when the run started (performance.now()). */
  constructor(private readonly out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }, private readonly started: number, private readonly sample: () => Omit<ProgressState, 'elapsedMs'>) {
    this.enabled = out.isTTY === true;
    // Chunks call update() as they go; the timer covers a run waiting on its input (stdin).
    this.timer = this.enabled ? setInterval(() => this.update(), 500) : null;
    this.timer?.unref();
  }

  update(closing = false): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (now - this.started < 1000 || now - this.lastDraw < 200) return;
    this.lastDraw = now;
    const line = formatProgress({ ...this.sample(), elapsedMs: now - this.started, closing });
    const width = (this.out.columns || 100) - 1;
    this.out.write(`\r${line.length > width ? line.slice(0, width) : line}\x1b[K`);
    this.shown = true;
  }

  /** Stops drawing and erases the line, so the summary starts on a clean line. */
  finish(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.shown) this.out.write('\r\x1b[K');
    this.shown = false;
  }
}
