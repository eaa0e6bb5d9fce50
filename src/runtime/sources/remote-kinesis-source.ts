import type { KinesisClient, Shard as KinesisShard } from '@aws-sdk/client-kinesis';

/** The AWS SDK, loaded when a remote source first reads: most applications never need it. */
type Sdk = typeof import('@aws-sdk/client-kinesis');
import { checkEndpoint, guardedSdkHandler } from '../../net/outbound-guard.js';
import type { StreamRuntime } from '../stream-runtime.js';
import { IdleClock, PausePoint } from './source-loop.js';
import { toLines } from './log-source.js';

export interface RemoteSourceOptions {
  readonly endpoint: string;
  readonly region?: string;
  readonly notice?: (message: string) => void;
  readonly idleTimeoutMs?: number;
  /** Reading from private, loopback, link-local or unspecified addresses is allowed (default false). */
  readonly allowPrivateEndpoints?: boolean;
}

export interface RemotePosition {
  /** Last sequence number read per shard. */
  readonly shards: Record<string, string>;
  readonly finished: string[];
}

/**
 * Reads a Kinesis stream through the AWS SDK (real AWS, or another Sluice): ListShards, then
 * GetShardIterator and GetRecords per shard, parents before children, at most 5 GetRecords calls
 * per shard per second as AWS allows. Same contract as LogSource: chunks tagged with their shard.
 */
export class RemoteKinesisSource {
  private client: KinesisClient | null = null;
  private sdk: Sdk | null = null;
  private stopped = false;
  private loop: Promise<void> | null = null;
  private readonly lastSequence = new Map<string, string>();
  private readonly iterators = new Map<string, string | null>();
  private readonly finished = new Set<string>();
  private readonly idle: IdleClock;
  private readonly pausePoint = new PausePoint();
  records = 0;

  constructor(private readonly streamName: string, private readonly rt: StreamRuntime, private readonly options: RemoteSourceOptions) {
    this.idle = new IdleClock(options.idleTimeoutMs);
  }

  private async connect(): Promise<{ client: KinesisClient; sdk: Sdk }> {
    this.sdk ??= await import('@aws-sdk/client-kinesis');
    // AWS itself needs real credentials (the SDK's usual chain: environment, profile, role); another
    // Sluice accepts any, so without configured credentials a non-AWS endpoint gets placeholders.
    const options = this.options;
    const aws = /\.amazonaws\.com(\.cn)?(:\d+)?(\/|$)/.test(options.endpoint);
    const configured = process.env['AWS_ACCESS_KEY_ID'] || process.env['AWS_PROFILE'];
    this.client ??= new this.sdk.KinesisClient({
      endpoint: options.endpoint,
      region: options.region ?? process.env['AWS_REGION'] ?? 'us-east-1',
      maxAttempts: 5,
      ...(aws || configured ? {} : { credentials: { accessKeyId: 'sluice', secretAccessKey: 'sluice' } }),
      // Every connection the SDK opens resolves the host through the outbound guard.
      ...(options.allowPrivateEndpoints ? {} : { requestHandler: guardedSdkHandler() }),
    });
    return { client: this.client, sdk: this.sdk };
  }

  position(): RemotePosition {
    return { shards: Object.fromEntries(this.lastSequence), finished: [...this.finished] };
  }

  resumeFrom(p: RemotePosition): void {
    for (const [shard, seq] of Object.entries(p.shards)) this.lastSequence.set(shard, seq);
    for (const shard of p.finished) this.finished.add(shard);
  }

  /** Stops between read rounds (so everything read has been fed in) until the returned function is called. */
  pause(): Promise<() => void> {
    return this.pausePoint.pause(this.loop !== null);
  }

  start(): void {
    this.loop ??= this.runWithRetry();
  }

  /** A failing endpoint is retried with backoff and reported; it never stops the engine. */
  private async runWithRetry(): Promise<void> {
    let delay = 500;
    while (!this.stopped) {
      try {
        if (!this.options.allowPrivateEndpoints) await checkEndpoint(this.options.endpoint);
        await this.run();
        return;
      } catch (e) {
        this.options.notice?.(`reading ${this.streamName} at ${this.options.endpoint} failed (retrying in ${delay} ms): ${(e as Error).message}`);
        this.iterators.clear();
        await sleep(delay);
        delay = Math.min(delay * 2, 30_000);
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.pausePoint.wake();
    await this.loop;
    this.client?.destroy();
  }

  private async run(): Promise<void> {
    let shards: KinesisShard[] | null = null;
    let waiting = false;
    while (!this.stopped) {
      if (await this.pausePoint.check()) continue;
      try {
        shards = await this.listShards();
      } catch (e) {
        if ((e as { name?: string }).name !== 'ResourceNotFoundException') throw e;
        if (!waiting) this.options.notice?.(`waiting for stream ${this.streamName} at ${this.options.endpoint} to exist`);
        waiting = true;
        await sleep(500);
        continue;
      }
      const ids = new Set(shards.map((s) => s.ShardId!));
      const readable = shards.filter((s) => !this.finished.has(s.ShardId!) && [s.ParentShardId, s.AdjacentParentShardId].every((p) => !p || this.finished.has(p) || !ids.has(p)));
      for (const s of readable) if (!this.rt.partitions.states.has(s.ShardId!)) this.rt.setPartition(s.ShardId!, 'active');
      const started = Date.now();
      const results = await Promise.all(readable.map((s) => this.read(s.ShardId!)));
      for (const r of results) if (r.records.length) this.rt.setPartition(r.shardId, 'active');
      for (const r of results) {
        if (r.records.length) {
          await this.rt.ingest(toLines(r.records), r.shardId);
          this.records += r.records.length;
          this.idle.busy(r.shardId);
        } else if (!r.done && this.idle.caughtUp(r.shardId)) this.rt.setPartition(r.shardId, 'idle');
        if (r.done) {
          this.finished.add(r.shardId);
          this.rt.setPartition(r.shardId, 'done');
        }
      }
      // GetRecords allows 5 calls per shard per second.
      await sleep(Math.max(0, 200 - (Date.now() - started)));
    }
  }

  private async listShards(): Promise<KinesisShard[]> {
    const out: KinesisShard[] = [];
    let token: string | undefined;
    do {
      const { client, sdk } = await this.connect();
      const r = await client.send(new sdk.ListShardsCommand(token ? { NextToken: token } : { StreamName: this.streamName }));
      out.push(...(r.Shards ?? []));
      token = r.NextToken;
    } while (token);
    return out;
  }

  private async read(shardId: string): Promise<{ shardId: string; records: Uint8Array[]; done: boolean }> {
    const { client, sdk } = await this.connect();
    let iterator = this.iterators.get(shardId);
    if (iterator === undefined) {
      const last = this.lastSequence.get(shardId);
      const r = await client.send(new sdk.GetShardIteratorCommand({
        StreamName: this.streamName,
        ShardId: shardId,
        ...(last ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: last } : { ShardIteratorType: 'TRIM_HORIZON' }),
      }));
      iterator = r.ShardIterator ?? null;
    }
    if (iterator === null) return { shardId, records: [], done: true };
    try {
      const r = await client.send(new sdk.GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      const records = r.Records ?? [];
      if (records.length) this.lastSequence.set(shardId, records[records.length - 1]!.SequenceNumber!);
      this.iterators.set(shardId, r.NextShardIterator ?? null);
      return { shardId, records: records.map((x) => x.Data!), done: !r.NextShardIterator };
    } catch (e) {
      if ((e as { name?: string }).name === 'ExpiredIteratorException') {
        this.iterators.delete(shardId);
        return { shardId, records: [], done: false };
      }
      throw e;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
