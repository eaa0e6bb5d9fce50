import net from 'node:net';
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { CreateStreamCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStream } from '../sinks/helpers.js';
import { eventually, startTestServer, untilActive, type TestServer } from './helpers.js';

const MIB = 1024 * 1024;

/**
 * One raw HTTP/1.1 PutRecords that announces `length` bytes and then sends 16 KiB every 250 ms
 * (64 KiB/s); resolves with the status the server answered, or 0 if it had not within `waitMs`.
 */
function slowBody(port: number, length: number, waitMs: number): Promise<number> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    const chunk = Buffer.alloc(16 * 1024, 'x');
    const drip = setInterval(() => socket.write(chunk), 250);
    const finish = (): void => {
      clearInterval(drip);
      clearTimeout(giveUp);
      socket.destroy();
      resolve(reply.startsWith('HTTP/1.1 ') ? Number(reply.slice(9, 12)) : 0);
    };
    const giveUp = setTimeout(finish, waitMs);
    socket.on('error', () => undefined);
    socket.on('data', (d: Buffer) => {
      reply += d.toString('latin1');
      if (reply.includes('\r\n\r\n')) finish();
    });
    socket.on('close', finish);
    socket.write(
      `POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Kinesis_20131202.PutRecords\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: ${length}\r\n\r\n`,
    );
  });
}

describe('request bodies under load', () => {
  let t: TestServer;

  beforeAll(async () => {
    // Default body budget (256 MiB) and connection cap; a shorter grace and request timeout so the test takes seconds.
    t = await startTestServer({ throttle: false, server: { bodyGraceMs: 500, minBodyBytesPerSecond: 128 * 1024, requestTimeoutMs: 5000 } });
    await t.client.send(new CreateStreamCommand({ StreamName: 'big', ShardCount: 2 }));
    await untilActive(t.client, 'big');
  });

  afterAll(async () => {
    await t.close();
  });

  it('200 slow 10 MiB bodies are all refused (503) or timed out (408) within seconds, and RSS grows < 200 MB', async () => {
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const started = Date.now();
    const statuses = await Promise.all(Array.from({ length: 200 }, () => slowBody(t.server.port, 10 * MIB, 6000)));
    clearInterval(sampler);
    const count = (status: number): number => statuses.filter((s) => s === status).length;
    // 25 bodies of 10 MiB fit the 256 MiB budget and then arrive too slowly; the rest never get a share.
    expect(count(408) + count(503)).toBe(200);
    expect(count(408)).toBe(25);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(peak - before).toBeLessThan(200 * MIB);
    // Every refused or timed-out body gave its share of the budget back.
    await eventually('budget given back', async () => t.server.server.bufferedBodyBytes === 0, 3000);
  });

  it('takes the largest PutRecords Kinesis allows: 500 records, 5 MiB of data and 256-character keys', async () => {
    const records = Array.from({ length: 500 }, (_, i) => ({
      PartitionKey: String(i).padStart(256, 'k'),
      ExplicitHashKey: (10n ** 38n + BigInt(i)).toString(),
      Data: Buffer.alloc(Math.floor((5 * MIB) / 500) - 256, i % 256),
    }));
    const out = await t.client.send(new PutRecordsCommand({ StreamName: 'big', Records: records }));
    expect(out.FailedRecordCount).toBe(0);
    expect(out.Records).toHaveLength(500);
  });

  it('takes the largest PutRecordBatch Firehose allows: 4 MiB of data in 500 records', async () => {
    const firehose = new FirehoseClient({ endpoint: t.server.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    await createStream(firehose, 'batch');
    const records = Array.from({ length: 500 }, (_, i) => ({ Data: Buffer.alloc(Math.floor((4 * MIB) / 500), i % 256) }));
    const out = await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'batch', Records: records }));
    firehose.destroy();
    expect(out.FailedPutCount).toBe(0);
  });
});
