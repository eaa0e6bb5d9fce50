/**
 * A delivery stream's one destination, whichever shape configured it: S3 (plain or extended, maybe
 * with Parquet conversion) or an HTTP endpoint (or a DuckDB table riding that shape). The request's
 * own configuration is kept next to the parsed form, so UpdateDestination can merge into it as
 * Firehose does (fields left out keep their values) and parse the result again.
 */

import { apiErrors } from '../../ingest/api/index.js';
import { validate, type Input, type Spec } from '../../ingest/api/validation.js';
import {
  EXTENDED_S3_DESTINATION_SPEC,
  EXTENDED_S3_DESTINATION_UPDATE_SPEC,
  S3_DESTINATION_SPEC,
  S3_DESTINATION_UPDATE_SPEC,
  describeS3Destination,
  parseS3,
  s3Fields,
  type S3Destination,
} from './destination-config.js';
import { HTTP_DESTINATION_SPEC, HTTP_DESTINATION_UPDATE_SPEC, describeHttpDestination, parseHttpDestination, type HttpDestination } from './http-destination-config.js';

export type Destination = S3Destination | HttpDestination;

/** `{ <ConfigurationKey>: <configuration as validated> }`: exactly one key. */
export type DestinationConfig = Readonly<Record<string, object>>;

export const DESTINATION_SPECS: Readonly<Record<string, Spec>> = {
  S3DestinationConfiguration: S3_DESTINATION_SPEC,
  ExtendedS3DestinationConfiguration: EXTENDED_S3_DESTINATION_SPEC,
  HttpEndpointDestinationConfiguration: HTTP_DESTINATION_SPEC,
};

export const DESTINATION_UPDATE_SPECS: Readonly<Record<string, Spec>> = {
  S3DestinationUpdate: S3_DESTINATION_UPDATE_SPEC,
  ExtendedS3DestinationUpdate: EXTENDED_S3_DESTINATION_UPDATE_SPEC,
  HttpEndpointDestinationUpdate: HTTP_DESTINATION_UPDATE_SPEC,
};

const UPDATE_TO_CONFIG: Readonly<Record<string, string>> = {
  S3DestinationUpdate: 'S3DestinationConfiguration',
  ExtendedS3DestinationUpdate: 'ExtendedS3DestinationConfiguration',
  HttpEndpointDestinationUpdate: 'HttpEndpointDestinationConfiguration',
};

/** The destination configuration a validated CreateDeliveryStream input holds; throws what AWS would. */
export function destinationConfigOf(input: Input): DestinationConfig {
  const given = Object.keys(DESTINATION_SPECS).filter((k) => input[k] !== undefined);
  if (given.length > 1) throw apiErrors.invalid('Only one destination configuration is allowed.');
  const key = given[0];
  if (!key) throw apiErrors.invalid('Destination configuration is required: S3DestinationConfiguration, ExtendedS3DestinationConfiguration or HttpEndpointDestinationConfiguration.');
  return { [key]: input[key] as object };
}

export function parseDestinationConfig(config: DestinationConfig): Destination {
  const [key, value] = Object.entries(config)[0]!;
  if (key === 'HttpEndpointDestinationConfiguration') return parseHttpDestination(value);
  return parseS3(value, key === 'ExtendedS3DestinationConfiguration');
}

/**
 * The configuration after an UpdateDestination input: merged into the current one when the
 * destination keeps its type (S3 and extended S3 count as one), replaced (and then complete, or
 * rejected as CreateDeliveryStream would) when it changes.
 */
export function updatedConfig(current: DestinationConfig, input: Input): DestinationConfig {
  const given = Object.keys(DESTINATION_UPDATE_SPECS).filter((k) => input[k] !== undefined);
  if (given.length !== 1) throw apiErrors.invalid('Exactly one destination update is required: S3DestinationUpdate, ExtendedS3DestinationUpdate or HttpEndpointDestinationUpdate.');
  const updateKey = given[0]!;
  let update = input[updateKey] as Input;
  let key = UPDATE_TO_CONFIG[updateKey]!;
  if (updateKey === 'HttpEndpointDestinationUpdate' && update['S3Update'] !== undefined) {
    const { S3Update, ...rest } = update;
    update = { ...rest, S3Configuration: S3Update };
  }
  const [currentKey, currentValue] = Object.entries(current)[0]!;
  const s3Family = (k: string): boolean => k !== 'HttpEndpointDestinationConfiguration';
  const sameType = s3Family(key) === s3Family(currentKey);
  // An S3DestinationUpdate on an extended destination keeps it extended.
  if (sameType && key === 'S3DestinationConfiguration' && currentKey === 'ExtendedS3DestinationConfiguration') key = currentKey;
  const merged = sameType ? deepMerge(currentValue as Input, update) : update;
  return { [key]: validate({ [key]: merged }, { [key]: { ...DESTINATION_SPECS[key]!, required: true } })[key] as object };
}

function deepMerge(base: Input, update: Input): Input {
  const out: Input = { ...base };
  for (const [k, v] of Object.entries(update)) {
    const b = base[k];
    const mergeable = (x: unknown): x is Input => typeof x === 'object' && x !== null && !Array.isArray(x);
    out[k] = mergeable(b) && mergeable(v) ? deepMerge(b, v) : v;
  }
  return out;
}

/** The configuration of a stream.json written before configurations were kept (S3 only). */
export function legacyConfig(d: S3Destination): DestinationConfig {
  return {
    [d.extended ? 'ExtendedS3DestinationConfiguration' : 'S3DestinationConfiguration']: {
      ...s3Fields(d),
      ...(d.appendDelimiter ? { ProcessingConfiguration: { Enabled: true, Processors: [{ Type: 'AppendDelimiterToRecord' }] } } : {}),
    },
  };
}

export function describeDestination(d: Destination): object {
  return d.kind === 'http' ? describeHttpDestination(d) : describeS3Destination(d);
}

/** The buffering hints in force, whichever destination type holds them. */
export function bufferingOf(d: Destination): { maxBytes: number; intervalMs: number } {
  return { maxBytes: d.sizeInMBs * 1024 * 1024, intervalMs: d.intervalInSeconds * 1000 };
}
