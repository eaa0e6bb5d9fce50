/**
 * The dashboard on a Sluice server: static files at `/`, `GET /api/streams` (what runs and how
 * fast), `GET /api/log` (what the ingest log holds), and the WebSocket feeds (src/server/feeds.ts)
 * the page reads rows from. It works without an engine (`sluice start` with no application): the
 * page then shows the log alone.
 *
 * `GET /api/streams` answers:
 *
 *   {"streams":[{"name","columns":[{"name","type"}],"output":bool,"clients":n,"rowsSeen":n}],
 *    "queries":[{"name","source","target","rowsIn","rowsOut","rowsInPerSec","rowsOutPerSec","openGroups",
 *                "watermark","lagMs"}],
 *    "errors":{"total":n,"perSec":n},"log":bool}
 *
 * where `output` says a query writes the stream, the rates are averaged over the last
 * `rateWindowMs` (default 5 s), sampled once a second, `watermark` is the query's event-time
 * watermark (ISO-8601, null before its first window or for a query without windows) and `lagMs`
 * how far it trails the clock. `errors` counts rows sent to error_stream; `log` says whether
 * `/api/log` has a log to report on.
 *
 * `GET /api/log` answers `{"streams":[{"name","status","records","bytes","lastWrite","shards":[
 * {"shardId","open","records","bytes","lastWrite"}]}]}` (see log-stats.ts), or 404 without a log.
 */

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Engine } from '../runtime/engine.js';
import type { LogStore } from '../ingest/log-store.js';
import { logStats } from './log-stats.js';
import { ERROR_STREAM } from '../runtime/statements.js';
import { Feeds, type FeedsOptions } from './feeds.js';
import { sendBody, type HttpResponse } from './http-types.js';
import type { SluiceServer } from './sluice-server.js';

export interface DashboardOptions extends FeedsOptions {
  /** Span the query rates are averaged over (default 5 s). */
  readonly rateWindowMs?: number;
  /** The ingest log to report on at `/api/log`. */
  readonly log?: LogStore;
}

export interface Dashboard {
  /** The WebSocket feeds (none without an engine). */
  readonly feeds: Feeds | null;
  /** The body of `GET /api/streams`. */
  streams(): StreamsReport;
  close(): void;
}

export interface StreamsReport {
  readonly streams: { name: string; columns: { name: string; type: string }[]; output: boolean; clients: number; rowsSeen: number }[];
  readonly queries: {
    name: string; source: string; target: string; rowsIn: number; rowsOut: number; rowsInPerSec: number; rowsOutPerSec: number; openGroups: number;
    watermark: string | null; lagMs: number | null;
  }[];
  readonly errors: { total: number; perSec: number };
  /** `GET /api/log` has an ingest log to report on. */
  readonly log: boolean;
}

interface Sample {
  readonly at: number;
  readonly rowsIn: number;
  readonly rowsOut: number;
}

const ERRORS = '\u0000errors';

/** Adds the dashboard, its API and the feeds of `engine` (if any) to `server`. */
export function attachDashboard(server: SluiceServer, engine: Engine, options?: DashboardOptions): Dashboard & { readonly feeds: Feeds };
export function attachDashboard(server: SluiceServer, engine: Engine | null, options?: DashboardOptions): Dashboard;
export function attachDashboard(server: SluiceServer, engine: Engine | null, options: DashboardOptions = {}): Dashboard {
  const feeds = engine ? new Feeds(engine, options).attach(server) : null;
  const windowMs = options.rateWindowMs ?? 5000;
  const samples = new Map<string, Sample[]>();
  const record = (key: string, at: number, rowsIn: number, rowsOut: number): void => {
    const list = samples.get(key) ?? [];
    list.push({ at, rowsIn, rowsOut });
    while (list.length > 1 && at - list[0]!.at > windowMs) list.shift();
    samples.set(key, list);
  };
  const sample = (): void => {
    if (!engine) return;
    const at = Date.now();
    for (const r of engine.runners) record(r.plan.name, at, r.rowsIn, r.rowsOut);
    record(ERRORS, at, engine.errorCount, 0);
  };
  sample();
  const timer = setInterval(sample, 1000);
  timer.unref();

  const streams = (): StreamsReport => {
    if (!engine || !feeds) return { streams: [], queries: [], errors: { total: 0, perSec: 0 }, log: options.log !== undefined };
    feeds.refresh();
    const now = Date.now();
    const rateOf = (key: string, current: number, pick: (s: Sample) => number): number => {
      const first = samples.get(key)?.[0];
      const seconds = first ? (now - first.at) / 1000 : 0;
      return first && seconds > 0.2 ? Math.round((current - pick(first)) / seconds) : 0;
    };
    return {
      streams: engine.catalog.all().map((def) => ({
        name: def.name,
        columns: def.fields.slice(0, -1).map((f) => ({ name: f.name, type: f.type })),
        output: engine.producersOf(def.name).length > 0 || def.name === ERROR_STREAM,
        ...feeds.stats(def.name),
      })),
      queries: engine.runners.map((r) => {
        const wm = r.plan.window && Number.isFinite(r.watermark) ? r.watermark : null;
        return {
          name: r.plan.name,
          source: r.plan.source,
          target: r.plan.target,
          rowsIn: r.rowsIn,
          rowsOut: r.rowsOut,
          rowsInPerSec: rateOf(r.plan.name, r.rowsIn, (s) => s.rowsIn),
          rowsOutPerSec: rateOf(r.plan.name, r.rowsOut, (s) => s.rowsOut),
          openGroups: r.openGroups,
          watermark: wm === null ? null : new Date(wm).toISOString(),
          lagMs: wm === null ? null : now - wm,
        };
      }),
      errors: { total: engine.errorCount, perSec: rateOf(ERRORS, engine.errorCount, (s) => s.rowsIn) },
      log: options.log !== undefined,
    };
  };

  const json = (res: HttpResponse, status: number, body: unknown): void => sendBody(res, status, 'application/json; charset=utf-8', JSON.stringify(body), { 'cache-control': 'no-store' });
  server.addRoute('GET', '/api/streams', (_req, res) => json(res, 200, streams()));
  const log = options.log;
  server.addRoute('GET', '/api/log', (_req, res) => (log ? json(res, 200, logStats(log)) : json(res, 404, { message: 'this server has no ingest log' })));
  for (const [path, file] of staticFiles()) {
    server.addRoute('GET', path, (_req, res) => serveFile(res, file.path, file.type));
  }
  const close = (): void => {
    clearInterval(timer);
    feeds?.close();
  };
  server.onClose(close);
  return { feeds, streams, close };
}

/** Every file the dashboard serves, by URL: a fixed list, so no request names a path on disk. */
function staticFiles(): Map<string, { path: string; type: string }> {
  const dir = dashboardDir();
  const uplot = dirname(createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js'));
  const js = 'text/javascript; charset=utf-8';
  const css = 'text/css; charset=utf-8';
  return new Map([
    ['/', { path: join(dir, 'index.html'), type: 'text/html; charset=utf-8' }],
    ['/dashboard/app.js', { path: join(dir, 'app.js'), type: js }],
    ['/dashboard/charts.js', { path: join(dir, 'charts.js'), type: js }],
    ['/dashboard/results.js', { path: join(dir, 'results.js'), type: js }],
    ['/dashboard/style.css', { path: join(dir, 'style.css'), type: css }],
    ['/vendor/uplot.iife.min.js', { path: join(uplot, 'uPlot.iife.min.js'), type: js }],
    ['/vendor/uplot.min.css', { path: join(uplot, 'uPlot.min.css'), type: css }],
  ]);
}

/** The page's files live in src/server/dashboard/; compiled code runs from dist/src/server/. */
function dashboardDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const beside = join(here, 'dashboard');
  return existsSync(join(beside, 'index.html')) ? beside : join(here, '..', '..', '..', 'src', 'server', 'dashboard');
}

async function serveFile(res: HttpResponse, path: string, type: string): Promise<void> {
  let body: Buffer;
  try {
    body = await readFile(path);
  } catch {
    sendBody(res, 404, 'text/plain; charset=utf-8', 'not found\n');
    return;
  }
  sendBody(res, 200, type, body, { 'cache-control': 'no-cache' });
}
