import fs from 'node:fs';
import path from 'node:path';
import { CreateStreamCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { Sluice } from '../../src/index.js';
import { Engine } from '../../src/runtime/engine.js';
import { toObjects, type Row } from '../../src/runtime/rows.js';
import { AllowedPaths } from '../../src/storage/allowed-paths.js';
import { query } from '../sinks/helpers.js';
import { startTestServer } from '../server/helpers.js';
import { tempDir } from '../helpers/run-app.js';

const CLICKS = `CREATE STREAM clicks (ts TIMESTAMP(3), page VARCHAR);`;
const at = (s: number) => new Date(Date.UTC(2026, 10, 25, 0, 0, s)).toISOString();

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function feed(engine: Engine): Promise<void> {
  await engine.runtime('clicks').ingest(Buffer.from(`${JSON.stringify({ ts: at(1), page: '/a' })}\n`));
  await engine.endOfInput('clicks');
}

describe("an application's sinks and endpoints under sluice start", () => {
  it('resolves sink paths in the data directory and refuses others unless a folder is allowed', async () => {
    const data = tempDir();
    const extra = tempDir();
    try {
      const engine = new Engine({ files: new AllowedPaths(data) });
      for (const sink of [
        `sink = 'duckdb', path = '${path.join(extra, 'x.duckdb')}', table = 'v'`,
        `sink = 'file', path = '../escape.ndjson'`,
        `sink = 'file', path = 'streams/clicks/stream.json'`,
        `sink = 'file', path = 'out/a.ndjson', format = 'parquet', path = '/etc/sluice'`,
      ]) {
        expect(() => engine.execute(`${CLICKS} CREATE STREAM v WITH (${sink}) AS SELECT page FROM clicks;`), sink).toThrow(/SQL_PATH_NOT_ALLOWED[\s\S]*(--allow-path|own state)/);
      }
      await engine.close();
      expect(fs.readdirSync(extra)).toEqual([]);

      const allowed = new Engine({ files: new AllowedPaths(data, [extra]) });
      allowed.execute(`${CLICKS}
        CREATE STREAM f WITH (sink = 'file', path = 'out/f.ndjson', buffer_ms = '0') AS SELECT page FROM clicks;
        CREATE STREAM d WITH (sink = 'duckdb', path = 'tables.duckdb', table = 'd', buffer_ms = '0') AS SELECT page FROM clicks;
        CREATE STREAM e WITH (sink = 'file', path = '${path.join(extra, 'e.ndjson')}', buffer_ms = '0') AS SELECT page FROM clicks;`);
      await feed(allowed);
      await allowed.close();
      expect(fs.readFileSync(path.join(data, 'out', 'f.ndjson'), 'utf8')).toBe('{"page":"/a"}\n');
      expect(fs.readFileSync(path.join(extra, 'e.ndjson'), 'utf8')).toBe('{"page":"/a"}\n');
      expect(await query(`ATTACH '${path.join(data, 'tables.duckdb')}' AS t (READ_ONLY); SELECT page FROM t.d`)).toEqual([{ page: '/a' }]);
    } finally {
      fs.rmSync(data, { recursive: true, force: true });
      fs.rmSync(extra, { recursive: true, force: true });
    }
  });

  it('refuses remote Kinesis endpoints on literal private addresses, for sources and sinks', async () => {
    const engine = new Engine();
    for (const endpoint of ['http://127.0.0.1:4567', 'http://[::1]:4567', 'http://[::ffff:127.0.0.1]:4567', 'http://10.1.2.3', 'http://169.254.169.254', 'https://[fd00::1]']) {
      expect(() => engine.execute(`CREATE STREAM s (a VARCHAR) WITH (source = 'kinesis', stream = 's', endpoint = '${endpoint}');`), endpoint).toThrow(/SQL_ENDPOINT_NOT_ALLOWED[\s\S]*--allow-private-endpoints/);
      expect(() => engine.execute(`${CLICKS} CREATE STREAM o WITH (sink = 'kinesis', stream = 'o', endpoint = '${endpoint}') AS SELECT page FROM clicks;`), endpoint).toThrow(/SQL_ENDPOINT_NOT_ALLOWED/);
    }
    await engine.close();
    const allowed = new Engine({ allowPrivateEndpoints: true });
    expect(allowed.execute(`CREATE STREAM s (a VARCHAR) WITH (source = 'kinesis', stream = 's', endpoint = 'http://127.0.0.1:1');`)).toEqual([{ kind: 'stream', name: 's' }]);
    await allowed.close();
  });

  it('the embedded API refuses them too, unless opened with allowPrivateEndpoints', async () => {
    const remote = await startTestServer({ throttle: false, createDelayMs: 0 });
    const app = `CREATE STREAM clicks (ts TIMESTAMP(3), page VARCHAR) WITH (source = 'kinesis', stream = 'far', endpoint = '${remote.server.url}');
      CREATE STREAM pages AS SELECT page FROM clicks;`;
    const closed = await Sluice.open();
    const open = await Sluice.open({ allowPrivateEndpoints: true });
    try {
      await expect(closed.execute(app)).rejects.toThrow(/SQL_ENDPOINT_NOT_ALLOWED/);
      await remote.client.send(new CreateStreamCommand({ StreamName: 'far', ShardCount: 1 }));
      await remote.client.send(new PutRecordsCommand({ StreamName: 'far', Records: [{ PartitionKey: 'p', Data: Buffer.from(JSON.stringify({ ts: at(1), page: '/embedded' })) }] }));
      const rows: Row[] = [];
      await open.execute(app);
      open.on('pages', (r) => rows.push(...r));
      await until(() => rows.length === 1);
      expect(rows).toEqual([{ page: '/embedded' }]);
    } finally {
      await closed.close();
      await open.close();
      await remote.close();
    }
  });

  it('resolves a host name when the source connects: localhost is refused, and read with allowPrivateEndpoints', async () => {
    const remote = await startTestServer({ throttle: false, createDelayMs: 0 });
    const url = remote.server.url.replace('127.0.0.1', 'localhost');
    const source = `CREATE STREAM clicks (ts TIMESTAMP(3), page VARCHAR) WITH (source = 'kinesis', stream = 'far', endpoint = '${url}');
      CREATE STREAM pages AS SELECT page FROM clicks;`;
    const notices: string[] = [];
    const refused = new Engine({ notice: (m) => notices.push(m) });
    const allowed = new Engine({ allowPrivateEndpoints: true });
    try {
      await remote.client.send(new CreateStreamCommand({ StreamName: 'far', ShardCount: 1 }));
      await remote.client.send(new PutRecordsCommand({ StreamName: 'far', Records: [{ PartitionKey: 'p', Data: Buffer.from(JSON.stringify({ ts: at(1), page: '/far' })) }] }));
      const refusedRows: Row[] = [];
      refused.execute(source);
      refused.on('pages', (r, def) => refusedRows.push(...toObjects(r, def.fields.slice(0, -1))));
      await until(() => notices.some((n) => /localhost \((127\.0\.0\.1|::1)\) is a loopback address.*--allow-private-endpoints/.test(n)));
      const rows: Row[] = [];
      allowed.execute(source);
      allowed.on('pages', (r, def) => rows.push(...toObjects(r, def.fields.slice(0, -1))));
      await until(() => rows.length === 1);
      expect(rows).toEqual([{ page: '/far' }]);
      expect(refusedRows).toEqual([]);
    } finally {
      await refused.close();
      await allowed.close();
      await remote.close();
    }
  });
});
