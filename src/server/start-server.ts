/**
 * Sluice as a Kinesis endpoint: a LogStore, the Kinesis API over it, and the one-port server,
 * wired together. Used by `sluice start`, by tests, and by anyone embedding Sluice.
 */

import type { AddressInfo } from 'node:net';
import { LogStore } from '../ingest/log-store.js';
import type { LogStoreOptions } from '../ingest/types.js';
import { createKinesisApi, KINESIS_TARGET_PREFIX, type KinesisApi, type KinesisApiOptions } from '../ingest/api/index.js';
import { sendBody } from './http-types.js';
import { jsonTargetRoute } from './kinesis-route.js';
import { SluiceServer, type SluiceServerOptions } from './sluice-server.js';
import { attachFirehose } from './firehose-route.js';
import { attachAnalytics, type AnalyticsServerOptions } from './analytics-route.js';
import type { AnalyticsApi } from '../analytics/index.js';
import { createSqlRoute } from './sql-route.js';
import type { FirehoseApi } from '../sinks/firehose/index.js';
import type { Authenticator } from './auth/authenticator.js';
import { loopbackOnly } from './auth/loopback-guard.js';
import { signedRoute } from './auth/request-auth.js';

export interface StartServerOptions extends Omit<KinesisApiOptions, 'throttle'> {
  /** 0 picks a free port (default 4567). */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Where the log lives; null keeps everything in memory (default ./data). */
  readonly dataDir?: string | null;
  /** Enforce Kinesis's per-shard limits (default true). */
  readonly throttle?: boolean;
  readonly log?: LogStoreOptions;
  /** Folders besides the data directory that Firehose `duckdb:` Urls may write to (`--allow-path`). */
  readonly allowPaths?: readonly string[];
  /** Let Firehose deliver to private, loopback, link-local or unspecified addresses (`--allow-private-endpoints`; default false). */
  readonly allowPrivateEndpoints?: boolean;
  /**
   * Require SigV4 on every Kinesis and Firehose request and on POST /sql, and allow what the
   * users' policies allow; every other route but /health then answers loopback clients only.
   */
  readonly auth?: Authenticator;
  /** Serve TLS (h2 and http/1.1 by ALPN) instead of plaintext; `url` is then https://. */
  readonly tls?: SluiceServerOptions['tls'];
  /** Connection timeouts and limits (server-limits.ts). */
  readonly server?: SluiceServerOptions;
  /** The Kinesis Analytics applications' checkpoint interval and discovery wait. */
  readonly analytics?: AnalyticsServerOptions['analytics'];
}

export interface RunningServer {
  readonly port: number;
  readonly host: string;
  /** http://host:port (https with TLS), for `endpoint` in an SDK client or `--endpoint-url` in the CLI. */
  readonly url: string;
  /** The log behind the API: the hook for running SQL applications on the same streams. */
  readonly store: LogStore;
  readonly api: KinesisApi;
  /** The Firehose delivery streams on the same port (query outputs can be delivered to them). */
  readonly firehose: FirehoseApi;
  /** The Kinesis Analytics applications on the same port (KinesisAnalytics_20150814). */
  readonly analytics: AnalyticsApi;
  /** The HTTP server, to add routes, targets (Firehose) or upgrades (WebSocket) to. */
  readonly server: SluiceServer;
  /** Stops serving, ends subscriptions, lets requests finish, then flushes and closes the log. */
  close(): Promise<void>;
}

export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const store = await LogStore.open(options.dataDir === undefined ? './data' : options.dataDir, options.log);
  let api: KinesisApi | undefined;
  let server: SluiceServer | undefined;
  try {
    api = await createKinesisApi(store, { ...options, throttle: options.throttle ?? true });
    server = new SluiceServer({ ...options.server, ...(options.tls ? { tls: options.tls } : {}) });
    server.addRoute('GET', '/health', (_req, res) => sendBody(res, 200, 'application/json', '{"status":"ok"}'));
    const auth = options.auth;
    server.addTarget(KINESIS_TARGET_PREFIX, jsonTargetRoute(KINESIS_TARGET_PREFIX, api, auth && { authenticator: auth, service: 'kinesis' }));
    const firehose = await attachFirehose(server, options, store);
    const analytics = await attachAnalytics(server, options, store, firehose);
    const own = server;
    const sql = createSqlRoute(() => own.address, options.dataDir === undefined ? './data' : options.dataDir);
    server.addRoute('POST', '/sql', auth ? signedRoute(auth, 'sluice', 'sluice:Sql', sql) : sql);
    if (auth) server.addGuard(loopbackOnly(['/health', '/sql']));
    const kinesis = api;
    server.onClose(() => kinesis.close());
    const address: AddressInfo = await server.listen(options.port ?? 4567, options.host ?? '127.0.0.1');
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const running = server;
    let closing: Promise<void> | undefined;
    return {
      port: address.port,
      host: address.address,
      url: `${options.tls ? 'https' : 'http'}://${host}:${address.port}`,
      store,
      api,
      firehose,
      analytics,
      server,
      // Applications stop first: their last outputs still go to Firehose and the log.
      close: () => (closing ??= analytics.close().catch(() => undefined).then(() => running.close()).finally(() => store.close())),
    };
  } catch (err) {
    await server?.close().catch(() => undefined);
    await api?.close().catch(() => undefined);
    await store.close();
    throw err;
  }
}
