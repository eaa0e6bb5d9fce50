/**
 * A Kinesis Analytics application as Sluice keeps it: its configuration (inputs, outputs,
 * reference data, logging options, tags), its version and whether it should be running, in one
 * JSON document per application. Statuses in between (STARTING, STOPPING, UPDATING, DELETING) live
 * only in memory: after a restart an application is READY or RUNNING, as it was last asked to be.
 */

import type { SourceSchema } from './record-mapper.js';

export type ApplicationStatus = 'DELETING' | 'STARTING' | 'STOPPING' | 'READY' | 'RUNNING' | 'UPDATING';
export type StartingPosition = 'NOW' | 'TRIM_HORIZON' | 'LAST_STOPPED_POINT';
export type RecordFormatType = 'JSON' | 'CSV';

export interface Tag {
  readonly Key: string;
  readonly Value?: string;
}

export interface InputConfig {
  readonly id: string;
  readonly namePrefix: string;
  /** The stream of this Sluice's log that KinesisStreamsInput names. */
  readonly stream: string;
  readonly resourceArn: string;
  readonly roleArn: string;
  readonly parallelism: number;
  readonly schema: SourceSchema;
  /** The position the application last started from. */
  readonly startingPosition?: StartingPosition;
}

export interface OutputConfig {
  readonly id: string;
  /** The in-application stream delivered. */
  readonly name: string;
  readonly kind: 'kinesis' | 'firehose';
  /** The Kinesis stream or Firehose delivery stream of this Sluice. */
  readonly target: string;
  readonly resourceArn: string;
  readonly roleArn: string;
  readonly format: RecordFormatType;
}

export interface ReferenceConfig {
  readonly id: string;
  readonly tableName: string;
  readonly bucketArn: string;
  readonly bucket: string;
  readonly fileKey: string;
  readonly roleArn: string;
  readonly schema: SourceSchema;
}

export interface LoggingOption {
  readonly id: string;
  readonly logStreamArn: string;
  readonly roleArn: string;
}

export interface ApplicationRecord {
  readonly name: string;
  readonly arn: string;
  readonly description?: string;
  readonly code: string;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  readonly updatedAt?: number;
  readonly versionId: number;
  readonly inputs: readonly InputConfig[];
  readonly outputs: readonly OutputConfig[];
  readonly references: readonly ReferenceConfig[];
  readonly logging: readonly LoggingOption[];
  readonly tags: readonly Tag[];
  /** The last id handed out to an input, output, reference data source or logging option. */
  readonly lastId: number;
  /** Whether the application should run (it starts again from its checkpoint after a restart). */
  readonly running: boolean;
  /** A digest of the SQL the checkpoint's query state belongs to (another script starts its queries afresh). */
  readonly checkpointScript?: string;
}

/** KDA's ids look like "1.1", "2.1": a counter and the configuration's version. */
export function nextId(app: ApplicationRecord): { id: string; lastId: number } {
  const lastId = app.lastId + 1;
  return { id: `${lastId}.1`, lastId };
}

/** The in-application streams an input feeds: NamePrefix_001 to NamePrefix_00N (InputParallelism N). */
export function inAppStreamNames(input: InputConfig): string[] {
  return Array.from({ length: input.parallelism }, (_, i) => `${input.namePrefix}_${String(i + 1).padStart(3, '0')}`);
}
