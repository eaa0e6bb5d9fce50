/**
 * Errors as the Kinesis API answers them: an exception name (`__type`), a message, an HTTP status.
 * Names and wording follow what AWS sends, since SDKs and tools branch on the name.
 */

import { IngestError } from '../errors.js';

export const ACCOUNT_ID = '000000000000';

export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export const apiErrors = {
  streamNotFound: (stream: string) => new ApiError('ResourceNotFoundException', `Stream ${stream} under account ${ACCOUNT_ID} not found.`),
  shardNotFound: (stream: string, shardId: string) =>
    new ApiError('ResourceNotFoundException', `Could not find shard ${shardId} in stream ${stream} under account ${ACCOUNT_ID}.`),
  notFound: (message: string) => new ApiError('ResourceNotFoundException', message),
  inUse: (message: string) => new ApiError('ResourceInUseException', message),
  invalid: (message: string) => new ApiError('InvalidArgumentException', message),
  limit: (message: string) => new ApiError('LimitExceededException', message),
  validation: (message: string) => new ApiError('ValidationException', message),
  serialization: (message: string) => new ApiError('SerializationException', message),
  unknownOperation: (operation: string) => new ApiError('UnknownOperationException', `Unknown operation ${operation}`),
  throughput: (shardId: string, stream: string) =>
    new ApiError('ProvisionedThroughputExceededException', `Rate exceeded for shard ${shardId} in stream ${stream} under account ${ACCOUNT_ID}.`),
  expiredIterator: (createdAt: number, now: number) =>
    new ApiError(
      'ExpiredIteratorException',
      `Iterator expired. The iterator was created at time ${new Date(createdAt).toUTCString()} while right now it is ` +
        `${new Date(now).toUTCString()} which is further in the future than the tolerated delay of 300000 milliseconds.`,
    ),
  invalidIterator: () => new ApiError('InvalidArgumentException', 'Invalid ShardIterator.'),
  expiredNextToken: () => new ApiError('ExpiredNextTokenException', 'The NextToken has expired.'),
  invalidNextToken: () => new ApiError('InvalidArgumentException', 'Invalid NextToken.'),
  /**
   * AWS's front end answers an oversized request with HTTP 413 before the service sees it (boto3
   * reports it as "An error occurred (413)"); the body names it SerializationException, the error
   * AWS JSON services give a request they cannot read, so SDKs raise a named error they do not retry.
   */
  tooLarge: (limit: number) => new ApiError('SerializationException', `Request body is larger than ${limit} bytes.`, 413),
  /** A body that stopped arriving: 408 RequestTimeoutException, which SDKs treat as transient and retry. */
  requestTimeout: (message: string) => new ApiError('RequestTimeoutException', message, 408),
  /** AWS's common error for a temporary failure of the server; SDKs retry a 503. */
  unavailable: (message: string) => new ApiError('ServiceUnavailable', message, 503),
  internal: (message: string) => new ApiError('InternalFailure', message, 500),
} as const;

/** Maps anything thrown below the API to what a client sees; log failures become 500s. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof IngestError) {
    switch (err.code) {
      case 'ResourceNotFoundException':
      case 'ResourceInUseException':
      case 'InvalidArgumentException':
      case 'LimitExceededException':
      case 'KMSNotFoundException':
        return new ApiError(err.code, err.message);
      default:
        return apiErrors.internal(err.message);
    }
  }
  return apiErrors.internal(err instanceof Error ? err.message : String(err));
}
