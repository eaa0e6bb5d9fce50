/**
 * `sluice start [--port 4567] [--host 127.0.0.1] [--data ./data | --memory] [--no-throttle] [--app app.sql ...] [--checkpoint-interval 5000]
 * [--allow-path DIR ...] [--allow-private-endpoints] [--kms-key-file FILE]
 *   [--auth users.json] [--tls-cert cert.pem --tls-key key.pem | --tls-self-signed]`:
 * serves the Kinesis API (AWS SDK over HTTP/2, AWS CLI over HTTP/1.1) on one port until SIGINT or
 * SIGTERM, runs the given applications over the log, then stops taking requests, lets those in
 * flight finish and flushes the log. The key file holds the master keys of encrypted streams
 * (default DIR/keys/master.key, made on first use).
 */

import { startServer, type RunningServer } from '../server/start-server.js';
import { intOption, UsageError, type ParsedArgs } from './args.js';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Engine } from '../runtime/engine.js';
import { checkpointTrace } from '../runtime/checkpoint-trace.js';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { attachDashboard } from '../server/dashboard-route.js';
import { AllowedPaths } from '../storage/allowed-paths.js';
import { securityOptions } from './security-options.js';

export interface StartIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Resolves when the server should stop; defaults to the first SIGINT or SIGTERM. */
  readonly stop?: Promise<unknown>;
  /** Told once the server is listening (tests use it to find the port). */
  readonly onListening?: (server: RunningServer) => void;
}

export async function startCommand(args: ParsedArgs, io: StartIo): Promise<void> {
  const port = intOption(args, 'port', 4567, 0, 65535);
  const host = args.single('host') ?? '127.0.0.1';
  const memory = args.flag('memory');
  if (memory && args.single('data') !== undefined) throw new UsageError('--memory keeps nothing on disk: give --data DIR or --memory, not both', 'start');
  const dataDir = memory ? null : (args.single('data') ?? './data');
  const throttle = !args.flag('no-throttle');
  const kmsKeyFile = args.single('kms-key-file');
  const apps = args.multi('app');
  const interval = intOption(args, 'checkpoint-interval', 5000, 10);
  for (const app of apps) if (!existsSync(app)) throw new UsageError(`no such application file: ${app}`, 'start');
  const workersFlag = args.single('workers') !== undefined ? intOption(args, 'workers', 0) : undefined;
  const allowPaths = args.multi('allow-path');
  const allowPrivateEndpoints = args.flag('allow-private-endpoints');
  const security = await securityOptions(args, host, dataDir);
  for (const line of security.warnings) io.stderr.write(`sluice: ${line}\n`);
  const server = await startServer({ port, host, dataDir, throttle, allowPaths, allowPrivateEndpoints, auth: security.auth, tls: security.tls, ...(kmsKeyFile !== undefined ? { log: { kmsKeyFile } } : {}) });
  let engine: Engine | null = null;
  try {
    if (apps.length) {
      const workers = workersFlag ?? availableParallelism();
      const sources = apps.map((app) => readFileSync(app, 'utf8'));
      // Progress is kept per set of applications: change the SQL and it starts afresh.
      const id = createHash('sha256').update(sources.join('\u0000')).digest('hex').slice(0, 16);
      const checkpoint = dataDir ? { dir: join(dataDir, 'apps', id), intervalMs: interval } : undefined;
      const files = new AllowedPaths(dataDir, allowPaths);
      const trace = checkpointTrace(process.env, io.stderr);
      engine = new Engine({ workers, log: server.store, firehose: server.firehose, files, allowPrivateEndpoints, notice: (m) => io.stderr.write(`sluice: ${m}\n`), ...(checkpoint ? { checkpoint } : {}), ...(trace ? { trace } : {}) });
      for (const [i, sql] of sources.entries()) await engine.executeScript(sql, apps[i]);
      await engine.resume();
    }
    attachDashboard(server.server, engine, { log: server.store });
  } catch (e) {
    await engine?.close();
    await server.close();
    throw e;
  }
  const cert = security.certificate;
  const caBundle = cert && 'certPath' in cert ? ` --ca-bundle ${cert.certPath}` : '';
  io.stdout.write(
    `sluice: Kinesis API listening on ${server.url} (data: ${dataDir ?? 'in memory'}, throughput limits ${throttle ? 'on' : 'off'})\n` +
      (security.authSummary ? `  SigV4 auth: ${security.authSummary}; the dashboard and feeds answer this machine only\n` : '') +
      (cert && 'certPath' in cert ? `  TLS: self-signed certificate for localhost, 127.0.0.1, ::1 ${cert.created ? 'made' : 'kept'} at ${cert.certPath}\n` : '') +
      (cert ? `  TLS certificate SHA-256 fingerprint ${cert.fingerprint}\n` : '') +
      `  aws --endpoint-url ${server.url}${caBundle} kinesis list-streams${security.auth ? '   (with the keys of a user in the auth file)' : ''}\n`,
  );
  if (apps.length) io.stdout.write(`  running ${apps.join(', ')}\n  dashboard ${server.url}/ (rows live at ${server.url.replace('http', 'ws')}/feeds/<stream>)\n`);
  else io.stdout.write(`  dashboard ${server.url}/ (the log's streams and shards)\n`);
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
