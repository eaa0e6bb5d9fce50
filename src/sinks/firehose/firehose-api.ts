/**
 * The Firehose API (JSON 1.1 operations, `Firehose_20150804.<Operation>`) over delivery streams
 * that buffer durably and deliver to local S3-style folders, HTTP endpoints or DuckDB tables,
 * without HTTP: src/server mounts it. Sources: DirectPut, or a stream of this Sluice's ingest log
 * (KinesisStreamAsSource).
 */

import fs from 'node:fs';
import path from 'node:path';
import type { LogStore } from '../../ingest/index.js';
import { ACCOUNT_ID, ApiError, apiErrors, type Authorize } from '../../ingest/api/index.js';
import { validate, type Input } from '../../ingest/api/validation.js';
import { listDir, writeFileAtomic } from '../../ingest/log/fs-util.js';
import { AllowedPaths } from '../../storage/allowed-paths.js';
import { assertInside, decodeName, moveToNamedPath, namedPath } from '../../storage/data-paths.js';
import { FolderObjectStore, MemoryObjectStore, type ObjectStore } from '../object-store.js';
import type { RetryPolicy } from '../retry.js';
import { systemScheduler, type Scheduler } from '../sink.js';
import type { S3Destination } from './destination-config.js';
import { describeDestination, destinationConfigOf, legacyConfig, parseDestinationConfig, updatedConfig } from './destination.js';
import { checkDestinationAccess, type DestinationAccess } from './destination-access.js';
import { DeliveryStream, type DeliveryStreamRecord, type Tag } from './delivery-stream.js';
import { SPECS } from './firehose-specs.js';
import { putRecord, putRecordBatch, unavailable } from './put-records.js';
import { listTags, withoutTags, withTags } from './tags.js';

export { MAX_BATCH_BYTES, MAX_BATCH_RECORDS, MAX_RECORD_BYTES } from './firehose-specs.js';

export const FIREHOSE_TARGET_PREFIX = 'Firehose_20150804.';

export interface FirehoseApiOptions {
  /**
   * `<dataDir>/firehose/<name>/` holds buffers, `<dataDir>/s3/<bucket>/` the objects (names through
   * src/storage/data-paths.ts); null: memory.
   */
  readonly dataDir: string | null;
  /** Folders besides the data directory that `duckdb:` Urls may write to (`sluice start --allow-path`). */
  readonly allowPaths?: readonly string[];
  /** Deliver to HTTP endpoints on private, loopback, link-local or unspecified addresses (default false). */
  readonly allowPrivateEndpoints?: boolean;
  readonly region?: string;
  /** How long a new delivery stream stays CREATING (default 200 ms). */
  readonly createDelayMs?: number;
  /** The clock and timers buffering intervals run on (default: real time). */
  readonly scheduler?: Scheduler;
  /** Delivery retries before a buffer goes under the error prefix (default 4 tries from 1 s). */
  readonly retry?: RetryPolicy;
  readonly onError?: (error: unknown) => void;
  /** The ingest log KinesisStreamAsSource delivery streams read (the server's LogStore). */
  readonly log?: LogStore;
}

export class FirehoseApi {
  private readonly streams = new Map<string, DeliveryStream>();
  private readonly reserved = new Set<string>();
  private readonly buckets = new Map<string, ObjectStore>();
  private readonly region: string;
  private readonly scheduler: Scheduler;
  private readonly access: DestinationAccess;
  /** `<dataDir>/firehose` and `<dataDir>/s3`, or null in memory. */
  private readonly roots: { readonly streams: string; readonly buckets: string } | null;
  private closing: Promise<void> | undefined;
  private changes: Promise<unknown> = Promise.resolve();

  private constructor(private readonly options: FirehoseApiOptions) {
    this.region = options.region ?? 'us-east-1';
    this.scheduler = options.scheduler ?? systemScheduler;
    this.access = { files: new AllowedPaths(options.dataDir, options.allowPaths ?? []), allowPrivateEndpoints: options.allowPrivateEndpoints ?? false };
    const data = options.dataDir === null ? null : path.resolve(options.dataDir);
    this.roots = data === null ? null : { streams: path.join(data, 'firehose'), buckets: path.join(data, 's3') };
  }

  /** Opens the API; delivery streams from an earlier run come back ACTIVE and deliver what they had buffered. */
  static async open(options: FirehoseApiOptions): Promise<FirehoseApi> {
    const api = new FirehoseApi(options);
    if (api.roots !== null) {
      const root = api.roots.streams;
      for (const entry of (await listDir(root)).sort()) {
        let record: DeliveryStreamRecord;
        try {
          record = JSON.parse(await fs.promises.readFile(path.join(root, entry, 'stream.json'), 'utf8')) as DeliveryStreamRecord;
        } catch {
          continue;
        }
        if (typeof record.name !== 'string' || record.name === '') continue;
        // A folder from before names were encoded (a leading dot) moves to where its name maps now.
        if (decodeName(entry) !== record.name) await moveToNamedPath(root, entry, record.name);
        // An older stream.json: S3 only, without the request's configuration.
        if ((record.destination as { kind?: string }).kind === undefined) {
          const destination: S3Destination = { ...(record.destination as S3Destination), kind: 's3' };
          record = { ...record, destination, config: legacyConfig(destination) };
        }
        const stream = await api.openStream(record);
        stream.status = 'ACTIVE';
        api.streams.set(record.name, stream);
      }
    }
    return api;
  }

  has(operation: string): boolean {
    return Object.hasOwn(SPECS, operation);
  }

  /** Runs one operation once `authorize` (if given) accepts the delivery stream's ARN (undefined for ListDeliveryStreams, account-level). */
  async call(operation: string, body: unknown, authorize?: Authorize): Promise<object> {
    if (!this.has(operation)) throw apiErrors.unknownOperation(operation);
    const input = validate(body, SPECS[operation]!);
    authorize?.(operation === 'ListDeliveryStreams' ? undefined : this.arn(input['DeliveryStreamName'] as string));
    if (this.closing) throw unavailable('Sluice is shutting down.');
    switch (operation) {
      case 'CreateDeliveryStream':
        return this.create(input);
      case 'DeleteDeliveryStream':
        return this.delete(input);
      case 'DescribeDeliveryStream':
        return this.describe(input);
      case 'ListDeliveryStreams':
        return this.list(input);
      case 'PutRecord':
        return putRecord(this.directPut(input['DeliveryStreamName'] as string), input);
      case 'PutRecordBatch':
        return putRecordBatch(this.directPut(input['DeliveryStreamName'] as string), input);
      case 'UpdateDestination':
        return this.serially(() => this.updateDestination(input));
      case 'TagDeliveryStream':
        return this.serially(() => this.changeTags(input, (r) => withTags(r.name, r.tags ?? [], input['Tags'] as Tag[])));
      case 'UntagDeliveryStream':
        return this.serially(() => this.changeTags(input, (r) => withoutTags(r.tags ?? [], input['TagKeys'] as string[])));
      default:
        return listTags(this.stream(input['DeliveryStreamName'] as string).record.tags ?? [], input['ExclusiveStartTagKey'] as string | undefined, input['Limit'] as number | undefined);
    }
  }

  /** Stops the sources, delivers every buffer, then refuses further calls. */
  close(): Promise<void> {
    this.closing ??= Promise.all([...this.streams.values()].map((s) => s.close())).then(() => undefined);
    return this.closing;
  }

  arn(name: string): string {
    return `arn:aws:firehose:${this.region}:${ACCOUNT_ID}:deliverystream/${name}`;
  }

  /** The bucket a BucketARN names: `<dataDir>/s3/<bucket>/`, or memory without a data directory. */
  bucket(name: string): ObjectStore {
    let store = this.buckets.get(name);
    if (!store) {
      store = this.roots === null ? new MemoryObjectStore() : new FolderObjectStore(namedPath(this.roots.buckets, name));
      this.buckets.set(name, store);
    }
    return store;
  }

  private async create(input: Input): Promise<object> {
    const name = input['DeliveryStreamName'] as string;
    const type = (input['DeliveryStreamType'] as string | undefined) ?? 'DirectPut';
    if (type !== 'DirectPut' && type !== 'KinesisStreamAsSource') throw apiErrors.invalid(`DeliveryStreamType ${type} is not supported by Sluice (DirectPut or KinesisStreamAsSource).`);
    const sourceConfig = input['KinesisStreamSourceConfiguration'] as { KinesisStreamARN: string; RoleARN: string } | undefined;
    if (type === 'KinesisStreamAsSource' && !sourceConfig) throw apiErrors.invalid('KinesisStreamSourceConfiguration is required when DeliveryStreamType is KinesisStreamAsSource.');
    if (type === 'DirectPut' && sourceConfig) throw apiErrors.invalid('KinesisStreamSourceConfiguration is only allowed when DeliveryStreamType is KinesisStreamAsSource.');
    let source: DeliveryStreamRecord['source'];
    if (sourceConfig) {
      const stream = sourceConfig.KinesisStreamARN.slice(sourceConfig.KinesisStreamARN.indexOf(':stream/') + ':stream/'.length);
      if (!this.options.log?.listStreams().includes(stream)) throw apiErrors.invalid(`Kinesis stream ${sourceConfig.KinesisStreamARN} does not exist.`);
      source = { streamArn: sourceConfig.KinesisStreamARN, roleArn: sourceConfig.RoleARN, stream };
    }
    const config = destinationConfigOf(input);
    const destination = parseDestinationConfig(config);
    checkDestinationAccess(destination, this.access);
    // Tags given twice keep the last value, as TagDeliveryStream does.
    const tags = input['Tags'] ? withTags(name, [], input['Tags'] as Tag[]) : undefined;
    if (this.streams.has(name) || this.reserved.has(name)) throw apiErrors.inUse(`Firehose stream ${name} under account ${ACCOUNT_ID} already exists.`);
    const record: DeliveryStreamRecord = {
      name,
      arn: this.arn(name),
      type,
      createdAt: Date.now(),
      versionId: 1,
      destination,
      config,
      ...(source ? { source } : {}),
      ...(tags ? { tags } : {}),
    };
    this.reserved.add(name);
    try {
      const dir = this.streamDir(name);
      if (dir) await fs.promises.mkdir(assertInside(this.roots!.streams, dir), { recursive: true });
      await this.save(record);
      const stream = await this.openStream(record);
      this.streams.set(name, stream);
      const timer = setTimeout(() => {
        if (stream.status === 'CREATING') stream.status = 'ACTIVE';
      }, this.options.createDelayMs ?? 200);
      timer.unref();
    } finally {
      this.reserved.delete(name);
    }
    return { DeliveryStreamARN: record.arn };
  }

  private async delete(input: Input): Promise<object> {
    const stream = this.stream(input['DeliveryStreamName'] as string);
    if (stream.status === 'DELETING') return {};
    stream.status = 'DELETING';
    const name = stream.record.name;
    const dir = this.streamDir(name);
    // Forget the configuration first, so a crash mid-delete cannot bring the stream back.
    if (dir) await fs.promises.rm(assertInside(dir, path.join(dir, 'stream.json')), { force: true });
    void stream
      .close()
      .then(() => (dir ? fs.promises.rm(assertInside(this.roots!.streams, dir), { recursive: true, force: true }) : undefined))
      .catch((err: unknown) => this.options.onError?.(err))
      .finally(() => {
        if (this.streams.get(name) === stream) this.streams.delete(name);
      });
    return {};
  }

  private describe(input: Input): object {
    const stream = this.stream(input['DeliveryStreamName'] as string);
    const r = stream.record;
    return {
      DeliveryStreamDescription: {
        DeliveryStreamName: r.name,
        DeliveryStreamARN: r.arn,
        DeliveryStreamStatus: stream.status,
        DeliveryStreamEncryptionConfiguration: { Status: 'DISABLED' },
        DeliveryStreamType: r.type,
        VersionId: String(r.versionId),
        CreateTimestamp: r.createdAt / 1000,
        ...(r.lastUpdatedAt !== undefined ? { LastUpdateTimestamp: r.lastUpdatedAt / 1000 } : {}),
        ...(r.source
          ? { Source: { KinesisStreamSourceDescription: { KinesisStreamARN: r.source.streamArn, RoleARN: r.source.roleArn, DeliveryStartTimestamp: r.createdAt / 1000 } } }
          : {}),
        Destinations: [describeDestination(r.destination)],
        HasMoreDestinations: false,
      },
    };
  }

  private list(input: Input): object {
    const limit = (input['Limit'] as number | undefined) ?? 10;
    const type = input['DeliveryStreamType'] as string | undefined;
    const after = input['ExclusiveStartDeliveryStreamName'] as string | undefined;
    const names = [...this.streams.values()]
      .filter((s) => !type || s.record.type === type)
      .map((s) => s.record.name)
      .sort()
      .filter((n) => after === undefined || n > after);
    return { DeliveryStreamNames: names.slice(0, limit), HasMoreDeliveryStreams: names.length > limit };
  }

  private async updateDestination(input: Input): Promise<object> {
    const stream = this.stream(input['DeliveryStreamName'] as string);
    const r = stream.record;
    if (stream.status !== 'ACTIVE') throw apiErrors.inUse(`Firehose stream ${r.name} under account ${ACCOUNT_ID} is not ACTIVE (${stream.status}).`);
    const given = input['CurrentDeliveryStreamVersionId'] as string;
    if (given !== String(r.versionId)) {
      throw new ApiError('ConcurrentModificationException', `Cannot update Firehose stream ${r.name}: CurrentDeliveryStreamVersionId ${given} is not the current version ${r.versionId}.`);
    }
    if (input['DestinationId'] !== 'destinationId-000000000001') throw apiErrors.invalid(`Destination ${String(input['DestinationId'])} of Firehose stream ${r.name} not found.`);
    const config = updatedConfig(r.config ?? {}, input);
    const destination = parseDestinationConfig(config);
    checkDestinationAccess(destination, this.access);
    const record: DeliveryStreamRecord = { ...r, config, destination, versionId: r.versionId + 1, lastUpdatedAt: Date.now() };
    await this.save(record);
    stream.update(record);
    return {};
  }

  private async changeTags(input: Input, change: (r: DeliveryStreamRecord) => Tag[]): Promise<object> {
    const stream = this.writable(input['DeliveryStreamName'] as string);
    const record = { ...stream.record, tags: change(stream.record) };
    await this.save(record);
    stream.update(record);
    return {};
  }

  /** Configuration changes one after another: each reads the version (and tags) the last one wrote. */
  private serially<T>(change: () => Promise<T>): Promise<T> {
    const next = this.changes.then(change);
    this.changes = next.catch(() => undefined);
    return next;
  }

  private async save(record: DeliveryStreamRecord): Promise<void> {
    const dir = this.streamDir(record.name);
    if (dir) await writeFileAtomic(assertInside(dir, path.join(dir, 'stream.json')), JSON.stringify(record));
  }

  private stream(name: string): DeliveryStream {
    const stream = this.streams.get(name);
    if (!stream) throw apiErrors.notFound(`Firehose stream ${name} under account ${ACCOUNT_ID} not found.`);
    return stream;
  }

  private writable(name: string): DeliveryStream {
    const stream = this.stream(name);
    if (stream.status === 'DELETING') throw apiErrors.notFound(`Firehose stream ${name} under account ${ACCOUNT_ID} not found.`);
    return stream;
  }

  /** A stream that reads a Kinesis stream takes no records from producers, as in AWS. */
  private directPut(name: string): DeliveryStream {
    const stream = this.writable(name);
    if (stream.record.type !== 'DirectPut') throw apiErrors.invalid(`This operation is not permitted on KinesisStreamAsSource delivery stream type (${name}).`);
    return stream;
  }

  /** `<dataDir>/firehose/<encoded name>`: the one place a delivery stream's name becomes a path. */
  private streamDir(name: string): string | undefined {
    return this.roots === null ? undefined : namedPath(this.roots.streams, name);
  }

  private openStream(record: DeliveryStreamRecord): Promise<DeliveryStream> {
    return DeliveryStream.open({
      record,
      bufferDir: this.streamDir(record.name) ?? null,
      bucket: (name) => this.bucket(name),
      access: this.access,
      scheduler: this.scheduler,
      retry: this.options.retry,
      onError: this.options.onError,
      log: this.options.log,
    });
  }
}
