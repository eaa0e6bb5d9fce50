import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { FirehoseClient, CreateDeliveryStreamCommand, DescribeDeliveryStreamCommand, type CreateDeliveryStreamCommandInput } from '@aws-sdk/client-firehose';
import { startServer, type RunningServer, type StartServerOptions } from '../../src/server/index.js';
import type { FirehoseServerOptions } from '../../src/server/firehose-route.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const ROLE = 'arn:aws:iam::000000000000:role/firehose';

export interface FirehoseTestServer {
  readonly server: RunningServer;
  readonly client: FirehoseClient;
  readonly dir: string;
  close(): Promise<void>;
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-sinks-'));
}

export async function startFirehoseServer(dir: string, firehose: FirehoseServerOptions['firehose'] = {}): Promise<FirehoseTestServer> {
  const options: StartServerOptions & FirehoseServerOptions = { port: 0, dataDir: dir, createDelayMs: 30, firehose };
  const server = await startServer(options);
  const client = new FirehoseClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  return {
    server,
    client,
    dir,
    async close() {
      client.destroy();
      await server.close();
    },
  };
}

/** After a test: closes its server (if one is still open) and removes its data folder. */
export async function closeAndRemove(t: FirehoseTestServer | undefined, dir: string): Promise<void> {
  await t?.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Creates a DirectPut stream to bucket `bucket` and waits for it to be ACTIVE. */
export async function createStream(
  client: FirehoseClient,
  name: string,
  destination: Partial<NonNullable<CreateDeliveryStreamCommandInput['ExtendedS3DestinationConfiguration']>> = {},
): Promise<void> {
  await client.send(
    new CreateDeliveryStreamCommand({
      DeliveryStreamName: name,
      DeliveryStreamType: 'DirectPut',
      ExtendedS3DestinationConfiguration: { RoleARN: ROLE, BucketARN: 'arn:aws:s3:::bucket', ...destination },
    }),
  );
  await waitFor(async () => {
    const out = await client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: name }));
    return out.DeliveryStreamDescription?.DeliveryStreamStatus === 'ACTIVE';
  });
}

/** Every object under `root` (dot-named temporaries left out, as a reader would), sorted. */
export function listFiles(root: string, withHidden = false): string[] {
  if (!fs.existsSync(root)) return [];
  const out: string[] = [];
  const walk = (dir: string, rel: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!withHidden && entry.name.startsWith('.')) continue;
      const r = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path.join(dir, entry.name), r);
      else out.push(r);
    }
  };
  walk(root, '');
  return out.sort();
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const bytes = (s: string): Uint8Array => Buffer.from(s);

/** The error a call fails with, as the SDK reports it. */
export async function errorOf(promise: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await promise;
  } catch (err) {
    const e = err as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

/** Rows of one query in a throwaway DuckDB (read_parquet, or ATTACH of a file a sink wrote). */
export async function query(sql: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await db.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}
