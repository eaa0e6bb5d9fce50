/** A delivery stream's tags: at most 50, keys unique (a tag given again replaces its value). */

import { ACCOUNT_ID, apiErrors } from '../../ingest/api/index.js';
import type { Tag } from './delivery-stream.js';
import { MAX_TAGS } from './firehose-specs.js';

/** The tags after adding `added`; LimitExceededException past 50, as AWS answers. */
export function withTags(stream: string, current: readonly Tag[], added: readonly Tag[]): Tag[] {
  const byKey = new Map(current.map((t) => [t.Key, t]));
  for (const t of added) byKey.set(t.Key, t.Value === undefined ? { Key: t.Key } : { Key: t.Key, Value: t.Value });
  if (byKey.size > MAX_TAGS) {
    throw apiErrors.limit(`Firehose stream ${stream} under account ${ACCOUNT_ID} would have ${byKey.size} tags; the limit is ${MAX_TAGS}.`);
  }
  return [...byKey.values()];
}

export function withoutTags(current: readonly Tag[], keys: readonly string[]): Tag[] {
  const drop = new Set(keys);
  return current.filter((t) => !drop.has(t.Key));
}

/** ListTagsForDeliveryStream's page: tags in the order they were added, after ExclusiveStartTagKey. */
export function listTags(tags: readonly Tag[], after: string | undefined, limit: number | undefined): { Tags: Tag[]; HasMoreTags: boolean } {
  const start = after === undefined ? 0 : tags.findIndex((t) => t.Key === after) + 1;
  const rest = tags.slice(start);
  const n = limit ?? MAX_TAGS;
  return { Tags: rest.slice(0, n), HasMoreTags: rest.length > n };
}
