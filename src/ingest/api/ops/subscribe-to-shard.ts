/**
 * SubscribeToShard: an event stream that pushes a shard's records to a registered consumer for up
 * to five minutes, as AWS does (the client then subscribes again from ContinuationSequenceNumber).
 * Events carry Records, ContinuationSequenceNumber and MillisBehindLatest; the last event of a
 * closed shard carries ChildShards and ends the stream.
 */

import { formatSequenceNumber } from '../../sequence-number.js';
import type { Shard } from '../../shard.js';
import type { ShardPosition } from '../../types.js';
import { ACCOUNT_ID, apiErrors, toApiError } from '../errors.js';
import { encodeEvent, encodeException, EventStreamResult, type EventSink } from '../event-stream.js';
import type { KinesisApi, Operation, ResolvedStream } from '../kinesis-api.js';
import { childShards, recordShape } from '../shapes.js';
import { activeSubscription, addSubscription, RESUBSCRIBE_MS } from '../subscriptions.js';
import { CONSUMER_ARN, SEQUENCE_NUMBER, SHARD_ID } from '../validation.js';
import { consumerStatus, findConsumer } from './consumer-ops.js';
import { ITERATOR_TYPES, positionOn, shardOf, startingPosition } from './read-ops.js';

const EVENT_MAX_BYTES = 2 * 1024 * 1024;
const EVENT_MAX_RECORDS = 10000;
/** An event with no records is still sent this often, so the client can checkpoint. */
const HEARTBEAT_MS = 5000;

const subscribeToShard: Operation = {
  fields: {
    ConsumerARN: { ...CONSUMER_ARN, required: true },
    ShardId: { ...SHARD_ID, required: true },
    StartingPosition: {
      type: 'structure',
      required: true,
      fields: { Type: { type: 'string', required: true, values: ITERATOR_TYPES }, SequenceNumber: SEQUENCE_NUMBER, Timestamp: { type: 'timestamp' } },
    },
  },
  run(api, input) {
    const { resolved, consumer } = findConsumer(api, input);
    if (consumerStatus(api, consumer) !== 'ACTIVE') throw apiErrors.inUse(`Consumer ${consumer.arn} under account ${ACCOUNT_ID} is not ACTIVE.`);
    const shard = shardOf(resolved, input.ShardId as string);
    const start = input.StartingPosition as { Type: string; SequenceNumber?: string; Timestamp?: number };
    const position = positionOn(resolved, shard, startingPosition(api, start.Type, start.SequenceNumber, start.Timestamp));
    const previous = activeSubscription(api, consumer.arn, shard.shardId);
    if (previous && Date.now() - previous.startedAt < RESUBSCRIBE_MS) {
      throw apiErrors.inUse(`Another active subscription exists for consumer ${consumer.arn} on shard ${shard.shardId}; retry after ${RESUBSCRIBE_MS / 1000} seconds.`);
    }
    return new EventStreamResult((sink) => void pump(api, resolved, shard, consumer.arn, position, sink));
  },
};

async function pump(api: KinesisApi, resolved: ResolvedStream, shard: Shard, consumerArn: string, start: ShardPosition, sink: EventSink): Promise<void> {
  let ended = false;
  let wake: (() => void) | undefined;
  const end = (): void => {
    ended = true;
    wake?.();
  };
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });
  const unregister = addSubscription(api, consumerArn, shard.shardId, { startedAt: Date.now(), end });
  const unhook = api.onClose(end);
  sink.onClose(end);
  sink.onDrain(() => wake?.());
  const deadline = Date.now() + (api.options.subscriptionMs ?? 300_000);
  const pollMs = api.options.subscribePollMs ?? 100;
  let position = start;
  let continuation: string | undefined = position.ordinal > 0 ? formatSequenceNumber(shard.meta.index, position.ordinal - 1) : undefined;
  let lastEvent = 0;
  try {
    sink.write(encodeEvent('initial-response', {}));
    while (!ended && Date.now() < deadline) {
      if (api.store.listStreams().includes(resolved.name) === false) throw apiErrors.streamNotFound(resolved.name);
      const result = await shard.read(position, { limit: EVENT_MAX_RECORDS, maxBytes: EVENT_MAX_BYTES });
      if (ended) break;
      position = result.next;
      const last = result.records[result.records.length - 1];
      if (last) continuation = last.sequenceNumber;
      else if (position.ordinal > 0) continuation = formatSequenceNumber(shard.meta.index, position.ordinal - 1);
      // Until something is readable a shard at ordinal 0 has no sequence number to continue
      // from (its starting number is its first record's), so no empty event is sent before then.
      const due = result.records.length > 0 || result.endOfShard || Date.now() - lastEvent >= HEARTBEAT_MS;
      if (due && continuation !== undefined) {
        const event = {
          Records: result.records.map(recordShape),
          ContinuationSequenceNumber: continuation,
          MillisBehindLatest: result.millisBehindLatest,
          ...(result.endOfShard ? { ChildShards: childShards(resolved.stream, shard.shardId) } : {}),
        };
        lastEvent = Date.now();
        if (!sink.write(encodeEvent('SubscribeToShardEvent', event)) && !ended) await sleep(30_000);
      }
      if (result.endOfShard) break;
      if (result.records.length === 0) await sleep(pollMs);
    }
  } catch (err) {
    const error = toApiError(err);
    if (!ended) sink.write(encodeException(error.type, error.message));
  } finally {
    unregister();
    unhook();
    sink.end();
  }
}

export const subscribeOperations: [string, Operation][] = [['SubscribeToShard', subscribeToShard]];
