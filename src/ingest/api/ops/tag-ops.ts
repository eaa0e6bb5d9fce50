/**
 * Tags, by stream (AddTagsToStream, RemoveTagsFromStream, ListTagsForStream) and by resource ARN
 * (TagResource, UntagResource, ListTagsForResource), which also reaches consumers.
 */

import { ACCOUNT_ID, apiErrors } from '../errors.js';
import type { KinesisApi, Operation } from '../kinesis-api.js';
import { page } from '../shapes.js';
import { STREAM_REF, type Input, type Spec } from '../validation.js';
import { findConsumer } from './consumer-ops.js';
import { EMPTY, TAG_MAP } from './stream-ops.js';

const MAX_TAGS = 50;
const TAG_KEYS: Spec = { type: 'list', required: true, min: 1, max: 50, member: { type: 'string', min: 1, max: 128 } };
const RESOURCE_ARN: Spec = { type: 'string', required: true, min: 1, max: 2048, pattern: 'arn:aws.*:kinesis:.*:\\d{12}:.*stream\\/[a-zA-Z0-9_.-]+(\\/consumer\\/[a-zA-Z0-9_.-]+:[0-9]+)?' };

/** The tag map an ARN names: a stream's, or a consumer's. */
function tagsOf(api: KinesisApi, arn: string): { owner: string; tags: Record<string, string> } {
  if (arn.includes('/consumer/')) {
    const { consumer } = findConsumer(api, { ConsumerARN: arn });
    return { owner: consumer.name, tags: consumer.tags };
  }
  const resolved = api.stream({ StreamARN: arn });
  return { owner: resolved.name, tags: resolved.entry.tags };
}

function addTags(owner: string, tags: Record<string, string>, adding: Record<string, string>): void {
  const keys = new Set([...Object.keys(tags), ...Object.keys(adding)]);
  if (keys.size > MAX_TAGS) {
    throw apiErrors.invalid(`Failed to add tags to ${owner} under account ${ACCOUNT_ID} because a given resource cannot have more than ${MAX_TAGS} tags.`);
  }
  Object.assign(tags, adding);
}

function removeTags(tags: Record<string, string>, keys: readonly string[]): void {
  for (const key of keys) delete tags[key];
}

function tagList(tags: Record<string, string>): { Key: string; Value: string }[] {
  return Object.keys(tags)
    .sort()
    .map((Key) => ({ Key, Value: tags[Key]! }));
}

const addTagsToStream: Operation = {
  fields: { ...STREAM_REF, Tags: { type: 'map', required: true, min: 1, max: 200, keyLength: [1, 128], valueLength: [0, 256] } },
  async run(api, input) {
    const { name, entry } = api.stream(input);
    addTags(`stream ${name}`, entry.tags, input.Tags as Record<string, string>);
    await api.state.save();
    return EMPTY;
  },
};

const removeTagsFromStream: Operation = {
  fields: { ...STREAM_REF, TagKeys: TAG_KEYS },
  async run(api, input) {
    const { entry } = api.stream(input);
    removeTags(entry.tags, input.TagKeys as string[]);
    await api.state.save();
    return EMPTY;
  },
};

const listTagsForStream: Operation = {
  fields: { ...STREAM_REF, ExclusiveStartTagKey: { type: 'string', min: 1, max: 128 }, Limit: { type: 'integer', min: 1, max: 50 } },
  run(api, input: Input) {
    const { entry } = api.stream(input);
    const { items, more } = page(tagList(entry.tags), (t) => t.Key, input.ExclusiveStartTagKey as string | undefined, (input.Limit as number | undefined) ?? 50);
    return { Tags: items, HasMoreTags: more };
  },
};

const tagResource: Operation = {
  fields: { ResourceARN: RESOURCE_ARN, Tags: { ...TAG_MAP, required: true } },
  async run(api, input) {
    const { owner, tags } = tagsOf(api, input.ResourceARN as string);
    addTags(owner, tags, input.Tags as Record<string, string>);
    await api.state.save();
    return EMPTY;
  },
};

const untagResource: Operation = {
  fields: { ResourceARN: RESOURCE_ARN, TagKeys: TAG_KEYS },
  async run(api, input) {
    removeTags(tagsOf(api, input.ResourceARN as string).tags, input.TagKeys as string[]);
    await api.state.save();
    return EMPTY;
  },
};

const listTagsForResource: Operation = {
  fields: { ResourceARN: RESOURCE_ARN },
  run(api, input) {
    return { Tags: tagList(tagsOf(api, input.ResourceARN as string).tags) };
  },
};

export const tagOperations: [string, Operation][] = [
  ['AddTagsToStream', addTagsToStream],
  ['RemoveTagsFromStream', removeTagsFromStream],
  ['ListTagsForStream', listTagsForStream],
  ['TagResource', tagResource],
  ['UntagResource', untagResource],
  ['ListTagsForResource', listTagsForResource],
];
