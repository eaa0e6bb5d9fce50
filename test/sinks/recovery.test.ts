import fs from 'node:fs';
import path from 'node:path';
import { DescribeDeliveryStreamCommand, PutRecordBatchCommand, PutRecordCommand } from '@aws-sdk/client-firehose';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualScheduler } from '../../src/sinks/index.js';
import { bytes, createStream, listFiles, startFirehoseServer, tempDir, waitFor, type FirehoseTestServer } from './helpers.js';

const servers: FirehoseTestServer[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('Firehose after a crash', () => {
  it('delivers acknowledged records left in the buffer file, cutting a torn tail', async () => {
    const dir = tempDir();
    const copy = tempDir();
    dirs.push(dir, copy);
    const first = await startFirehoseServer(dir, { scheduler: new ManualScheduler() });
    servers.push(first);
    await createStream(first.client, 'clicks', { BufferingHints: { IntervalInSeconds: 900 }, Prefix: 'in/' });
    await first.client.send(new PutRecordCommand({ DeliveryStreamName: 'clicks', Record: { Data: bytes('one\n') } }));
    await first.client.send(new PutRecordBatchCommand({ DeliveryStreamName: 'clicks', Records: [{ Data: bytes('two\n') }, { Data: bytes('three\n') }] }));

    // What the disk holds while the first server is still running: a crash at this moment.
    // (Only Firehose's part: the ingest log's lock names the live process.)
    fs.cpSync(path.join(dir, 'firehose'), path.join(copy, 'firehose'), { recursive: true });
    const streamDir = path.join(copy, 'firehose', 'clicks');
    const [bufferFile] = listFiles(streamDir).filter((f) => f.startsWith('buffer-'));
    expect(bufferFile).toBeDefined();
    // Half a frame that was being written when the process died: never acknowledged.
    fs.appendFileSync(path.join(streamDir, bufferFile!), Buffer.from([50, 0, 0, 0, 1, 2, 3, 4, 120, 120]));

    const second = await startFirehoseServer(copy);
    servers.push(second);
    const bucket = path.join(copy, 's3', 'bucket');
    await waitFor(() => listFiles(bucket).length === 1);
    const [key] = listFiles(bucket);
    expect(key).toMatch(/^in\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/clicks-1-/);
    expect(fs.readFileSync(path.join(bucket, key!)).toString()).toBe('one\ntwo\nthree\n');
    await waitFor(() => listFiles(streamDir).every((f) => !f.startsWith('buffer-')));
    const described = await second.client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'clicks' }));
    expect(described.DeliveryStreamDescription?.DeliveryStreamStatus).toBe('ACTIVE');

    // The restarted stream keeps taking records.
    await second.client.send(new PutRecordCommand({ DeliveryStreamName: 'clicks', Record: { Data: bytes('four\n') } }));
    await second.close();
    servers.pop();
    expect(listFiles(bucket)).toHaveLength(2);
  });
});
