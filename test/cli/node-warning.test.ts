import { describe, it, expect } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateStreamCommand, GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { startTestServer } from '../server/helpers.js';
import { tempDir, writeLines } from '../helpers/run-app.js';

const cli = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));
const major = Number(process.versions.node.split('.')[0]);
const env = { ...process.env };
delete env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'];

describe.skipIf(major >= 22)("the AWS SDK's Node-version notice on Node 20", () => {
  it('is printed by the SDK itself, and not by the sluice CLI when it loads the SDK', async () => {
    const bare = spawnSync(process.execPath, ['-e', "new (require('@aws-sdk/client-kinesis').KinesisClient)({ region: 'us-east-1' })"], { cwd: root, encoding: 'utf8', env });
    expect(bare.stderr).toContain('NodeVersionSupportWarning');

    const t = await startTestServer({ throttle: false });
    try {
      await t.client.send(new CreateStreamCommand({ StreamName: 'alerts', ShardCount: 1 }));
      const dir = tempDir('sluice-sdk-');
      writeFileSync(join(dir, 'app.sql'), `CREATE STREAM a (x BIGINT);
CREATE STREAM alerts WITH (sink = 'kinesis', stream = 'alerts', endpoint = '${t.server.url}') AS SELECT x FROM a;`);
      const input = writeLines(dir, 'in.ndjson', ['{"x":1}', '{"x":2}']);
      const child = spawn(process.execPath, [cli, 'run', join(dir, 'app.sql'), '--input', `a=${input}`], { env });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code, stderr).toBe(0);
      expect(stderr).toMatch(/^sluice run: 2 records in .*; alerts: 2 rows;/);
      expect(stderr).not.toContain('NodeVersionSupportWarning');
      // The rows went through the SDK's client to the server: the SDK was loaded and used.
      const shards = await t.client.send(new ListShardsCommand({ StreamName: 'alerts' }));
      const it0 = await t.client.send(new GetShardIteratorCommand({ StreamName: 'alerts', ShardId: shards.Shards![0]!.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }));
      const got = await t.client.send(new GetRecordsCommand({ ShardIterator: it0.ShardIterator! }));
      expect(got.Records!.map((r) => JSON.parse(Buffer.from(r.Data!).toString()))).toEqual([{ x: 1 }, { x: 2 }]);
    } finally {
      await t.close();
    }
  });
});
