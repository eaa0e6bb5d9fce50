/**
 * The Kinesis Analytics API on the one port: `POST /` with `x-amz-target:
 * KinesisAnalytics_20150814.<Op>`, AWS JSON 1.1 in and out, errors as `{"__type", "message"}`, as
 * Kinesis and Firehose; SigV4 scoped to `kinesisanalytics` under --auth. `GET /api/applications`
 * gives the dashboard each application's status, version, inputs, outputs, what its engine runs
 * and its latest notices.
 */

import type { LogStore } from '../ingest/index.js';
import { AnalyticsApi, ANALYTICS_TARGET_PREFIX, type AnalyticsApiOptions } from '../analytics/index.js';
import type { FirehoseApi } from '../sinks/firehose/index.js';
import type { Authenticator } from './auth/authenticator.js';
import { sendBody } from './http-types.js';
import { jsonTargetRoute } from './kinesis-route.js';
import type { SluiceServer } from './sluice-server.js';

export interface AnalyticsServerOptions {
  readonly dataDir?: string | null;
  readonly region?: string;
  readonly allowPaths?: readonly string[];
  readonly allowPrivateEndpoints?: boolean;
  readonly auth?: Authenticator;
  /** Checkpoint interval and discovery wait (tests shorten them). */
  readonly analytics?: Pick<AnalyticsApiOptions, 'checkpointIntervalMs' | 'discoveryWaitMs'>;
}

/** Opens the API over the server's log and Firehose (resuming the applications that were running) and serves it. */
export async function attachAnalytics(server: SluiceServer, options: AnalyticsServerOptions, log: LogStore, firehose: FirehoseApi): Promise<AnalyticsApi> {
  const api = await AnalyticsApi.open({
    dataDir: options.dataDir === undefined ? './data' : options.dataDir,
    log,
    firehose,
    region: options.region,
    allowPaths: options.allowPaths ?? [],
    allowPrivateEndpoints: options.allowPrivateEndpoints ?? false,
    ...options.analytics,
  });
  const auth = options.auth;
  server.addTarget(ANALYTICS_TARGET_PREFIX, jsonTargetRoute(ANALYTICS_TARGET_PREFIX, api, auth && { authenticator: auth, service: 'kinesisanalytics' }));
  server.addRoute('GET', '/api/applications', (_req, res) =>
    sendBody(res, 200, 'application/json; charset=utf-8', JSON.stringify({ applications: applicationsReport(api) }), { 'cache-control': 'no-store' }));
  server.onClose(() => api.close());
  return api;
}

function applicationsReport(api: AnalyticsApi): object[] {
  return api.deployments().map((d) => {
    const engine = d.runner?.engine;
    return {
      name: d.record.name,
      status: d.status,
      version: d.record.versionId,
      inputs: d.record.inputs.map((i) => ({ id: i.id, stream: i.stream, namePrefix: i.namePrefix, startingPosition: i.startingPosition ?? null })),
      outputs: d.record.outputs.map((o) => ({ id: o.id, name: o.name, kind: o.kind, target: o.target, format: o.format })),
      references: d.record.references.map((r) => ({ id: r.id, table: r.tableName, bucket: r.bucket, key: r.fileKey })),
      queries: engine ? engine.runners.map((r) => ({ name: r.plan.name, source: r.plan.source, target: r.plan.target, rowsIn: r.rowsIn, rowsOut: r.rowsOut })) : [],
      errors: engine?.errorCount ?? 0,
      notices: d.notices.slice(-10).map((n) => ({ at: new Date(n.at).toISOString(), message: n.message })),
    };
  });
}
