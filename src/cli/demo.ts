import { availableParallelism } from 'node:os';
import { Sluice } from '../index.js';
import { mulberry32 } from './random.js';
import { intOption, numberOption, type ParsedArgs } from './args.js';
import { startServer, type RunningServer } from '../server/start-server.js';
import { attachDashboard } from '../server/dashboard-route.js';

export const DEMO_APP = `
CREATE STREAM clicks (
  ts TIMESTAMP(3), user_id VARCHAR, page VARCHAR, country VARCHAR, duration_ms BIGINT,
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH (format = 'json');

-- Flink-style: views and mean dwell time per page, every 5 seconds of event time.
CREATE STREAM page_views AS
SELECT window_start, window_end, page, COUNT(*) AS views, AVG(duration_ms) AS avg_ms
FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '5' SECOND))
WHERE country <> 'XX'
GROUP BY window_start, window_end, page
HAVING COUNT(*) > 1;

-- Kinesis Data Analytics style: distinct users per country, every 5 seconds of arrival time.
CREATE OR REPLACE STREAM "COUNTRY_USERS" (country VARCHAR(8), users BIGINT);
CREATE OR REPLACE PUMP "COUNTRY_PUMP" AS INSERT INTO "COUNTRY_USERS"
SELECT STREAM country, COUNT(DISTINCT user_id) AS users
FROM clicks
GROUP BY country, STEP(clicks.ROWTIME BY INTERVAL '5' SECOND);
`;

/** `npm start`: a synthetic clickstream, produced live, through a sample application, with the dashboard. */
export async function demoCommand(args: ParsedArgs, io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<void> {
  const seconds = numberOption(args, 'seconds', Infinity);
  const rate = numberOption(args, 'rate', 2000);
  const portFlag = args.single('port');
  const port = intOption(args, 'port', 4567, 0, 65535);
  const host = args.single('host') ?? '127.0.0.1';
  const sluice = await Sluice.open({ workers: Math.min(2, availableParallelism()) });
  await sluice.execute(DEMO_APP);
  const server = await listen(port, host, portFlag === undefined);
  attachDashboard(server.server, sluice.engine);
  io.stdout.write(
    `\n  Sluice dashboard   ${server.url}/\n` +
      `  live rows (ws)     ${server.url.replace('http', 'ws')}/feeds/page_views\n\n` +
      `sluice demo: ${rate} clicks/s into 'clicks'; a line per closed window of page_views and COUNTRY_USERS (Ctrl-C to stop)\n`,
  );
  sluice.on('page_views', (rows) => {
    const top = rows.reduce<Record<string, unknown> | undefined>((a, r) => (a && (a['views'] as number) >= (r['views'] as number) ? a : r), undefined);
    const views = rows.reduce((n, r) => n + (r['views'] as number), 0);
    io.stdout.write(`page_views    ${clock(rows[0]?.['window_start'])}-${clock(rows[0]?.['window_end'])}  ${rows.length} pages, ${views} views, top ${top?.['page']} (${top?.['views']})\n`);
  });
  sluice.on('COUNTRY_USERS', (rows) => {
    io.stdout.write(`COUNTRY_USERS ${rows.map((r) => `${r['COUNTRY']}=${r['USERS']}`).join(' ')}\n`);
  });
  sluice.on('error_stream', (rows) => io.stderr.write(`error_stream: ${rows.length} rows (first: ${rows[0]?.['MESSAGE']})\n`));
  const random = mulberry32(7);
  const started = Date.now();
  let stop = false;
  process.once('SIGINT', () => (stop = true));
  while (!stop && Date.now() - started < seconds * 1000) {
    const now = Date.now();
    const batch = [];
    for (let i = 0; i < rate / 10; i++) {
      const page = Math.floor(random() ** 2 * 40);
      batch.push({
        ts: new Date(now - Math.floor(random() * 800)).toISOString(),
        user_id: `u${Math.floor(random() * 5000)}`,
        page: `/products/${page}`,
        country: random() < 0.02 ? 'XX' : ['DE', 'US', 'FR', 'GB', 'JP'][Math.floor(random() * 5)],
        duration_ms: Math.floor(random() * 5000),
      });
    }
    await sluice.put('clicks', batch);
    await new Promise((r) => setTimeout(r, 100));
  }
  await sluice.end('clicks');
  await server.close();
  await sluice.close();
}

/** The server on `port`; when the port is only the default and is taken, on a free one. */
async function listen(port: number, host: string, fallback: boolean): Promise<RunningServer> {
  try {
    return await startServer({ port, host, dataDir: null });
  } catch (e) {
    if (!fallback || (e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    return startServer({ port: 0, host, dataDir: null });
  }
}

/** HH:MM:SS of an ISO timestamp. */
function clock(iso: unknown): string {
  return typeof iso === 'string' ? iso.slice(11, 19) : String(iso);
}
