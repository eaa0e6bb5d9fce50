import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CreateStreamCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { parseCommandArgs } from '../../src/cli/args.js';
import { startCommand } from '../../src/cli/start.js';
import { COMMANDS } from '../../src/cli/commands.js';
import type { RunningServer } from '../../src/server/index.js';
import { clientFor, eventually, tempDir, untilActive } from './helpers.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

describe('POST /sql names a database as the application\'s sink does', () => {
  it('answers for "analytics.duckdb" when a sink of `sluice start --data D` writes path = \'analytics.duckdb\'', async () => {
    const data = tempDir();
    const app = path.join(data, '..', `${path.basename(data)}-app.sql`);
    fs.writeFileSync(app, `CREATE STREAM clicks (page VARCHAR) WITH (source = 'kinesis', stream = 'clicks');
CREATE STREAM page_copy WITH (sink = 'duckdb', path = 'analytics.duckdb', table = 'pages') AS SELECT page FROM clicks;`);
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    let server!: RunningServer;
    const listening = new Promise<void>((resolve) => {
      const args = parseCommandArgs(COMMANDS['start']!, ['--port', '0', '--data', data, '--app', app, '--workers', '0']);
      void startCommand(args, { stdout: new PassThrough(), stderr: new PassThrough(), stop: stopped, onListening: (s) => ((server = s), resolve()) });
    });
    try {
      await listening;
      const kinesis = clientFor(server.url);
      await kinesis.send(new CreateStreamCommand({ StreamName: 'clicks', ShardCount: 1 }));
      await untilActive(kinesis, 'clicks');
      await kinesis.send(new PutRecordsCommand({ StreamName: 'clicks', Records: ['/a', '/b', '/a'].map((page, i) => ({ PartitionKey: String(i), Data: Buffer.from(JSON.stringify({ page })) })) }));
      expect(fs.existsSync(path.join(data, 'analytics.duckdb'))).toBe(true);
      let body = '';
      await eventually('the pull query sees the three rows', async () => {
        const res = await fetch(`${server.url}/sql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ sql: 'SELECT page, count(*) AS n FROM pages GROUP BY page ORDER BY page', database: 'analytics.duckdb' }),
        });
        body = await res.text();
        return res.status === 200 && body.includes('"/b"') && body.includes('2');
      });
      expect(JSON.parse(body).rows).toEqual([{ page: '/a', n: '2' }, { page: '/b', n: '1' }].map((r) => expect.objectContaining({ page: r.page })));
      const outside = await fetch(`${server.url}/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: 'SELECT 1', database: '../analytics.duckdb' }) });
      expect(outside.status).toBe(404);
      kinesis.destroy();
    } finally {
      stop();
      fs.rmSync(app, { force: true });
    }
  }, 30_000);
});
