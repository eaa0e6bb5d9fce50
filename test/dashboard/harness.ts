import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { attachDashboard, type Dashboard, type DashboardOptions } from '../../src/server/dashboard-route.js';
import type { Feeds } from '../../src/server/feeds.js';
import { Engine } from '../../src/runtime/engine.js';

export const APP = `
CREATE STREAM src (id BIGINT, pad VARCHAR) WITH (format = 'json');
CREATE STREAM echo AS SELECT id, pad FROM src;
`;

export interface Harness {
  readonly server: RunningServer;
  readonly engine: Engine;
  readonly dashboard: Dashboard & { readonly feeds: Feeds };
  /** ws://host:port/feeds/<stream> */
  feedUrl(stream: string): string;
  /** Ingests rows with ids `from`..`from+count-1` into src (each with `padBytes` of padding). */
  push(from: number, count: number, padBytes?: number): Promise<void>;
  close(): Promise<void>;
}

/** A server with the dashboard over an engine running `app` (default APP). */
export async function startHarness(options: DashboardOptions = {}, app = APP): Promise<Harness> {
  const server = await startServer({ port: 0, dataDir: null });
  const engine = new Engine({ workers: 0 });
  engine.execute(app);
  const dashboard = attachDashboard(server.server, engine, options);
  return {
    server,
    engine,
    dashboard,
    feedUrl: (stream) => `${server.url.replace('http', 'ws')}/feeds/${encodeURIComponent(stream)}`,
    async push(from, count, padBytes = 8) {
      const pad = 'x'.repeat(padBytes);
      let text = '';
      for (let i = from; i < from + count; i++) text += JSON.stringify({ id: i, pad }) + '\n';
      await engine.runtime('src').ingest(Buffer.from(text));
    },
    async close() {
      await engine.close();
      await server.close();
    },
  };
}
