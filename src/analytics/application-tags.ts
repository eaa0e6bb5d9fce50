/**
 * An application's tags: at most 50 user-defined ones (TooManyTagsException past that, as AWS
 * answers), keys unique (a tag given again replaces its value), none under the `aws:` prefix
 * AWS keeps for its own.
 */

import { ApiError, apiErrors } from '../ingest/api/index.js';
import type { Tag } from './application.js';
import { LIMITS } from './analytics-specs.js';

export function withTags(app: string, current: readonly Tag[], added: readonly Tag[]): Tag[] {
  const byKey = new Map(current.map((t) => [t.Key, t]));
  for (const t of added) {
    if (t.Key.toLowerCase().startsWith('aws:')) throw apiErrors.invalid(`Tag key ${t.Key} uses the aws: prefix, which AWS reserves for its own tags.`);
    byKey.set(t.Key, t.Value === undefined ? { Key: t.Key } : { Key: t.Key, Value: t.Value });
  }
  if (byKey.size > LIMITS.tags) throw new ApiError('TooManyTagsException', `Application ${app} would have ${byKey.size} tags; the maximum number of user-defined application tags is ${LIMITS.tags}.`);
  return [...byKey.values()];
}

export function withoutTags(current: readonly Tag[], keys: readonly string[]): Tag[] {
  const drop = new Set(keys);
  return current.filter((t) => !drop.has(t.Key));
}

/** The application an ARN names (`arn:aws:kinesisanalytics:<region>:<account>:application/<name>`). */
export function applicationOfArn(arn: string): string {
  return arn.slice(arn.indexOf(':application/') + ':application/'.length);
}
