/**
 * DiscoverInputSchema: samples records from a Kinesis stream of this Sluice's log (from the
 * trim horizon, or with NOW what arrives within a short wait) or an S3 object in the data
 * directory's layout, and infers their schema (schema-discovery.ts). Nothing to sample, or
 * nothing inferable, is UnableToDetectSchemaException.
 */

import { ApiError } from '../ingest/api/index.js';
import type { LogStore } from '../ingest/index.js';
import type { Input } from '../ingest/api/validation.js';
import type { ShardPosition } from '../ingest/types.js';
import { bucketName } from '../sinks/object-store.js';
import { invalid, kinesisStreamOf, NO_LAMBDA } from './application-config.js';
import type { ReadObject } from './s3-objects.js';
import { discoverSchema } from './schema-discovery.js';

export interface DiscoveryContext {
  readonly log: LogStore;
  readonly readObject: ReadObject;
  /** How long NOW waits for records to arrive. */
  readonly waitMs: number;
}

/** How many records discovery samples. */
export const SAMPLE_RECORDS = 100;

const decoder = new TextDecoder();

function unableToDetect(message: string): ApiError {
  return new ApiError('UnableToDetectSchemaException', message);
}

export async function discoverInputSchema(input: Input, ctx: DiscoveryContext): Promise<object> {
  if (input['InputProcessingConfiguration']) throw invalid(NO_LAMBDA);
  const arn = input['ResourceARN'] as string | undefined;
  const s3 = input['S3Configuration'] as { BucketARN: string; FileKey: string } | undefined;
  if ((arn ? 1 : 0) + (s3 ? 1 : 0) !== 1) throw invalid('DiscoverInputSchema needs either ResourceARN (a Kinesis stream) or S3Configuration (an S3 object).');
  const records = arn ? await streamSample(arn, input, ctx) : await objectSample(s3!, ctx);
  if (records.length === 0) throw unableToDetect(arn ? `No records to sample in ${arn}.` : `s3://${bucketName(s3!.BucketARN)}/${s3!.FileKey} is empty.`);
  const found = discoverSchema(records, s3 !== undefined);
  if (!found) throw unableToDetect('Unable to detect a schema: the sampled records have no fields.');
  return { InputSchema: found.InputSchema, ParsedInputRecords: found.ParsedInputRecords, RawInputRecords: records };
}

async function streamSample(arn: string, input: Input, ctx: DiscoveryContext): Promise<string[]> {
  const name = kinesisStreamOf(arn, ctx.log);
  const start = (input['InputStartingPositionConfiguration'] as { InputStartingPosition?: string } | undefined)?.InputStartingPosition ?? 'TRIM_HORIZON';
  if (start === 'LAST_STOPPED_POINT') throw invalid('LAST_STOPPED_POINT belongs to a running application; discovery samples from NOW or TRIM_HORIZON.');
  const shards = ctx.log.getStream(name).shards();
  const positions = new Map<string, ShardPosition>(shards.map((s) => [s.shardId, s.position({ type: start === 'NOW' ? 'LATEST' : 'TRIM_HORIZON' })]));
  const out: string[] = [];
  const deadline = Date.now() + (start === 'NOW' ? ctx.waitMs : 0);
  for (;;) {
    for (const shard of shards) {
      if (out.length >= SAMPLE_RECORDS) return out;
      const read = await shard.read(positions.get(shard.shardId)!, { limit: SAMPLE_RECORDS - out.length });
      positions.set(shard.shardId, read.next);
      for (const r of read.records) out.push(decoder.decode(r.data));
    }
    if (out.length > 0 || Date.now() >= deadline) return out;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** An object's records: each line of a JSON-lines file, else the whole object (CSV rows are split by discovery). */
async function objectSample(s3: { BucketARN: string; FileKey: string }, ctx: DiscoveryContext): Promise<string[]> {
  const bucket = bucketName(s3.BucketARN);
  if (!bucket) throw invalid(`${s3.BucketARN} is not an S3 bucket ARN (arn:aws:s3:::<bucket>).`);
  const body = await ctx.readObject(bucket, s3.FileKey);
  if (!body) throw invalid(`No object ${s3.FileKey} in bucket ${bucket} (Sluice reads <data>/s3/${bucket}/${s3.FileKey}).`);
  const text = body.toString('utf8');
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const jsonLines = lines.length > 1 && lines.every((l) => /^\s*\{/.test(l) && isJson(l));
  if (jsonLines) return lines.slice(0, SAMPLE_RECORDS);
  // A CSV object is one record of many rows, as KDA shows it; the sample is its first rows.
  const head = text.split(/(?<=\n)/).slice(0, SAMPLE_RECORDS + 1).join('');
  return head.trim() === '' ? [] : [head];
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
