/**
 * The ARN an operation acts on, as IAM policies name it: the stream's
 * (`arn:aws:kinesis:<region>:<account>:stream/<name>`), or the consumer's
 * (`<stream ARN>/consumer/<name>:<creation epoch seconds>`) for DescribeStreamConsumer,
 * DeregisterStreamConsumer, SubscribeToShard and tags on a consumer; undefined for the
 * account-level ListStreams and DescribeLimits, which IAM authorizes on `*`. The stream is found the
 * way the operation finds it (StreamName or StreamARN, a shard iterator, a ListShards token), and
 * the ARN is always rebuilt with this server's region and account, whatever a request's ARN said.
 */

import { apiErrors } from './errors.js';
import type { KinesisApi } from './kinesis-api.js';
import { STREAM_REF, validate, type Input } from './validation.js';

export function kinesisResource(api: KinesisApi, operation: string, input: Input): string | undefined {
  switch (operation) {
    case 'ListStreams':
    case 'DescribeLimits':
      return undefined;
    case 'PutRecords':
      // PutRecords checks its own body (no `fields`), so its stream reference is checked here as it will be there.
      return api.streamArn(api.streamName(validate({ StreamName: input.StreamName, StreamARN: input.StreamARN }, STREAM_REF)));
    case 'GetRecords':
      return api.streamArn(api.signer.decodeIterator(input.ShardIterator as string).stream);
    case 'ListShards':
      if (input.NextToken !== undefined && input.StreamName === undefined && input.StreamARN === undefined) {
        return api.streamArn(api.signer.decodeToken<{ stream: string }>('ListShards', input.NextToken as string, api.clock()).stream);
      }
      return api.streamArn(api.streamName(input));
    case 'DescribeStreamConsumer':
    case 'DeregisterStreamConsumer':
    case 'SubscribeToShard':
      return consumerArn(api, input);
    case 'TagResource':
    case 'UntagResource':
    case 'ListTagsForResource': {
      const arn = input.ResourceARN as string;
      return arn.includes('/consumer/') ? consumerArn(api, { ConsumerARN: arn }) : api.streamArn(api.streamName({ StreamARN: arn }));
    }
    default:
      return api.streamArn(api.streamName(input));
  }
}

/** A consumer named by its ARN, or by StreamARN plus ConsumerName (then its ARN is looked up, as it carries the creation time). */
function consumerArn(api: KinesisApi, input: Input): string {
  const arn = input.ConsumerARN as string | undefined;
  if (arn !== undefined) {
    const m = /:stream\/([^/]+)\/consumer\/(.+)$/.exec(arn);
    if (!m) throw apiErrors.invalid(`Invalid ConsumerARN ${arn}.`);
    return `${api.streamArn(m[1]!)}/consumer/${m[2]!}`;
  }
  const name = input.ConsumerName as string | undefined;
  if (name === undefined || input.StreamARN === undefined) throw apiErrors.invalid('Either ConsumerARN or both StreamARN and ConsumerName should be provided.');
  const stream = api.streamName(input);
  let known: string | undefined;
  try {
    known = api.streamByName(stream).entry.consumers.find((c) => c.name === name)?.arn;
  } catch {
    known = undefined;
  }
  return known ?? `${api.streamArn(stream)}/consumer/${name}`;
}
