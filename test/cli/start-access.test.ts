import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseCommandArgs } from '../../src/cli/args.js';
import { startCommand } from '../../src/cli/start.js';
import { COMMANDS } from '../../src/cli/commands.js';
import type { RunningServer } from '../../src/server/index.js';
import { tempDir } from '../helpers/run-app.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Runs `sluice start` with `argv` until it listens, then stops it; rejects as startCommand does. */
async function startAndStop(argv: string[]): Promise<RunningServer> {
  const args = parseCommandArgs(COMMANDS['start']!, ['--port', '0', ...argv]);
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  let server: RunningServer | undefined;
  const done = startCommand(args, { stdout: new PassThrough(), stderr: new PassThrough(), stop: stopped, onListening: (s) => ((server = s), stop()) });
  await done;
  return server!;
}

describe('sluice start --allow-path and --allow-private-endpoints', () => {
  it('parses --allow-private-endpoints as a flag and --allow-path as repeatable', () => {
    const args = parseCommandArgs(COMMANDS['start']!, ['--allow-private-endpoints', '--app', 'a.sql', '--allow-path', '/x', '--allow-path=/y']);
    expect(args.flag('allow-private-endpoints')).toBe(true);
    expect(args.multi('app')).toEqual(['a.sql']);
    expect(args.multi('allow-path')).toEqual(['/x', '/y']);
  });

  it("refuses an application whose sink writes outside the data directory, until --allow-path opens the folder", async () => {
    const data = tempDir();
    const extra = tempDir();
    try {
      const app = path.join(extra, 'app.sql');
      fs.writeFileSync(app, `CREATE STREAM clicks (page VARCHAR) WITH (source = 'kinesis', stream = 'clicks');
CREATE STREAM pages WITH (sink = 'file', path = '${path.join(extra, 'pages.ndjson')}') AS SELECT page FROM clicks;
CREATE STREAM local WITH (sink = 'file', path = 'out/local.ndjson') AS SELECT page FROM clicks;`);
      await expect(startAndStop(['--data', data, '--app', app, '--workers', '0'])).rejects.toThrow(/SQL_PATH_NOT_ALLOWED[\s\S]*--allow-path DIR/);
      const server = await startAndStop(['--data', data, '--app', app, '--workers', '0', '--allow-path', extra]);
      expect(server.port).toBeGreaterThan(0);
    } finally {
      fs.rmSync(data, { recursive: true, force: true });
      fs.rmSync(extra, { recursive: true, force: true });
    }
  });

  it('refuses a remote source on a loopback address until --allow-private-endpoints', async () => {
    const data = tempDir();
    try {
      const app = path.join(data, '..', `${path.basename(data)}.sql`);
      fs.writeFileSync(app, `CREATE STREAM far (page VARCHAR) WITH (source = 'kinesis', stream = 'far', endpoint = 'http://127.0.0.1:1');`);
      await expect(startAndStop(['--data', data, '--app', app, '--workers', '0'])).rejects.toThrow(/SQL_ENDPOINT_NOT_ALLOWED[\s\S]*--allow-private-endpoints/);
      expect((await startAndStop(['--data', data, '--app', app, '--workers', '0', '--allow-private-endpoints'])).port).toBeGreaterThan(0);
      fs.rmSync(app, { force: true });
    } finally {
      fs.rmSync(data, { recursive: true, force: true });
    }
  });
});
