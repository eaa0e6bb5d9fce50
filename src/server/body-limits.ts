/**
 * The largest request body each operation takes, in one table. A body over its limit is refused
 * before it is read (from Content-Length) or as soon as it grows past it (chunked, or HTTP/2
 * without a length), so memory per request is bounded by the operation, not by the client.
 *
 * Each limit is AWS's own limit on the request's content, grown by what the JSON encoding adds,
 * so no request AWS accepts is refused here:
 * - Kinesis PutRecords: 5 MiB of data and partition keys, 500 records. Base64 makes 5 MiB of data
 *   6.7 MiB; partition keys escaped as \uXXXX (6 bytes a character, 256 characters), explicit hash
 *   keys (39 digits) and the JSON around 500 records add at most ~1 MiB: 10 MiB.
 * - Kinesis PutRecord: 1 MiB of data and key, 1.4 MiB as JSON: 2 MiB.
 * - Firehose PutRecordBatch: 4 MiB of data, 500 records of up to 1,000 KiB: 5.4 MiB as JSON: 8 MiB.
 * - Firehose PutRecord: 1,000 KiB of data, 1.3 MiB as JSON: 2 MiB.
 * - Every other operation (control-plane JSON: names, tags, configuration) and POST /sql: 1 MiB.
 */

const MIB = 1024 * 1024;

export const DEFAULT_BODY_LIMIT = 1 * MIB;

export const BODY_LIMITS: Readonly<Record<string, number>> = {
  'Kinesis_20131202.PutRecords': 10 * MIB,
  'Kinesis_20131202.PutRecord': 2 * MIB,
  'Firehose_20150804.PutRecordBatch': 8 * MIB,
  'Firehose_20150804.PutRecord': 2 * MIB,
  'POST /sql': 1 * MIB,
};

/** The body limit of an `x-amz-target` (e.g. 'Kinesis_20131202.PutRecords') or a route ('POST /sql'). */
export function bodyLimitFor(operation: string): number {
  return BODY_LIMITS[operation] ?? DEFAULT_BODY_LIMIT;
}
