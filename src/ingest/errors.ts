/**
 * One error class for the ingest log. `code` names the Kinesis exception the API layer should
 * answer with; codes without a Kinesis counterpart ('Closed', 'KeyUnavailable', 'Corrupt', 'Io') map
 * to a 500.
 */

export type IngestErrorCode =
  | 'ResourceNotFoundException'
  | 'ResourceInUseException'
  | 'InvalidArgumentException'
  | 'LimitExceededException'
  | 'KMSNotFoundException'
  | 'Closed'
  | 'KeyUnavailable'
  | 'Corrupt'
  | 'Io';

export class IngestError extends Error {
  override readonly name = 'IngestError';

  constructor(
    readonly code: IngestErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * An append whose records were stored on some shards and not on others (a write failed there).
 * `results` holds each record's result in input order, undefined where it was not stored.
 */
export class PartialAppendError extends IngestError {
  constructor(
    cause: Error,
    readonly results: readonly ({ readonly shardId: string; readonly sequenceNumber: string } | undefined)[],
  ) {
    super('Io', cause.message, { cause });
  }
}

export const ingestErrors = {
  streamNotFound: (stream: string) => new IngestError('ResourceNotFoundException', `stream ${stream} not found`),
  streamExists: (stream: string) => new IngestError('ResourceInUseException', `stream ${stream} already exists`),
  streamBusy: (stream: string, status: string) =>
    new IngestError('ResourceInUseException', `stream ${stream} is ${status}, not ACTIVE`),
  shardNotFound: (stream: string, shardId: string) =>
    new IngestError('ResourceNotFoundException', `shard ${shardId} not found in stream ${stream}`),
  shardClosed: (shardId: string) => new IngestError('InvalidArgumentException', `shard ${shardId} is closed`),
  invalid: (message: string) => new IngestError('InvalidArgumentException', message),
  limit: (message: string) => new IngestError('LimitExceededException', message),
  kmsNotFound: (message: string) => new IngestError('KMSNotFoundException', message),
  closed: () => new IngestError('Closed', 'the log store is closed'),
  keyUnavailable: (message: string) => new IngestError('KeyUnavailable', message),
  corrupt: (where: string, offset: number, why: string) =>
    new IngestError('Corrupt', `corrupt record in ${where} at byte ${offset}: ${why}`),
  writeFailed: (shardId: string, cause: unknown) =>
    new IngestError('Io', `shard ${shardId} could not write the records (${cause instanceof Error ? cause.message : String(cause)}); none of them were stored`, { cause }),
  io: (shardId: string, cause: unknown) =>
    new IngestError('Io', `shard ${shardId} stopped accepting writes after an I/O error`, { cause }),
} as const;
