/**
 * The dashboard on a Sluice server: static files at `/`, `GET /api/streams` (what runs and how
 * fast), and the WebSocket feeds (src/server/feeds.ts) the page reads rows from.
 *
 * `GET /api/streams` answers:
 *
 *   {"streams":[{"name","columns":[{"name","type"}],"output":bool,"clients":n,"rowsSeen":n}],
 *    "queries":[{"name","source","target","rowsIn","rowsOut","rowsInPerSec","rowsOutPerSec","openGroups"}]}
 *
 * where `output` says a query writes the stream and the rates are averaged over the last
 * `rateWindowMs` (default 5 s), sampled once a second.
 */

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Engine } from '../runtime/engine.js';
import { ERROR_STREAM } from '../runtime/statements.js';
import { Feeds, type FeedsOptions } from './feeds.js';
import { sendBody, type HttpResponse } from './http-types.js';
import type { SluiceServer } from './sluice-server.js';

export interface DashboardOptions extends FeedsOptions {
  /** Span the query rates are averaged over (default 5 s). */
  readonly rateWindowMs?: number;
}

export interface Dashboard {
  readonly feeds: Feeds;
  /** The body of `GET /api/streams`. */
  streams(): StreamsReport;
  close(): void;
}

export interface StreamsReport {
  readonly streams: { name: string; columns: { name: string; type: string }[]; output: boolean; clients: number; rowsSeen: number }[];
  readonly queries: { name: string; source: string; target: string; rowsIn: number; rowsOut: number; rowsInPerSec: number; rowsOutPerSec: number; openGroups: number }[];
}

interface Sample {
  readonly at: number;
  readonly rowsIn: number;
  readonly rowsOut: number;
}

/** Adds the dashboard, its API and the feeds of `engine` to `server`. */
export function attachDashboard(server: SluiceServer, engine: Engine, options: DashboardOptions = {}): Dashboard {
  const feeds = new Feeds(engine, options).attach(server);
  const windowMs = options.rateWindowMs ?? 5000;
  const samples = new Map<string, Sample[]>();
  const sample = (): void => {
    const at = Date.now();
    for (const r of engine.runners) {
      const list = samples.get(r.plan.name) ?? [];
      list.push({ at, rowsIn: r.rowsIn, rowsOut: r.rowsOut });
      while (list.length > 1 && at - list[0]!.at > windowMs) list.shift();
      samples.set(r.plan.name, list);
    }
  };
  sample();
  const timer = setInterval(sample, 1000);
  timer.unref();

  const streams = (): StreamsReport => {
    feeds.refresh();
    const now = Date.now();
    return {
      streams: engine.catalog.all().map((def) => ({
        name: def.name,
        columns: def.fields.slice(0, -1).map((f) => ({ name: f.name, type: f.type })),
        output: engine.producersOf(def.name).length > 0 || def.name === ERROR_STREAM,
        ...feeds.stats(def.name),
      })),
      queries: engine.runners.map((r) => {
        const first = samples.get(r.plan.name)?.[0];
        const seconds = first ? (now - first.at) / 1000 : 0;
        const rate = (current: number, then: number | undefined): number => (seconds > 0.2 && then !== undefined ? Math.round((current - then) / seconds) : 0);
        return {
          name: r.plan.name,
          source: r.plan.source,
          target: r.plan.target,
          rowsIn: r.rowsIn,
          rowsOut: r.rowsOut,
          rowsInPerSec: rate(r.rowsIn, first?.rowsIn),
          rowsOutPerSec: rate(r.rowsOut, first?.rowsOut),
          openGroups: r.openGroups,
        };
      }),
    };
  };

  server.addRoute('GET', '/api/streams', (_req, res) => sendBody(res, 200, 'application/json; charset=utf-8', JSON.stringify(streams()), { 'cache-control': 'no-store' }));
  for (const [path, file] of staticFiles()) {
    server.addRoute('GET', path, (_req, res) => serveFile(res, file.path, file.type));
  }
  const close = (): void => {
    clearInterval(timer);
    feeds.close();
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
