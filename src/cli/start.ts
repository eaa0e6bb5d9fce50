/**
 * `sluice start [--port 4567] [--host 127.0.0.1] [--data ./data | --memory] [--no-throttle] [--app app.sql ...]
 * [--allow-path DIR ...] [--allow-private-endpoints]`: serves the Kinesis API (AWS SDK over HTTP/2,
 * AWS CLI over HTTP/1.1) on one port until SIGINT or SIGTERM, runs the given applications over the
 * log, then stops taking requests, lets those in flight finish and flushes the log.
 */

import { startServer, type RunningServer } from '../server/start-server.js';
import { CliError, type ParsedArgs } from './args.js';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Engine } from '../runtime/engine.js';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { attachDashboard } from '../server/dashboard-route.js';
import { AllowedPaths } from '../storage/allowed-paths.js';

/** Flags `sluice start` reads without a value: give them to parseArgs as boolean flags. */
export { START_BOOLEAN_FLAGS } from './args.js';

export interface StartIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Resolves when the server should stop; defaults to the first SIGINT or SIGTERM. */
  readonly stop?: Promise<unknown>;
  /** Told once the server is listening (tests use it to find the port). */
  readonly onListening?: (server: RunningServer) => void;
}

export async function startCommand(args: ParsedArgs, io: StartIo): Promise<void> {
  const port = Number(args.single('port') ?? 4567);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError('--port takes a port number (0 picks a free one)');
  const host = args.single('host') ?? '127.0.0.1';
  const memory = args.flag('memory');
  const dataDir = memory ? null : (args.single('data') ?? './data');
  const throttle = !args.flag('no-throttle');
  const apps = args.multi('app');
  for (const app of apps) if (!existsSync(app)) throw new CliError(`no such application file: ${app}`);
  const allowPaths = args.multi('allow-path');
  const allowPrivateEndpoints = args.flag('allow-private-endpoints');
  const server = await startServer({ port, host, dataDir, throttle, allowPaths, allowPrivateEndpoints });
  let engine: Engine | null = null;
  try {
    if (apps.length) {
      const workers = args.single('workers') !== undefined ? Number(args.single('workers')) : availableParallelism();
      const sources = apps.map((app) => readFileSync(app, 'utf8'));
      // Progress is kept per set of applications: change the SQL and it starts afresh.
      const id = createHash('sha256').update(sources.join('\u0000')).digest('hex').slice(0, 16);
      const checkpoint = dataDir ? { dir: join(dataDir, 'apps', id) } : undefined;
      const files = new AllowedPaths(dataDir, allowPaths);
      engine = new Engine({ workers, log: server.store, firehose: server.firehose, files, allowPrivateEndpoints, notice: (m) => io.stderr.write(`sluice: ${m}\n`), ...(checkpoint ? { checkpoint } : {}) });
      for (const [i, sql] of sources.entries()) await engine.executeScript(sql, apps[i]);
      await engine.resume();
      attachDashboard(server.server, engine);
    }
  } catch (e) {
    await engine?.close();
    await server.close();
    throw e;
  }
  io.stdout.write(
    `sluice: Kinesis API listening on ${server.url} (data: ${dataDir ?? 'in memory'}, throughput limits ${throttle ? 'on' : 'off'})\n` +
      `  aws --endpoint-url ${server.url} kinesis list-streams\n`,
  );
  if (apps.length) io.stdout.write(`  running ${apps.join(', ')}\n  dashboard ${server.url}/ (rows live at ${server.url.replace('http', 'ws')}/feeds/<stream>)\n`);
  io.onListening?.(server);
  await (io.stop ?? untilSignal());
  io.stderr.write('sluice: stopping\n');
  await engine?.close();
  await server.close();
  io.stderr.write('sluice: stopped, log flushed\n');
}

function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals): void => {
      process.removeListener('SIGINT', on);
      process.removeListener('SIGTERM', on);
      resolve(signal);
    };
    process.once('SIGINT', on);
    process.once('SIGTERM', on);
  });
}
