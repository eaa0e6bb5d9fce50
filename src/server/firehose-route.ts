/**
 * The Firehose API on the one port: `POST /` with `x-amz-target: Firehose_20150804.<Op>`, AWS
 * JSON 1.1 in and out, errors as `{"__type", "message"}` with `x-amzn-ErrorType`, as Kinesis.
 */

import type { LogStore } from '../ingest/index.js';
import { FirehoseApi, FIREHOSE_TARGET_PREFIX, type FirehoseApiOptions } from '../sinks/firehose/index.js';
import type { Authenticator } from './auth/authenticator.js';
import type { RouteHandler } from './http-types.js';
import { jsonTargetRoute } from './kinesis-route.js';
import type { SluiceServer } from './sluice-server.js';

/** The server options Firehose reads; `firehose` overrides the rest (tests inject a scheduler). */
export interface FirehoseServerOptions {
  readonly dataDir?: string | null;
  readonly region?: string;
  readonly createDelayMs?: number;
  /** Folders besides the data directory that `duckdb:` Urls may write to. */
  readonly allowPaths?: readonly string[];
  /** HTTP endpoints on private, loopback, link-local or unspecified addresses are allowed. */
  readonly allowPrivateEndpoints?: boolean;
  readonly firehose?: Partial<FirehoseApiOptions>;
  /** Require SigV4 scoped to `firehose` and allow `firehose:<Operation>` as the users' policies say. */
  readonly auth?: Authenticator;
}

/** Opens the Firehose API over the server's data directory (and log, for KinesisStreamAsSource), serves it, and closes it with the server. */
export async function attachFirehose(server: SluiceServer, options: FirehoseServerOptions = {}, log?: LogStore): Promise<FirehoseApi> {
  const api = await FirehoseApi.open({
    dataDir: options.dataDir === undefined ? './data' : options.dataDir,
    log,
    region: options.region,
    createDelayMs: options.createDelayMs,
    allowPaths: options.allowPaths ?? [],
    allowPrivateEndpoints: options.allowPrivateEndpoints ?? false,
    ...options.firehose,
  });
  server.addTarget(FIREHOSE_TARGET_PREFIX, firehoseRoute(api, options.auth));
  server.onClose(() => api.close());
  return api;
}

export function firehoseRoute(api: FirehoseApi, auth?: Authenticator): RouteHandler {
  return jsonTargetRoute(FIREHOSE_TARGET_PREFIX, api, auth && { authenticator: auth, service: 'firehose' });
}
