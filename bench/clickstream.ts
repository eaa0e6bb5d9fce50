import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { mulberry32 } from '../src/cli/random.js';

/**
 * Deterministic clickstream data for benchmarks and tests: the same options always give the same
 * lines. Event k's nominal time is startMs + k / eventsPerSecond; its ts is that minus a jitter in
 * [0, maxLatenessMs], so the stream is out of order by at most maxLatenessMs and a watermark of
 * `ts - INTERVAL '2' SECOND` (with the default 1000 ms) never sees a late record.
 */
export interface ClickstreamOptions {
  readonly events: number;
  /** PRNG seed (mulberry32); default 42. */
  readonly seed?: number;
  /** Nominal time of the first event; default 2026-11-25T00:00:00Z. */
  readonly startMs?: number;
  /** Default 1000. */
  readonly eventsPerSecond?: number;
  /** Number of distinct pages '/products/N' (skewed: low N are popular); default 100. */
  readonly pages?: number;
  /** Number of distinct users 'uN'; default 10,000. */
  readonly users?: number;
  /** Countries drawn from (about 1% of events get 'XX' on top); default ten common ones. */
  readonly countries?: readonly string[];
  /** Largest backwards jitter of ts; default 1000 ms. */
  readonly maxLatenessMs?: number;
  /** Give every event its own page '/p/<k>', for high-cardinality dictionaries. */
  readonly distinctPages?: boolean;
}

export interface ClickEvent {
  ts: string;
  user_id: string;
  page: string;
  country: string;
  duration_ms: number;
}

export const DEFAULT_START_MS = Date.UTC(2026, 10, 25);
export const DEFAULT_COUNTRIES: readonly string[] = ['DE', 'US', 'FR', 'GB', 'JP', 'BR', 'IN', 'NL', 'SE', 'PL'];
/** The country code of the small slice of events a query may filter out. */
export const UNKNOWN_COUNTRY = 'XX';
const UNKNOWN_COUNTRY_SHARE = 0.01;

export { mulberry32 };

/** ISO text of epoch ms; the 'YYYY-MM-DDTHH:MM:SS.' part is cached since thousands of events share it. */
export function isoFormatter(): (ms: number) => string {
  const prefixes = new Map<number, string>();
  return (ms) => {
    const second = Math.floor(ms / 1000);
    let prefix = prefixes.get(second);
    if (prefix === undefined) {
      if (prefixes.size > 64) prefixes.clear();
      prefix = new Date(second * 1000).toISOString().slice(0, 20);
      prefixes.set(second, prefix);
    }
    const milli = ms - second * 1000;
    return `${prefix}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
  };
}

/** The events themselves; one object is reused and mutated, so copy it if you keep it. */
export function* generateClickEvents(opts: ClickstreamOptions): Generator<ClickEvent> {
  const random = mulberry32(opts.seed ?? 42);
  const start = opts.startMs ?? DEFAULT_START_MS;
  const perSecond = opts.eventsPerSecond ?? 1000;
  const pages = opts.pages ?? 100;
  const users = opts.users ?? 10_000;
  const countries = opts.countries ?? DEFAULT_COUNTRIES;
  const lateness = opts.maxLatenessMs ?? 1000;
  const iso = isoFormatter();
  const event: ClickEvent = { ts: '', user_id: '', page: '', country: '', duration_ms: 0 };
  for (let k = 0; k < opts.events; k++) {
    const nominal = start + Math.floor((k * 1000) / perSecond);
    event.ts = iso(nominal - Math.floor(random() * (lateness + 1)));
    event.user_id = `u${Math.floor(random() * users)}`;
    const r = random();
    event.page = opts.distinctPages ? `/p/${k}` : `/products/${Math.floor(pages * r * r)}`;
    event.country = random() < UNKNOWN_COUNTRY_SHARE ? UNKNOWN_COUNTRY : countries[Math.floor(random() * countries.length)]!;
    // Exponential dwell times, mean 2.5 s, capped at 10 minutes.
    event.duration_ms = Math.min(600_000, 1 + Math.floor(-Math.log(1 - random()) * 2500));
    yield event;
  }
}

/** NDJSON lines (without '\n') like {"ts":"2026-11-25T00:00:00.123Z","user_id":"u1234",…}. */
export function* generateClickstream(opts: ClickstreamOptions): Generator<string> {
  for (const e of generateClickEvents(opts)) {
    yield `{"ts":"${e.ts}","user_id":"${e.user_id}","page":"${e.page}","country":${JSON.stringify(e.country)},"duration_ms":${e.duration_ms}}`;
  }
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Header-less CSV lines in the column order ts,user_id,page,country,duration_ms. */
export function* generateClickstreamCsv(opts: ClickstreamOptions): Generator<string> {
  for (const e of generateClickEvents(opts)) {
    yield `${e.ts},${e.user_id},${e.page},${csvField(e.country)},${e.duration_ms}`;
  }
}

/** Streams the lines to `path` in ~1 MB writes, honouring backpressure; never holds the whole file. */
export async function writeClickstreamFile(path: string, opts: ClickstreamOptions & { readonly format?: 'json' | 'csv' }): Promise<void> {
  const out = createWriteStream(path);
  const lines = opts.format === 'csv' ? generateClickstreamCsv(opts) : generateClickstream(opts);
  let parts: string[] = [];
  let size = 0;
  const flush = async (): Promise<void> => {
    const ok = out.write(parts.join(''));
    parts = [];
    size = 0;
    if (!ok) await once(out, 'drain');
  };
  for (const line of lines) {
    parts.push(line, '\n');
    size += line.length + 1;
    if (size >= 1 << 20) await flush();
  }
  if (size > 0) await flush();
  out.end();
  await finished(out);
}

/** DuckDB's read_json of a clickstream NDJSON file, with the generator's columns and types. */
export function duckdbReadClickstream(path: string): string {
  return `read_json('${path.replace(/'/g, "''")}', format = 'newline_delimited', columns = {ts: 'TIMESTAMP', user_id: 'VARCHAR', page: 'VARCHAR', country: 'VARCHAR', duration_ms: 'BIGINT'})`;
}
