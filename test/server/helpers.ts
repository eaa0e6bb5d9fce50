import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DescribeStreamSummaryCommand, KinesisClient, type KinesisClientConfig } from '@aws-sdk/client-kinesis';
import { startServer, type RunningServer, type StartServerOptions } from '../../src/server/index.js';

// The SDK warns once per process that it will soon need Node 22; that is not this test's business.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export interface TestServer {
  readonly server: RunningServer;
  readonly client: KinesisClient;
  readonly dir: string;
  /** A client with other settings (e.g. maxAttempts: 1 so throttling is not retried away). */
  clientWith(config: Partial<KinesisClientConfig>): KinesisClient;
  close(): Promise<void>;
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-server-'));
}

export function clientFor(url: string, config: Partial<KinesisClientConfig> = {}): KinesisClient {
  return new KinesisClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    ...config,
  });
}

/** A server on a random loopback port over a fresh directory; CREATING lasts 50 ms unless told. */
export async function startTestServer(options: StartServerOptions = {}): Promise<TestServer> {
  const owned = options.dataDir === undefined;
  const dir = owned ? tempDir() : (options.dataDir as string);
  const server = await startServer({ port: 0, createDelayMs: 50, ...options, dataDir: dir });
  const clients: KinesisClient[] = [];
  const clientWith = (config: Partial<KinesisClientConfig>): KinesisClient => {
    const client = clientFor(server.url, config);
    clients.push(client);
    return client;
  };
  const client = clientWith({});
  return {
    server,
    client,
    dir,
    clientWith,
    async close() {
      for (const c of clients) c.destroy();
      await server.close();
      if (owned) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until the stream (or consumer) has left CREATING. */
/** Waits (bounded) until `check` holds, however loaded the machine; errors count as not yet. */
export async function eventually(what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > end) throw new Error(`${what}: not so after ${ms} ms`);
    await settle(20);
  }
}

/** A stream is ACTIVE: created, or done resharding. */
export function untilActive(client: KinesisClient, name: string): Promise<void> {
  return eventually(`stream ${name} ACTIVE`, async () => (await client.send(new DescribeStreamSummaryCommand({ StreamName: name }))).StreamDescriptionSummary?.StreamStatus === 'ACTIVE');
}

export function settle(ms = 80): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A clock tests move by hand. */
export class FakeClock {
  constructor(public now = Date.UTC(2030, 0, 1)) {}
  readonly read = (): number => this.now;
  advance(ms: number): void {
    this.now += ms;
  }
}

export function text(data: Uint8Array | undefined): string {
  return Buffer.from(data ?? new Uint8Array()).toString('utf8');
}
