export { systemScheduler, ManualScheduler, type Sink, type Scheduler } from './sink.js';
export { BufferedSink, SinkClosedError, type Batch, type BufferedSinkOptions } from './buffered-sink.js';
export { RecordBuffer, readFrames, type SealedBuffer } from './record-buffer.js';
export { withRetry, type RetryPolicy } from './retry.js';
export { FolderObjectStore, MemoryObjectStore, bucketName, type ObjectStore } from './object-store.js';
export { expandPrefix, formatTimestamp, objectName, checkPrefix, DEFAULT_TIME_PREFIX } from './s3-naming.js';
export * from './firehose/index.js';
