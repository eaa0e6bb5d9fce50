export { FirehoseApi, FIREHOSE_TARGET_PREFIX, MAX_BATCH_BYTES, MAX_BATCH_RECORDS, MAX_RECORD_BYTES, type FirehoseApiOptions } from './firehose-api.js';
export { DeliveryStream, DEFAULT_ERROR_PREFIX, objectBody, type DeliveryStreamRecord, type DeliveryStreamStatus, type Tag } from './delivery-stream.js';
export { parseDestination, describeS3Destination, type S3Destination, type Compression } from './destination-config.js';
export { describeDestination, parseDestinationConfig, type Destination } from './destination.js';
export type { HttpDestination } from './http-destination-config.js';
