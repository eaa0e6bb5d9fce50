/** DescribeApplication's ApplicationDetail and ListApplications' ApplicationSummary, from an application's record and status. */

import { engineJoins } from './engine-joins.js';
import { inAppStreamNames, type ApplicationRecord, type ApplicationStatus } from './application.js';

export function applicationSummary(app: ApplicationRecord, status: ApplicationStatus): object {
  return { ApplicationName: app.name, ApplicationARN: app.arn, ApplicationStatus: status };
}

/**
 * The ApplicationDetail. A reference data source also carries `SluiceNote` (outside the service
 * model, so SDKs drop it; raw JSON and the dashboard show it): what the table holds and what the
 * engine can do with it.
 */
export function applicationDetail(app: ApplicationRecord, status: ApplicationStatus, referenceNotes: ReadonlyMap<string, string> = new Map()): object {
  return {
    ApplicationName: app.name,
    ...(app.description !== undefined ? { ApplicationDescription: app.description } : {}),
    ApplicationARN: app.arn,
    ApplicationStatus: status,
    CreateTimestamp: app.createdAt / 1000,
    ...(app.updatedAt !== undefined ? { LastUpdateTimestamp: app.updatedAt / 1000 } : {}),
    InputDescriptions: app.inputs.map((i) => ({
      InputId: i.id,
      NamePrefix: i.namePrefix,
      InAppStreamNames: inAppStreamNames(i),
      KinesisStreamsInputDescription: { ResourceARN: i.resourceArn, RoleARN: i.roleArn },
      InputSchema: i.schema,
      InputParallelism: { Count: i.parallelism },
      ...(i.startingPosition ? { InputStartingPositionConfiguration: { InputStartingPosition: i.startingPosition } } : {}),
    })),
    OutputDescriptions: app.outputs.map((o) => ({
      OutputId: o.id,
      Name: o.name,
      ...(o.kind === 'kinesis'
        ? { KinesisStreamsOutputDescription: { ResourceARN: o.resourceArn, RoleARN: o.roleArn } }
        : { KinesisFirehoseOutputDescription: { ResourceARN: o.resourceArn, RoleARN: o.roleArn } }),
      DestinationSchema: { RecordFormatType: o.format },
    })),
    ReferenceDataSourceDescriptions: app.references.map((r) => ({
      ReferenceId: r.id,
      TableName: r.tableName,
      S3ReferenceDataSourceDescription: { BucketARN: r.bucketArn, FileKey: r.fileKey, ReferenceRoleARN: r.roleArn },
      ReferenceSchema: r.schema,
      SluiceNote: referenceNotes.get(r.id) ?? referenceNote(r.tableName),
    })),
    CloudWatchLoggingOptionDescriptions: app.logging.map((l) => ({ CloudWatchLoggingOptionId: l.id, LogStreamARN: l.logStreamArn, RoleARN: l.roleArn })),
    ApplicationCode: app.code,
    ApplicationVersionId: app.versionId,
  };
}

/** What a reference table is in Sluice: a stream of the S3 object's rows, and whether the engine can join it. */
export function referenceNote(table: string, rows?: number): string {
  const loaded = rows === undefined ? `loaded from the S3 object when the application starts` : `loaded with ${rows} rows from the S3 object`;
  const join = engineJoins() ? 'the application code can join a stream with it' : "joining a stream with it needs the engine's join support, which this Sluice does not have yet";
  return `${table} is an in-application stream ${loaded}; ${join}`;
}
