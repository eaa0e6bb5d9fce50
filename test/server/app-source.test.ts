import { describe, it, expect } from 'vitest';
import { CreateStreamCommand, PutRecordsCommand, waitUntilStreamExists } from '@aws-sdk/client-kinesis';
import { startTestServer } from './helpers.js';
import { Engine } from '../../src/runtime/engine.js';
import { toObjects, type Row } from '../../src/runtime/rows.js';
import { LogStore } from '../../src/ingest/index.js';
import { toLines } from '../../src/runtime/sources/log-source.js';

const APP = `CREATE STREAM clicks (ts TIMESTAMP(3), user_id VARCHAR, page VARCHAR,
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH (source = 'kinesis', stream = 'clickstream', format = 'json');
CREATE STREAM views AS
SELECT window_start, page, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY window_start, window_end, page;`;

const at = (s: number) => new Date(Date.UTC(2026, 10, 25, 0, 0, s)).toISOString();

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("CREATE STREAM ... WITH (source = 'kinesis')", () => {
  it('reads records put through the AWS SDK, waiting for the stream to exist', async () => {
    const t = await startTestServer({ throttle: false });
    const notices: string[] = [];
    const engine = new Engine({ workers: 0, log: t.server.store, notice: (m) => notices.push(m) });
    const rows: Row[] = [];
    const errors: Row[] = [];
    try {
      engine.execute(APP);
      engine.on('views', (r, def) => rows.push(...toObjects(r, def.fields.slice(0, -1))));
      engine.on('error_stream', (r, def) => errors.push(...toObjects(r, def.fields.slice(0, -1))));
      await until(() => notices.some((n) => n.includes('waiting for stream clickstream')));
      await t.client.send(new CreateStreamCommand({ StreamName: 'clickstream', ShardCount: 3 }));
      await waitUntilStreamExists({ client: t.client, maxWaitTime: 30, minDelay: 1 }, { StreamName: 'clickstream' });
      const records = [];
      for (let s = 0; s < 30; s++) records.push({ ts: at(s), user_id: `u${s % 7}`, page: `/p${s % 3}` });
      await t.client.send(new PutRecordsCommand({
        StreamName: 'clickstream',
        Records: records.map((r) => ({ PartitionKey: r.user_id, Data: Buffer.from(JSON.stringify(r, null, 2)) })),
      }));
      // Windows [0,10) and [10,20) close once the watermark (max ts - 1 s) passes their end.
      await until(() => rows.length >= 6);
      expect(notices.some((n) => n.includes('reading stream clickstream into clicks'))).toBe(true);
      expect(rows.filter((r) => r['window_start'] === at(0)).map((r) => [r['page'], r['n']]).sort()).toEqual([['/p0', 4], ['/p1', 3], ['/p2', 3]]);
      expect(rows.filter((r) => r['window_start'] === at(10)).reduce((n, r) => n + (r['n'] as number), 0)).toBe(10);
      // Every shard has been caught up (idle) for a while; a new burst must still not be late anywhere.
      await new Promise((r) => setTimeout(r, 1300));
      const burst = [];
      for (let s = 30; s < 60; s++) burst.push({ ts: at(s), user_id: `u${s % 7}`, page: `/p${s % 3}` });
      await t.client.send(new PutRecordsCommand({
        StreamName: 'clickstream',
        Records: burst.map((r) => ({ PartitionKey: r.user_id, Data: Buffer.from(JSON.stringify(r)) })),
      }));
      await until(() => rows.filter((r) => r['window_start'] === at(40)).length === 3);
      expect(rows.filter((r) => r['window_start'] === at(30) || r['window_start'] === at(40)).reduce((n, r) => n + (r['n'] as number), 0)).toBe(20);
      expect(errors).toEqual([]);
    } finally {
      await engine.close();
      await t.close();
    }
  });

  it('reads a remote Kinesis stream through the SDK (here another Sluice), with no log of its own', async () => {
    const remote = await startTestServer({ throttle: false });
    const engine = new Engine({ workers: 0, allowPrivateEndpoints: true });
    const rows: Row[] = [];
    try {
      await remote.client.send(new CreateStreamCommand({ StreamName: 'far', ShardCount: 2 }));
      await waitUntilStreamExists({ client: remote.client, maxWaitTime: 30, minDelay: 1 }, { StreamName: 'far' });
      engine.execute(`CREATE STREAM clicks (ts TIMESTAMP(3), user_id VARCHAR, page VARCHAR, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
        WITH (source = 'kinesis', stream = 'far', endpoint = '${remote.server.url}', region = 'us-east-1');
        CREATE STREAM views AS SELECT window_start, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end;`);
      engine.on('views', (r, def) => rows.push(...toObjects(r, def.fields.slice(0, -1))));
      await remote.client.send(new PutRecordsCommand({
        StreamName: 'far',
        Records: Array.from({ length: 25 }, (_, s) => ({ PartitionKey: `u${s % 4}`, Data: Buffer.from(JSON.stringify({ ts: at(s), user_id: `u${s % 4}`, page: '/x' })) })),
      }));
      await until(() => rows.length >= 2);
      expect(rows.slice(0, 2)).toEqual([{ window_start: at(0), n: 10 }, { window_start: at(10), n: 10 }]);
    } finally {
      await engine.close();
      await remote.close();
    }
  });

  it('is refused without a log, or with a bad endpoint', async () => {
    const engine = new Engine();
    expect(() => engine.execute(APP)).toThrow(/source = 'kinesis' reads the ingest log/);
    const withLog = new Engine({ log: await LogStore.open(null) });
    expect(() => withLog.execute(`CREATE STREAM c (a VARCHAR) WITH (source = 'kinesis', endpoint = 'localhost:1', stream = 's')`)).toThrow(/endpoint must be an http/);
    expect(() => withLog.execute(`CREATE STREAM c (a VARCHAR) WITH (source = 'kafka')`)).toThrow(/unknown source 'kafka'/);
    await engine.close();
    await withLog.close();
  });

  it('puts one record per line, flattening line breaks inside a record', () => {
    const out = toLines([Buffer.from('{"a":\n1}'), Buffer.from('{"b":2}\r')]);
    expect(Buffer.from(out).toString()).toBe('{"a": 1}\n{"b":2} \n');
  });
});
