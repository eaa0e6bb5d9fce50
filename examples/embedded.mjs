// The README's embedding example, runnable: node examples/embedded.mjs (after npm run build).
import { Sluice } from 'sluice';

const sluice = await Sluice.open({ workers: 2 });
await sluice.execute(`
  CREATE STREAM clicks (ts TIMESTAMP(3), page VARCHAR, WATERMARK FOR ts AS ts - INTERVAL '2' SECOND);
  CREATE STREAM page_views AS
  SELECT window_start, page, COUNT(*) AS views
  FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '10' SECOND))
  GROUP BY window_start, window_end, page;`);

const done = (async () => {
  for await (const rows of sluice.subscribe('page_views')) console.log(JSON.stringify(rows));
})();
await sluice.put('clicks', [{ ts: '2026-11-25T00:00:01.000Z', page: '/a' }]);
await sluice.put('clicks', [{ ts: '2026-11-25T00:00:15.000Z', page: '/b' }]);
await sluice.end('clicks');
await done;
await sluice.close();
