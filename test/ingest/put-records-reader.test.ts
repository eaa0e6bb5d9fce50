import { describe, expect, it } from 'vitest';
import { createKinesisApi, type KinesisApi } from '../../src/ingest/api/index.js';
import { readPutRecords } from '../../src/ingest/api/put-records-reader.js';
import { LogStore } from '../../src/ingest/index.js';

/** The records JSON.parse finds in a body, decoded as the generic path decodes them. */
function parsedRecords(body: string): unknown {
  const records = (JSON.parse(body) as { Records: { Data: string; PartitionKey: string; ExplicitHashKey?: string }[] }).Records;
  return records.map((r) => ({ partitionKey: r.PartitionKey, data: [...Buffer.from(r.Data, 'base64')], ...(r.ExplicitHashKey !== undefined ? { explicitHashKey: r.ExplicitHashKey } : {}) }));
}

/** How the operation answers: the error it throws, or how many records it took. */
async function outcome(api: KinesisApi, input: unknown): Promise<unknown> {
  try {
    const result = await api.call('PutRecords', input);
    return { records: (JSON.parse((result as { json: string }).json) as { Records: unknown[] }).Records.length };
  } catch (err) {
    return { error: `${(err as { type?: string }).type}: ${(err as Error).message}` };
  }
}

function fast(body: string): unknown {
  const read = readPutRecords(Buffer.from(body, 'utf8'));
  return read?.Records.records.map((r) => ({ ...r, data: [...r.data] }));
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const rec = (data: string, key = 'k', extra = ''): string => `{"Data":"${data}","PartitionKey":"${key}"${extra}}`;
const put = (...records: string[]): string => `{"StreamName":"s","Records":[${records.join(',')}]}`;

describe('PutRecords body reader', () => {
  it('reads what JSON.parse reads, and leaves everything else to it', async () => {
    const store = await LogStore.open(null);
    const api = await createKinesisApi(store, { throttle: false, createDelayMs: 0 });
    await api.call('CreateStream', { StreamName: 's', ShardCount: 2 });
    const random = (n: number): string => Buffer.from(Array.from({ length: n }, (_, i) => (i * 131 + n) & 255)).toString('base64');
    const bodies = [
      put(rec(b64('hello'))),
      put(...Array.from({ length: 500 }, (_, i) => rec(random(i % 7 === 0 ? 0 : i), `key-${i}`))),
      put(rec(random(1)), rec(random(2)), rec(random(3)), rec(random(4))),
      ` { "Records" : [ { "PartitionKey" : "k" , "Data" : "${b64('x')}" } ] , "StreamName" : "s" } \n`,
      put(rec(b64('é'), 'ключ-é-😀')),
      put(rec(b64('x'), 'k', ',"ExplicitHashKey":"340282366920938463463374607431768211455"')),
      put(rec(b64('x'), 'k', ',"ExplicitHashKey":"0"')),
      `{"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s","Records":[${rec(b64('x'))}]}`,
      put(rec('ab-_')),
      put(rec(' YQ==')),
      put(rec('YQ== ')),
      put(rec(' YQ=')),
      put(rec('YQ==', ' k')),
      put(rec('YQ==', 'k ')),
      put(rec('YQ==', ' ')),
      put(rec('YQ==', 'device-1'), rec('YQ==', 'device-1'), rec('YQ==', 'device-12'), rec('YQ==', 'device-1 '), rec('YQ==', 'é'), rec('YQ==', 'é')),
      put(...Array.from({ length: 500 }, (_, i) => rec('YQ==', `key-${i % 3}-${'x'.repeat(i % 80)}`))),
      put(rec('a\\/b+')),
      put(rec('YQ==\\u0041')),
      put(rec('YQ\\"==')),
      put(rec('ab!d')),
      put(rec('abc')),
      put(rec('a===')),
      put(rec('=abc')),
      put(rec('ab=c')),
      put(rec('ab\ncd')),
      put(rec('abcdé')),
      put(`{"Data":null,"PartitionKey":"k"}`),
      put(`{"Data":"YQ==","PartitionKey":7}`),
      put(`{"Data":"YQ=="}`),
      put(rec('YQ==', '')),
      put(rec('YQ==', 'k'.repeat(256))),
      put(rec('YQ==', 'k'.repeat(257))),
      put(rec('YQ==', 'é'.repeat(200))),
      put(rec('YQ==', 'é'.repeat(257))),
      put(rec('YQ==', 'a\\"b')),
      put(rec('YQ==', 'a\tb')),
      put(rec('YQ==', 'k', ',"Other":1')),
      put(rec('YQ==', 'k', ',"Data":"YQ=="')),
      put(rec('YQ==', 'k', ',"ExplicitHashKey":"340282366920938463463374607431768211456"')),
      put(rec('YQ==', 'k', ',"ExplicitHashKey":"01"')),
      put(rec('YQ==', 'k', ',"ExplicitHashKey":null')),
      put(...Array.from({ length: 501 }, () => rec('YQ=='))),
      put(),
      `{"StreamName":"s"}`,
      `{"StreamName":"s","Records":[${rec('YQ==')}],"StreamName":"t"}`,
      `{"StreamName":"s!","Records":[${rec('YQ==')}]}`,
      `{"StreamName":"s","Records":[${rec('YQ==')}]}x`,
      `{"StreamName":"s","Records":[${rec('YQ==')}]`,
      `\ufeff${put(rec('YQ=='))}`,
      `{"StreamName":"s","Records":[${rec('YQ==')},]}`,
      `[${put(rec('YQ=='))}]`,
    ];
    for (const body of bodies) {
      const read = fast(body);
      if (read === undefined) continue;
      expect(read, body.slice(0, 200)).toEqual(parsedRecords(body));
      expect(await outcome(api, readPutRecords(Buffer.from(body, 'utf8'))), body.slice(0, 200)).toEqual(await outcome(api, JSON.parse(body)));
    }
    expect(fast(bodies[0]!)).toBeDefined();
    expect(fast(bodies[1]!)).toBeDefined();
    expect(fast(bodies[3]!)).toBeDefined();
    expect(fast(bodies[4]!)).toBeDefined();
    expect(fast(put(rec('YQ==', ' k')))).toEqual([{ partitionKey: ' k', data: [97] }]);
    await api.close();
    await store.close();
  });

  it('declines bodies the generic path must answer', () => {
    for (const body of [put(rec(' YQ==')), put(rec('a\\/b+')), put(rec('ab!d')), put(rec('YQ==', 'k'.repeat(257))), put(), `{"StreamName":"s","Records":[${rec('YQ==')}]}x`]) {
      expect(fast(body), body).toBeUndefined();
    }
  });
});
