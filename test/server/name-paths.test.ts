import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  ListStreamsCommand,
  PutRecordCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import {
  CreateDeliveryStreamCommand,
  DeleteDeliveryStreamCommand,
  DescribeDeliveryStreamCommand,
  FirehoseClient,
  ListDeliveryStreamsCommand,
  PutRecordCommand as FirehosePutRecordCommand,
} from '@aws-sdk/client-firehose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { encodeName } from '../../src/storage/data-paths.js';
import { snapshotTree, treeChanges } from '../helpers/tree.js';
import { clientFor } from './helpers.js';

const ROLE = 'arn:aws:iam::000000000000:role/firehose';

/** Names that have gone wrong somewhere: dots, separators, escapes, unicode, and the longest AWS allows (and one more). */
function hostileNames(max: number): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom('.', '..', '...', '.hidden', 'a/../b', '../x', '%2e', '%2E.', '..%2F..', '\\..\\x', 'é', 'a\u0000b', '.'.repeat(max), 'x'.repeat(max), 'x'.repeat(max + 1)),
    fc.stringMatching(new RegExp(`^[a-zA-Z0-9_.-]{1,${max}}$`)),
    fc.string({ unit: fc.constantFrom('.', '/', '\\', '%', 'a', '-', '_', 'é'), minLength: 1, maxLength: max + 2 }),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }),
  );
}

const MUST_TRY = ['.', '..', 'a/../b', '%2e', '.hidden'].map((n) => [n] as [string]);

interface Open {
  readonly server: RunningServer;
  readonly kinesis: KinesisClient;
  readonly firehose: FirehoseClient;
  close(): Promise<void>;
}

let base: string;
let data: string;
let running: Open | undefined;

async function open(): Promise<Open> {
  const server = await startServer({ port: 0, dataDir: data, createDelayMs: 0, throttle: false });
  const kinesis = clientFor(server.url);
  const firehose = new FirehoseClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  running = {
    server,
    kinesis,
    firehose,
    async close() {
      kinesis.destroy();
      firehose.destroy();
      await server.close();
      running = undefined;
    },
  };
  return running;
}

beforeEach(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-names-'));
  data = path.join(base, 'data');
  fs.mkdirSync(path.join(base, 'sentinel'));
  fs.writeFileSync(path.join(base, 'sentinel', 'keep.txt'), 'still here');
});

afterEach(async () => {
  await running?.close();
  fs.rmSync(base, { recursive: true, force: true });
});

const createDelivery = (t: Open, name: string, destination: Record<string, unknown> = {}) =>
  t.firehose.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: name, ExtendedS3DestinationConfiguration: { RoleARN: ROLE, BucketARN: 'arn:aws:s3:::bucket', ...destination } }));

const deliveryNames = async (t: Open): Promise<string[]> => (await t.firehose.send(new ListDeliveryStreamsCommand({ Limit: 10000 }))).DeliveryStreamNames ?? [];
const streamNames = async (t: Open): Promise<string[]> => (await t.kinesis.send(new ListStreamsCommand({ Limit: 10000 }))).StreamNames ?? [];

async function until(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Deletes a delivery stream and waits until its folder is gone (the delete finishes after the answer). */
async function deleteDelivery(t: Open, name: string): Promise<void> {
  await t.firehose.send(new DeleteDeliveryStreamCommand({ DeliveryStreamName: name }));
  await until(async () => !(await deliveryNames(t)).includes(name));
}

async function readAll(client: KinesisClient, stream: string): Promise<string[]> {
  const out: string[] = [];
  for (const shard of (await client.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? []) {
    const { ShardIterator } = await client.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }));
    const got = await client.send(new GetRecordsCommand({ ShardIterator: ShardIterator! }));
    out.push(...(got.Records ?? []).map((r) => Buffer.from(r.Data!).toString()));
  }
  return out;
}

const expectedError = (e: unknown): false => {
  expect(['ValidationException', 'InvalidArgumentException', 'ResourceInUseException']).toContain((e as Error).name);
  return false;
};

describe('user-chosen names become paths only inside their own folder', () => {
  it('a delivery stream named .. (or .) deletes only its own folder: every Kinesis stream, acknowledged record and other delivery stream survives a restart', async () => {
    let t = await open();
    await t.kinesis.send(new CreateStreamCommand({ StreamName: 'keep', ShardCount: 1 }));
    await t.kinesis.send(new PutRecordCommand({ StreamName: 'keep', PartitionKey: 'p', Data: Buffer.from('acknowledged') }));
    await createDelivery(t, 'other');
    for (const name of ['..', '.']) {
      await createDelivery(t, name);
      await deleteDelivery(t, name);
    }
    await t.close();
    t = await open();
    expect(await streamNames(t)).toEqual(['keep']);
    expect(await readAll(t.kinesis, 'keep')).toEqual(['acknowledged']);
    expect(await deliveryNames(t)).toEqual(['other']);
    expect(fs.readFileSync(path.join(base, 'sentinel', 'keep.txt'), 'utf8')).toBe('still here');
  });

  it('random delivery stream names: create, describe, list and delete touch nothing outside firehose/<name>', async () => {
    const t = await open();
    await createDelivery(t, 'neighbour');
    await fc.assert(
      fc.asyncProperty(hostileNames(64), async (name) => {
        const before = snapshotTree(base);
        const created = await createDelivery(t, name).then(() => true, expectedError);
        if (created) {
          const own = `data/firehose/${encodeName(name)}/`;
          const { added, removed } = treeChanges(before, snapshotTree(base));
          expect(removed).toEqual([]);
          expect(added).toContain(own);
          for (const p of added) expect(p.startsWith(own), p).toBe(true);
          const described = await t.firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: name }));
          expect(described.DeliveryStreamDescription?.DeliveryStreamName).toBe(name);
          expect(await deliveryNames(t)).toContain(name);
          await deleteDelivery(t, name);
        } else {
          await t.firehose.send(new DeleteDeliveryStreamCommand({ DeliveryStreamName: name })).catch(() => undefined);
        }
        expect(snapshotTree(base)).toEqual(before);
      }),
      { numRuns: 30, examples: MUST_TRY },
    );
    expect(await deliveryNames(t)).toEqual(['neighbour']);
    expect(fs.existsSync(path.join(data, 'firehose', 'neighbour', 'stream.json'))).toBe(true);
  });

  it('random Kinesis stream names: create, put, describe, list and delete touch nothing outside streams/<name>', async () => {
    const t = await open();
    await t.kinesis.send(new CreateStreamCommand({ StreamName: 'neighbour', ShardCount: 1 }));
    await t.kinesis.send(new PutRecordCommand({ StreamName: 'neighbour', PartitionKey: 'p', Data: Buffer.from('mine') }));
    await fc.assert(
      fc.asyncProperty(hostileNames(128), async (name) => {
        const before = snapshotTree(base);
        const created = await t.kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 })).then(() => true, expectedError);
        if (created) {
          await t.kinesis.send(new PutRecordCommand({ StreamName: name, PartitionKey: 'p', Data: Buffer.from('x') }));
          const own = `data/streams/${encodeName(name)}/`;
          const { added, removed } = treeChanges(before, snapshotTree(base));
          expect(removed).toEqual([]);
          expect(added).toContain(own);
          for (const p of added) expect(p.startsWith(own), p).toBe(true);
          const summary = await t.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
          expect(summary.StreamDescriptionSummary?.StreamName).toBe(name);
          expect(await streamNames(t)).toContain(name);
          await t.kinesis.send(new DeleteStreamCommand({ StreamName: name }));
          expect(await streamNames(t)).not.toContain(name);
        } else {
          await t.kinesis.send(new DeleteStreamCommand({ StreamName: name })).catch(() => undefined);
        }
        expect(snapshotTree(base)).toEqual(before);
      }),
      { numRuns: 30, examples: MUST_TRY },
    );
    expect(await streamNames(t)).toEqual(['neighbour']);
    expect(await readAll(t.kinesis, 'neighbour')).toEqual(['mine']);
  });

  it('names with dots come back after a restart, and folders named before the encoding move to theirs', async () => {
    let t = await open();
    const names = ['.', '..', '.hidden', 'a.b'];
    for (const name of names) {
      await t.kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
      await t.kinesis.send(new PutRecordCommand({ StreamName: name, PartitionKey: 'p', Data: Buffer.from(`in ${name}`) }));
      await createDelivery(t, name);
    }
    await t.close();
    expect(fs.readdirSync(path.join(data, 'streams')).sort()).toEqual(['%2E', '%2E.', '%2Ehidden', 'a.b']);
    expect(fs.readdirSync(path.join(data, 'firehose')).sort()).toEqual(['%2E', '%2E.', '%2Ehidden', 'a.b']);
    // The layout before names were encoded kept a leading dot as it was.
    fs.renameSync(path.join(data, 'streams', '%2Ehidden'), path.join(data, 'streams', '.hidden'));
    fs.renameSync(path.join(data, 'firehose', '%2Ehidden'), path.join(data, 'firehose', '.hidden'));
    t = await open();
    expect(await streamNames(t)).toEqual([...names].sort());
    expect(await deliveryNames(t)).toEqual([...names].sort());
    for (const name of names) expect(await readAll(t.kinesis, name)).toEqual([`in ${name}`]);
    expect(fs.readdirSync(path.join(data, 'streams')).sort()).toEqual(['%2E', '%2E.', '%2Ehidden', 'a.b']);
    expect(fs.readdirSync(path.join(data, 'firehose')).sort()).toEqual(['%2E', '%2E.', '%2Ehidden', 'a.b']);
    await deleteDelivery(t, '.hidden');
    expect(fs.readdirSync(path.join(data, 'firehose')).sort()).toEqual(['%2E', '%2E.', 'a.b']);
  });

  it('an S3 prefix with .. segments stays inside its bucket', async () => {
    const t = await open();
    await createDelivery(t, 'climber', { Prefix: '../../../escaped/', ErrorOutputPrefix: '../err/', BufferingHints: { IntervalInSeconds: 0, SizeInMBs: 1 } });
    const before = snapshotTree(base);
    await t.firehose.send(new FirehosePutRecordCommand({ DeliveryStreamName: 'climber', Record: { Data: Buffer.from('r') } }));
    const bucket = path.join(data, 's3', 'bucket');
    await until(async () => fs.existsSync(bucket) && snapshotTree(bucket).some((p) => !p.endsWith('/') && !path.basename(p).startsWith('.')));
    const objects = snapshotTree(bucket).filter((p) => !p.endsWith('/'));
    expect(objects).toHaveLength(1);
    expect(objects[0]).toMatch(/^%2E\.\/%2E\.\/%2E\.\/escaped\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/climber-1-/);
    for (const p of treeChanges(before, snapshotTree(base)).added) expect(p === 'data/s3/' || p.startsWith('data/s3/bucket/') || p.startsWith('data/firehose/climber/'), p).toBe(true);
  });
});
