/**
 * The SubscribeToShard calls in progress, one per (consumer, shard) as Kinesis allows: a new call
 * within 5 seconds of the last one is refused with ResourceInUseException, a later one replaces it.
 */

import type { KinesisApi } from './kinesis-api.js';

export const RESUBSCRIBE_MS = 5000;

export interface Subscription {
  readonly startedAt: number;
  end(): void;
}

const registries = new WeakMap<KinesisApi, Map<string, Subscription>>();

function registry(api: KinesisApi): Map<string, Subscription> {
  let map = registries.get(api);
  if (!map) {
    map = new Map();
    registries.set(api, map);
  }
  return map;
}

export function activeSubscription(api: KinesisApi, consumerArn: string, shardId: string): Subscription | undefined {
  return registry(api).get(`${consumerArn} ${shardId}`);
}

export function addSubscription(api: KinesisApi, consumerArn: string, shardId: string, subscription: Subscription): () => void {
  const key = `${consumerArn} ${shardId}`;
  const map = registry(api);
  map.get(key)?.end();
  map.set(key, subscription);
  return () => {
    if (map.get(key) === subscription) map.delete(key);
  };
}

/** Ends every subscription of a consumer (deregistered) or, with no ARN, of every consumer. */
export function endSubscriptions(api: KinesisApi, consumerArnPrefix = ''): void {
  for (const [key, subscription] of registry(api)) if (key.startsWith(consumerArnPrefix)) subscription.end();
}
