/**
 * Writes: PutRecord and PutRecords. PutRecords is the hot path, so it checks its records in one
 * hand-written pass (same errors as the generic validator), appends every admitted record with one
 * `stream.append` (one group commit, acknowledged only once durable) and writes its JSON by hand.
 */

import { PartialAppendError } from '../../errors.js';
import { HASH_KEY_MAX } from '../../hashing.js';
import type { Stream } from '../../stream.js';
import type { AppendRecord, AppendResult } from '../../types.js';
import { MIB, type StreamCapacity } from '../capacity.js';
import { ACCOUNT_ID, ApiError, apiErrors } from '../errors.js';
import { RawJson, type KinesisApi, type Operation, type ResolvedStream } from '../kinesis-api.js';
import { CheckedRecords, HASH_KEY_PATTERN, MAX_DATA_BYTES, MAX_KEY_LENGTH, MAX_RECORDS, readPutRecords } from '../put-records-reader.js';
import { HASH_KEY, SEQUENCE_NUMBER, STREAM_REF, validate, type Input } from '../validation.js';

const MAX_REQUEST_BYTES = 5 * MIB;
const MAX_HASH_KEY_TEXT = HASH_KEY_MAX.toString();

/** Base64 to bytes, or undefined when it is not valid base64 (Buffer.from silently skips bad characters). */
function decodeBase64(text: string): Buffer | undefined {
  if (text.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(text, 'base64');
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return bytes.length === (text.length / 4) * 3 - pad ? bytes : undefined;
}

function blobError(text: string): ApiError {
  const shown = text.length > 64 ? `${text.slice(0, 64)}…` : text;
  return text.length % 4 !== 0
    ? apiErrors.serialization(`'${shown}' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: ${text.length}`)
    : apiErrors.serialization(`'${shown}' can not be converted to a Blob: Invalid Base64 character`);
}

function heapBuffer(length: number): string {
  return `'java.nio.HeapByteBuffer[pos=0 lim=${length} cap=${length}]'`;
}

function typeError(value: unknown, expected: 'String' | 'Blob'): ApiError {
  if (Array.isArray(value)) return apiErrors.serialization('Start of list found where not expected');
  if (typeof value === 'object') return apiErrors.serialization('Start of structure or map found where not expected.');
  const java = typeof value === 'number' ? 'class com.amazon.coral.value.json.numbers.TruncatingBigNumber' : 'class java.lang.Boolean';
  return apiErrors.serialization(`${java} can not be converted to ${expected === 'Blob' ? 'a Blob' : 'an String'}`);
}

/** One record's fields, checked: pushes constraint failures to `errors`, throws on wrong JSON types. */
function checkRecord(entry: Input, path: string, errors: string[]): AppendRecord {
  const key = entry.PartitionKey;
  const data = entry.Data;
  const hashKey = entry.ExplicitHashKey ?? undefined;
  if (key !== undefined && key !== null && typeof key !== 'string') throw typeError(key, 'String');
  if (data !== undefined && data !== null && typeof data !== 'string') throw typeError(data, 'Blob');
  if (hashKey !== undefined && typeof hashKey !== 'string') throw typeError(hashKey, 'String');
  const fail = (shown: string, field: string, constraint: string): void => {
    if (errors.length < 10) errors.push(`Value ${shown} at '${path}${field}' failed to satisfy constraint: ${constraint}`);
  };
  let bytes: Buffer = Buffer.alloc(0);
  if (typeof data !== 'string') fail('null', 'data', 'Member must not be null');
  else {
    const decoded = decodeBase64(data);
    if (!decoded) throw blobError(data);
    bytes = decoded;
    if (bytes.length > MAX_DATA_BYTES) fail(heapBuffer(bytes.length), 'data', `Member must have length less than or equal to ${MAX_DATA_BYTES}`);
  }
  if (typeof key !== 'string') fail('null', 'partitionKey', 'Member must not be null');
  else if (key.length < 1) fail(`'${key}'`, 'partitionKey', 'Member must have length greater than or equal to 1');
  else if (key.length > MAX_KEY_LENGTH) fail(`'${key}'`, 'partitionKey', `Member must have length less than or equal to ${MAX_KEY_LENGTH}`);
  if (hashKey !== undefined) {
    if (!HASH_KEY_PATTERN.test(hashKey)) fail(`'${hashKey}'`, 'explicitHashKey', `Member must satisfy regular expression pattern: ${(HASH_KEY as { pattern: string }).pattern}`);
    else if (hashKey.length === MAX_HASH_KEY_TEXT.length ? hashKey > MAX_HASH_KEY_TEXT : hashKey.length > MAX_HASH_KEY_TEXT.length) {
      throw apiErrors.invalid(`Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was ${hashKey}`);
    }
    return { partitionKey: key as string, data: bytes, explicitHashKey: hashKey };
  }
  return { partitionKey: key as string, data: bytes };
}

function validationError(errors: string[]): ApiError {
  const n = errors.length;
  return apiErrors.validation(`${n} validation error${n > 1 ? 's' : ''} detected: ${errors.join('; ')}`);
}

/** Takes each record's tokens from its shard's buckets; returns the admitted indexes and the shards. */
function admit(capacity: StreamCapacity, resolved: ResolvedStream, records: readonly AppendRecord[]): { admitted: number[]; shardIds: string[] } {
  const router = capacity.routerFor(resolved.stream);
  const admitted: number[] = [];
  const shardIds: string[] = [];
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    const shardId = router.shardFor(r.partitionKey, r.explicitHashKey);
    shardIds.push(shardId);
    if (capacity.admitWrite(shardId, r.data.length + r.partitionKey.length)) admitted.push(i);
  }
  return { admitted, shardIds };
}

function requestBytes(records: readonly AppendRecord[]): number {
  let bytes = 0;
  for (const r of records) bytes += r.data.length + r.partitionKey.length;
  return bytes;
}

/** The generic pass over a parsed Records list: AWS's serialization and validation errors, in its order. */
function checkRecords(list: unknown): AppendRecord[] {
  if (list !== undefined && list !== null && !Array.isArray(list)) {
    throw typeof list === 'object' ? apiErrors.serialization('Start of structure or map found where not expected.') : apiErrors.serialization('Expected list or null');
  }
  const errors: string[] = [];
  const entries = (list ?? []) as unknown[];
  if (list === undefined || list === null) errors.push("Value null at 'records' failed to satisfy constraint: Member must not be null");
  else if (entries.length < 1) errors.push("Value '[]' at 'records' failed to satisfy constraint: Member must have length greater than or equal to 1");
  else if (entries.length > MAX_RECORDS) {
    errors.push(`Value '[${entries.length} records]' at 'records' failed to satisfy constraint: Member must have length less than or equal to ${MAX_RECORDS}`);
  }
  const records = new Array<AppendRecord>(Math.min(entries.length, MAX_RECORDS));
  for (let i = 0; i < records.length; i++) {
    const entry = entries[i];
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      if (entry === null) errors.push(`Value null at 'records.${i + 1}.member' failed to satisfy constraint: Member must not be null`);
      else throw Array.isArray(entry) ? apiErrors.serialization('Start of list found where not expected') : apiErrors.serialization('Expected null');
      continue;
    }
    records[i] = checkRecord(entry as Input, `records.${i + 1}.member.`, errors);
  }
  if (errors.length > 0) throw validationError(errors);
  return records;
}

const putRecords: Operation = {
  readBody: readPutRecords,
  async run(api: KinesisApi, body: Input) {
    const ref = validate({ StreamName: body.StreamName, StreamARN: body.StreamARN }, STREAM_REF);
    const list = body.Records;
    const records = list instanceof CheckedRecords ? list.records : checkRecords(list);
    const total = requestBytes(records);
    if (total > MAX_REQUEST_BYTES) throw apiErrors.invalid('Records size exceeds 5 MB limit');

    const resolved = api.stream(ref, true);
    const capacity = api.capacity(resolved);
    const epoch = resolved.stream.encryptionEpoch;
    if (!capacity) return new RawJson(resultJson(await appendEach(resolved.stream, records), records.length, undefined, undefined, resolved, epoch));
    api.observeWrites(resolved, records.length, total);
    const { admitted, shardIds } = admit(capacity, resolved, records);
    const results = admitted.length === 0 ? [] : await appendEach(resolved.stream, admitted.length === records.length ? records : admitted.map((i) => records[i]!));
    return new RawJson(resultJson(results, records.length, admitted, shardIds, resolved, epoch));
  },
};

/**
 * Appends, and where some shards stored their records and others failed, says which: AWS answers
 * such records one by one with InternalFailure (and the client retries just those), rather than
 * failing a request whose other records are in the log.
 */
async function appendEach(stream: Stream, records: readonly AppendRecord[]): Promise<readonly (AppendResult | undefined)[]> {
  try {
    return await stream.append(records);
  } catch (err) {
    if (err instanceof PartialAppendError) return err.results;
    throw err;
  }
}

const INTERNAL_FAILURE = '{"ErrorCode":"InternalFailure","ErrorMessage":"Internal service failure."}';

/**
 * The PutRecords response; `admitted` (when throttling) maps results back to request order. It
 * says EncryptionType KMS when every record was stored encrypted.
 */
function resultJson(
  results: readonly (AppendResult | undefined)[],
  count: number,
  admitted: number[] | undefined,
  shardIds: string[] | undefined,
  resolved: ResolvedStream,
  epoch: number,
): string {
  const stream = resolved.name;
  const parts = new Array<string>(count);
  let failed = 0;
  const stored = (r: AppendResult | undefined): string => {
    if (r) return `{"SequenceNumber":"${r.sequenceNumber}","ShardId":"${r.shardId}"}`;
    failed++;
    return INTERNAL_FAILURE;
  };
  if (!admitted || admitted.length === count) {
    for (let i = 0; i < count; i++) parts[i] = stored(results[i]);
  } else {
    let next = 0;
    for (let i = 0; i < count; i++) {
      if (admitted[next] === i) {
        parts[i] = stored(results[next++]);
      } else {
        failed++;
        const message = `Rate exceeded for shard ${shardIds![i]} in stream ${stream} under account ${ACCOUNT_ID}.`;
        parts[i] = `{"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":${JSON.stringify(message)}}`;
      }
    }
  }
  const encrypted = results.length > 0 && results.every((r) => r !== undefined) && resolved.stream.appendedEncrypted(results as AppendResult[], epoch);
  return `{"FailedRecordCount":${failed},"Records":[${parts.join(',')}]${encrypted ? ',"EncryptionType":"KMS"' : ''}}`;
}

const putRecord: Operation = {
  async run(api: KinesisApi, body: Input) {
    const input = validate(body, { ...STREAM_REF, SequenceNumberForOrdering: SEQUENCE_NUMBER });
    const errors: string[] = [];
    const record = checkRecord(body, '', errors);
    if (errors.length > 0) throw validationError(errors);
    const resolved = api.stream(input, true);
    const capacity = api.capacity(resolved);
    if (capacity) {
      api.observeWrites(resolved, 1, record.data.length + record.partitionKey.length);
      const shardId = capacity.routerFor(resolved.stream).shardFor(record.partitionKey, record.explicitHashKey);
      if (!capacity.admitWrite(shardId, record.data.length + record.partitionKey.length)) throw apiErrors.throughput(shardId, resolved.name);
    }
    const epoch = resolved.stream.encryptionEpoch;
    const results = await resolved.stream.append([record]);
    const [result] = results;
    return { ShardId: result!.shardId, SequenceNumber: result!.sequenceNumber, EncryptionType: resolved.stream.appendedEncrypted(results, epoch) ? 'KMS' : 'NONE' };
  },
};

export const recordOperations: [string, Operation][] = [
  ['PutRecord', putRecord],
  ['PutRecords', putRecords],
];
