/**
 * Server-side encryption: StartStreamEncryption and StopStreamEncryption. KeyIds resolve in the
 * log's keyring, the local stand-in for KMS (log/keyring.ts). As on AWS the call returns at once
 * and the stream is UPDATING while its shards switch; records appended once it is ACTIVE again
 * are stored encrypted (or, after a stop, plain), and records already stored stay as they are.
 */

import { ACCOUNT_ID, apiErrors } from '../errors.js';
import type { KinesisApi, Operation, ResolvedStream } from '../kinesis-api.js';
import { STREAM_REF, type Fields, type Input } from '../validation.js';
import { EMPTY } from './stream-ops.js';

const FIELDS: Fields = {
  ...STREAM_REF,
  EncryptionType: { type: 'string', required: true, values: ['KMS', 'NONE'] },
  KeyId: { type: 'string', required: true, min: 1, max: 2048 },
};
/** AWS lets a stream take a new key 25 times in a rolling 24 hours. */
const KEY_APPLICATIONS_PER_DAY = 25;
const DAY_MS = 24 * 3_600_000;

/** The stream, once the request is one AWS would act on. */
function target(api: KinesisApi, input: Input, operation: string): ResolvedStream {
  const resolved = api.stream(input);
  if (input.EncryptionType !== 'KMS') {
    throw apiErrors.invalid(`${operation} for stream ${resolved.name} under account ${ACCOUNT_ID} failed: the only valid EncryptionType is KMS.`);
  }
  const status = api.status(resolved.name, resolved.stream);
  if (status !== 'ACTIVE') throw apiErrors.inUse(`Stream ${resolved.name} under account ${ACCOUNT_ID} not ACTIVE, instead in state ${status}`);
  return resolved;
}

const startStreamEncryption: Operation = {
  fields: FIELDS,
  async run(api, input) {
    const resolved = target(api, input, 'StartStreamEncryption');
    const keyId = input.KeyId as string;
    const now = api.clock();
    const recent = (resolved.entry.keyApplications ?? []).filter((at) => at > now - DAY_MS);
    if (recent.length >= KEY_APPLICATIONS_PER_DAY) {
      throw apiErrors.limit(
        `Stream ${resolved.name} under account ${ACCOUNT_ID} has had a new KMS key applied ${KEY_APPLICATIONS_PER_DAY} times in the last 24 hours, the most allowed.`,
      );
    }
    // An unknown KeyId is answered now; only the switch itself runs after the response.
    await api.store.keyring.resolve(keyId);
    resolved.entry.keyApplications = [...recent, now];
    await api.state.save();
    api.inBackground(resolved.name, () => resolved.stream.startEncryption(keyId));
    return EMPTY;
  },
};

const stopStreamEncryption: Operation = {
  fields: FIELDS,
  run(api, input) {
    const resolved = target(api, input, 'StopStreamEncryption');
    api.inBackground(resolved.name, () => resolved.stream.stopEncryption());
    return EMPTY;
  },
};

export const encryptionOperations: [string, Operation][] = [
  ['StartStreamEncryption', startStreamEncryption],
  ['StopStreamEncryption', stopStreamEncryption],
];
