/**
 * Enhanced fan-out consumers: RegisterStreamConsumer, DescribeStreamConsumer,
 * ListStreamConsumers, DeregisterStreamConsumer. A consumer is CREATING briefly, then ACTIVE.
 */

import type { ConsumerState } from '../api-state.js';
import { ACCOUNT_ID, apiErrors } from '../errors.js';
import type { KinesisApi, Operation, ResolvedStream } from '../kinesis-api.js';
import { epochSeconds, page } from '../shapes.js';
import { endSubscriptions } from '../subscriptions.js';
import { CONSUMER_ARN, CONSUMER_NAME, NEXT_TOKEN, STREAM_ARN, type Input } from '../validation.js';
import { EMPTY, TAG_MAP } from './stream-ops.js';

const MAX_CONSUMERS = 20;
const CONSUMER_REF = { StreamARN: STREAM_ARN, ConsumerName: CONSUMER_NAME, ConsumerARN: CONSUMER_ARN };

export function consumerStatus(api: KinesisApi, consumer: ConsumerState): 'CREATING' | 'ACTIVE' {
  return api.isCreating(consumer.arn) ? 'CREATING' : 'ACTIVE';
}

function consumerShape(api: KinesisApi, consumer: ConsumerState): object {
  return {
    ConsumerName: consumer.name,
    ConsumerARN: consumer.arn,
    ConsumerStatus: consumerStatus(api, consumer),
    ConsumerCreationTimestamp: epochSeconds(consumer.createdAt),
  };
}

/** The consumer named by ConsumerARN, or by StreamARN plus ConsumerName. */
export function findConsumer(api: KinesisApi, input: Input): { resolved: ResolvedStream; consumer: ConsumerState } {
  const arn = input.ConsumerARN as string | undefined;
  const name = input.ConsumerName as string | undefined;
  let resolved: ResolvedStream;
  let match: (c: ConsumerState) => boolean;
  if (arn !== undefined) {
    const streamName = /:stream\/([^/]+)\/consumer\//.exec(arn)?.[1];
    if (!streamName) throw apiErrors.invalid(`Invalid ConsumerARN ${arn}.`);
    resolved = api.streamByName(streamName);
    match = (c) => c.arn === arn;
  } else if (name !== undefined && input.StreamARN !== undefined) {
    resolved = api.stream(input);
    match = (c) => c.name === name;
  } else {
    throw apiErrors.invalid('Either ConsumerARN or both StreamARN and ConsumerName should be provided.');
  }
  const consumer = resolved.entry.consumers.find(match);
  if (!consumer) throw apiErrors.notFound(`Consumer ${arn ?? name} under stream ${resolved.name} under account ${ACCOUNT_ID} not found.`);
  return { resolved, consumer };
}

const registerStreamConsumer: Operation = {
  fields: { StreamARN: { ...STREAM_ARN, required: true }, ConsumerName: { ...CONSUMER_NAME, required: true }, Tags: TAG_MAP },
  async run(api, input) {
    const resolved = api.stream(input);
    const name = input.ConsumerName as string;
    const consumers = resolved.entry.consumers;
    if (consumers.some((c) => c.name === name)) throw apiErrors.inUse(`Consumer ${name} under stream ${resolved.name} under account ${ACCOUNT_ID} already exists.`);
    if (consumers.length >= MAX_CONSUMERS) throw apiErrors.limit(`Stream ${resolved.name} under account ${ACCOUNT_ID} already has ${MAX_CONSUMERS} consumers.`);
    const createdAt = Date.now();
    const consumer: ConsumerState = {
      name,
      arn: `${api.streamArn(resolved.name)}/consumer/${name}:${Math.floor(createdAt / 1000)}`,
      createdAt,
      tags: { ...((input.Tags as Record<string, string> | undefined) ?? {}) },
    };
    consumers.push(consumer);
    api.markCreating(consumer.arn);
    await api.state.save();
    return { Consumer: consumerShape(api, consumer) };
  },
};

const describeStreamConsumer: Operation = {
  fields: CONSUMER_REF,
  run(api, input) {
    const { resolved, consumer } = findConsumer(api, input);
    return { ConsumerDescription: { ...consumerShape(api, consumer), StreamARN: api.streamArn(resolved.name) } };
  },
};

const listStreamConsumers: Operation = {
  fields: {
    StreamARN: { ...STREAM_ARN, required: true },
    NextToken: NEXT_TOKEN,
    MaxResults: { type: 'integer', min: 1, max: 10000 },
    StreamCreationTimestamp: { type: 'timestamp' },
  },
  run(api, input) {
    const resolved = api.stream(input);
    const after = input.NextToken !== undefined ? api.signer.decodeToken<{ after: string }>('ListStreamConsumers', input.NextToken as string, api.clock()).after : undefined;
    const sorted = [...resolved.entry.consumers].sort((a, b) => (a.name < b.name ? -1 : 1));
    const { items, more } = page(sorted, (c) => c.name, after, (input.MaxResults as number | undefined) ?? 100);
    return {
      Consumers: items.map((c) => consumerShape(api, c)),
      ...(more ? { NextToken: api.signer.encodeToken('ListStreamConsumers', { after: items[items.length - 1]!.name }, api.clock()) } : {}),
    };
  },
};

const deregisterStreamConsumer: Operation = {
  fields: CONSUMER_REF,
  async run(api, input) {
    const { resolved, consumer } = findConsumer(api, input);
    resolved.entry.consumers = resolved.entry.consumers.filter((c) => c !== consumer);
    endSubscriptions(api, `${consumer.arn} `);
    await api.state.save();
    return EMPTY;
  },
};

export const consumerOperations: [string, Operation][] = [
  ['RegisterStreamConsumer', registerStreamConsumer],
  ['DescribeStreamConsumer', describeStreamConsumer],
  ['ListStreamConsumers', listStreamConsumers],
  ['DeregisterStreamConsumer', deregisterStreamConsumer],
];
