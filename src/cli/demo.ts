import { availableParallelism } from 'node:os';
import { Sluice } from '../index.js';
import { mulberry32 } from '../../bench/clickstream.js';
import type { ParsedArgs } from './args.js';

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

/** `npm start`: a synthetic clickstream, produced live, through a sample application. */
export async function demoCommand(args: ParsedArgs, io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<void> {
  const seconds = Number(args.single('seconds') ?? Infinity);
  const rate = Number(args.single('rate') ?? 2000);
  const sluice = await Sluice.open({ workers: Math.min(2, availableParallelism()) });
  await sluice.execute(DEMO_APP);
  io.stdout.write(`sluice demo: ${rate} clicks/s into 'clicks'; page_views and COUNTRY_USERS print as their windows close (Ctrl-C to stop)\n`);
  sluice.on('page_views', (rows) => {
    const top = [...rows].sort((a, b) => (b['views'] as number) - (a['views'] as number)).slice(0, 5);
    io.stdout.write(`\npage_views ${rows[0]?.['window_start']} .. ${rows[0]?.['window_end']} (${rows.length} pages, top 5)\n`);
    for (const r of top) io.stdout.write(`  ${String(r['page']).padEnd(16)} ${String(r['views']).padStart(6)} views  ${Math.round(r['avg_ms'] as number)} ms avg\n`);
  });
  sluice.on('COUNTRY_USERS', (rows) => {
    io.stdout.write(`COUNTRY_USERS ${rows.map((r) => `${r['country']}=${r['users']}`).join(' ')}\n`);
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
  await sluice.close();
}
