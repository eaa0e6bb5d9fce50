/**
 * The Kinesis Data Streams API over a LogStore, independent of HTTP: `call(operation, body)` takes
 * the parsed JSON request and returns the response object (or an event stream for
 * SubscribeToShard), throwing ApiError for anything AWS answers with an exception. Operations
 * live one family per file in ./ops and register themselves in a table.
 */

import type { LogStore } from '../log-store.js';
import type { Stream } from '../stream.js';
import { ApiState, type StreamState } from './api-state.js';
import { KINESIS_SHARD_LIMITS, StreamCapacity, type ShardLimits } from './capacity.js';
import { ACCOUNT_ID, apiErrors, ApiError, toApiError } from './errors.js';
import { OnDemandScaler } from './on-demand-scaler.js';
import { kinesisResource } from './resources.js';
import type { EventStreamResult } from './event-stream.js';
import { TokenSigner } from './tokens.js';
import { scaleUniformly } from './uniform-scaling.js';
import type { Clock } from './token-bucket.js';
import { validate, type Fields, type Input } from './validation.js';

export interface KinesisApiOptions {
  /** Enforce per-shard limits (default true). */
  readonly throttle?: boolean;
  /** Epoch-ms clock for throttling and iterator/token expiry (default Date.now); tests step it. */
  readonly clock?: Clock;
  readonly region?: string;
  /** How long a new stream or consumer stays CREATING (default 200 ms). */
  readonly createDelayMs?: number;
  /** How long one SubscribeToShard call streams before it ends (default 5 minutes, as AWS). */
  readonly subscriptionMs?: number;
  /** How long SubscribeToShard waits between reads of a caught-up shard (default 100 ms). */
  readonly subscribePollMs?: number;
  /** Open shards the account may have, reported by DescribeLimits (default 500). */
  readonly shardLimit?: number;
  readonly shardLimits?: ShardLimits;
  /** ON_DEMAND streams stop adding shards here (default 200). */
  readonly onDemandMaxShards?: number;
}

/** A response already serialised (the PutRecords hot path builds its JSON by hand). */
export class RawJson {
  constructor(readonly json: string) {}
}

export type OperationResult = object | RawJson | EventStreamResult;

/** Called with the ARN an operation acts on (undefined: account-level) after its input is checked and before it runs; throws to refuse. */
export type Authorize = (resource: string | undefined) => void;

export interface Operation {
  /** The request's shape; absent when `run` checks the raw body itself (PutRecords, for speed). */
  readonly fields?: Fields;
  /** Reads a raw request body faster than JSON.parse can; undefined leaves it to JSON.parse and `run`'s checks. */
  readonly readBody?: (body: Buffer) => object | undefined;
  run(api: KinesisApi, input: Input): OperationResult | Promise<OperationResult>;
}

export interface ResolvedStream {
  readonly name: string;
  readonly stream: Stream;
  readonly entry: StreamState;
}

export const ON_DEMAND_INITIAL_SHARDS = 4;

export class KinesisApi {
  readonly clock: Clock;
  readonly region: string;
  readonly throttle: boolean;
  readonly signer: TokenSigner;
  readonly options: KinesisApiOptions;
  readonly shardLimits: ShardLimits;
  private readonly operations = new Map<string, Operation>();
  private readonly capacities = new Map<string, { createdAt: number; capacity: StreamCapacity; scaler: OnDemandScaler }>();
  /** Stream and consumer names (by ARN) that turn ACTIVE at the given Date.now(). */
  private readonly activeAt = new Map<string, number>();
  private readonly background = new Map<string, Promise<void>>();
  private readonly closeHooks = new Set<() => void>();
  private closed = false;

  private constructor(
    readonly store: LogStore,
    readonly state: ApiState,
    options: KinesisApiOptions,
  ) {
    this.options = options;
    this.clock = options.clock ?? Date.now;
    this.region = options.region ?? 'us-east-1';
    this.throttle = options.throttle ?? true;
    this.shardLimits = options.shardLimits ?? KINESIS_SHARD_LIMITS;
    this.signer = new TokenSigner(state.key);
  }

  static async open(store: LogStore, options: KinesisApiOptions = {}, operations: Iterable<[string, Operation]> = []): Promise<KinesisApi> {
    const api = new KinesisApi(store, await ApiState.load(store), options);
    for (const [name, op] of operations) api.register(name, op);
    return api;
  }

  register(name: string, operation: Operation): this {
    this.operations.set(name, operation);
    return this;
  }

  has(operation: string): boolean {
    return this.operations.has(operation);
  }

  /** The operation's own reading of a raw body, for `call`; undefined when it has none or the body does not suit it. */
  readBody(operation: string, body: Buffer): object | undefined {
    return this.operations.get(operation)?.readBody?.(body);
  }

  /** Runs one operation on a parsed JSON body, once `authorize` (if given) accepts its resource. Throws ApiError (and only ApiError). */
  async call(operation: string, body: unknown, authorize?: Authorize): Promise<OperationResult> {
    const op = this.operations.get(operation);
    if (!op) throw apiErrors.unknownOperation(operation);
    if (this.closed) throw apiErrors.internal('the server is shutting down');
    try {
      let input: Input;
      if (op.fields) input = validate(body, op.fields);
      else if (typeof body === 'object' && body !== null && !Array.isArray(body)) input = body as Input;
      else throw apiErrors.serialization('Start of structure or map found where not expected.');
      authorize?.(kinesisResource(this, operation, input));
      return await op.run(this, input);
    } catch (err) {
      throw toApiError(err);
    }
  }

  streamArn(name: string): string {
    return `arn:aws:kinesis:${this.region}:${ACCOUNT_ID}:stream/${name}`;
  }

  /** The stream an operation names by StreamName, StreamARN or both. */
  streamName(input: Input): string {
    const name = input.StreamName as string | undefined;
    const arn = input.StreamARN as string | undefined;
    const fromArn = arn === undefined ? undefined : arn.slice(arn.indexOf(':stream/') + ':stream/'.length).split('/')[0];
    if (name !== undefined && fromArn !== undefined && name !== fromArn) {
      throw apiErrors.invalid(`StreamName ${name} and StreamARN ${arn} name different streams.`);
    }
    const resolved = name ?? fromArn;
    if (!resolved) throw apiErrors.invalid('Either StreamName or StreamARN should be provided.');
    return resolved;
  }

  /**
   * The named stream. Reads and writes (`data`) are refused while it is still CREATING, as AWS
   * refuses them, with ResourceNotFoundException.
   */
  stream(input: Input, data = false): ResolvedStream {
    return this.streamByName(this.streamName(input), data);
  }

  streamByName(name: string, data = false): ResolvedStream {
    let stream: Stream;
    try {
      stream = this.store.getStream(name);
    } catch {
      throw apiErrors.streamNotFound(name);
    }
    if (data && this.isCreating(name)) throw apiErrors.streamNotFound(name);
    return { name, stream, entry: this.state.get(name, stream.createdAt) };
  }

  status(name: string, stream: Stream): 'CREATING' | 'ACTIVE' | 'UPDATING' | 'DELETING' {
    if (this.isCreating(name)) return 'CREATING';
    if (this.background.has(name)) return 'UPDATING';
    return stream.describe().status;
  }

  /** Marks a stream or consumer CREATING for createDelayMs. */
  markCreating(key: string): void {
    const delay = this.options.createDelayMs ?? 200;
    if (delay > 0) this.activeAt.set(key, Date.now() + delay);
  }

  isCreating(key: string): boolean {
    const at = this.activeAt.get(key);
    if (at === undefined) return false;
    if (Date.now() < at) return true;
    this.activeAt.delete(key);
    return false;
  }

  /** The stream's throughput buckets; undefined when throttling is off. */
  capacity(resolved: ResolvedStream): StreamCapacity | undefined {
    return this.capacityEntry(resolved)?.capacity;
  }

  /** Counts demand on an ON_DEMAND stream and starts a scale-up when it nears capacity. */
  observeWrites(resolved: ResolvedStream, records: number, bytes: number): void {
    const entry = this.capacityEntry(resolved);
    if (!entry || resolved.entry.mode !== 'ON_DEMAND' || this.background.has(resolved.name)) return;
    const target = entry.scaler.observe(records, bytes, resolved.stream);
    if (target !== undefined) this.inBackground(resolved.name, () => scaleUniformly(resolved.stream, target));
  }

  /** Runs a reshard after the response; the stream reports UPDATING meanwhile. */
  inBackground(name: string, task: () => Promise<void>): void {
    if (this.background.has(name)) throw apiErrors.inUse(`Stream ${name} under account ${ACCOUNT_ID} not ACTIVE, instead in state UPDATING`);
    const running = task()
      .catch(() => undefined)
      .finally(() => this.background.delete(name));
    this.background.set(name, running);
  }

  isUpdating(name: string): boolean {
    return this.background.has(name);
  }

  forgetStream(name: string): void {
    this.capacities.delete(name);
    this.activeAt.delete(name);
    this.state.delete(name);
  }

  /** Called on close (SubscribeToShard registers here to end its streams). */
  onClose(hook: () => void): () => void {
    this.closeHooks.add(hook);
    return () => this.closeHooks.delete(hook);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Ends subscriptions, waits for background reshards and state writes. The store is the caller's. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const hook of [...this.closeHooks]) hook();
    await Promise.all([...this.background.values()]);
    await this.state.flush();
  }

  private capacityEntry(resolved: ResolvedStream): { capacity: StreamCapacity; scaler: OnDemandScaler } | undefined {
    if (!this.throttle) return undefined;
    let entry = this.capacities.get(resolved.name);
    if (!entry || entry.createdAt !== resolved.stream.createdAt) {
      entry = {
        createdAt: resolved.stream.createdAt,
        capacity: new StreamCapacity(this.shardLimits, this.clock),
        scaler: new OnDemandScaler(this.clock, this.shardLimits, this.options.onDemandMaxShards ?? 200),
      };
      this.capacities.set(resolved.name, entry);
    }
    return entry;
  }
}

export { ApiError };
