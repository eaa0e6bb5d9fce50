/**
 * The Kinesis Analytics API (v1, `KinesisAnalytics_20150814.<Operation>`, AWS JSON 1.1) over
 * SQL applications that run on this Sluice's engine, without HTTP: src/server mounts it on the
 * one port. Applications are kept in the data directory and come back after a restart in the
 * state they were in (a RUNNING one resumes from its checkpoint).
 */

import { ACCOUNT_ID, ApiError, apiErrors, type Authorize } from '../ingest/api/index.js';
import { validate, type Input } from '../ingest/api/validation.js';
import type { LogStore } from '../ingest/index.js';
import type { FirehoseApi } from '../sinks/firehose/index.js';
import { AllowedPaths } from '../storage/allowed-paths.js';
import { nextId, type ApplicationRecord, type ApplicationStatus, type InputConfig, type Tag } from './application.js';
import { bindingChanged, CHANGE_OPERATIONS, changedRecord } from './application-changes.js';
import { checkNames, inputFrom, loggingFrom, outputFrom, type ConfigContext } from './application-config.js';
import type { RunnerContext } from './application-runner.js';
import { checkCode } from './application-script.js';
import { ApplicationStore } from './application-store.js';
import { applicationOfArn, withoutTags, withTags } from './application-tags.js';
import { LIMITS, SPECS } from './analytics-specs.js';
import { applicationSummary } from './describe-application.js';
import { discoverInputSchema } from './discover-input.js';
import { Deployment } from './deployment.js';
import { objectReader } from './s3-objects.js';

export const ANALYTICS_TARGET_PREFIX = 'KinesisAnalytics_20150814.';

export interface AnalyticsApiOptions {
  /** `<dataDir>/analytics/<name>/` keeps each application; null keeps them in memory. */
  readonly dataDir: string | null;
  readonly log: LogStore;
  readonly firehose: FirehoseApi;
  readonly region?: string;
  /** Folders besides the data directory that file and DuckDB sinks in application code may write to. */
  readonly allowPaths?: readonly string[];
  readonly allowPrivateEndpoints?: boolean;
  /** How often running applications checkpoint (default 5 s). */
  readonly checkpointIntervalMs?: number;
  /** How long DiscoverInputSchema waits for records from NOW (default 2 s). */
  readonly discoveryWaitMs?: number;
}

/** Operations that name no application: their resource is the account (IAM `*`). */
const ACCOUNT_LEVEL = new Set(['ListApplications', 'DiscoverInputSchema']);
const TAG_OPERATIONS = new Set(['TagResource', 'UntagResource', 'ListTagsForResource']);

export class AnalyticsApi {
  private readonly apps = new Map<string, Deployment>();
  private readonly store: ApplicationStore;
  private readonly region: string;
  private readonly config: ConfigContext;
  private readonly runner: RunnerContext;
  private changes: Promise<unknown> = Promise.resolve();
  private closing: Promise<void> | undefined;

  private constructor(private readonly options: AnalyticsApiOptions) {
    this.store = new ApplicationStore(options.dataDir);
    this.region = options.region ?? 'us-east-1';
    this.config = {
      log: options.log,
      deliveryStreamExists: (name) => options.firehose.call('DescribeDeliveryStream', { DeliveryStreamName: name }).then(() => true, () => false),
    };
    this.runner = {
      log: options.log,
      firehose: options.firehose,
      files: new AllowedPaths(options.dataDir, options.allowPaths ?? []),
      allowPrivateEndpoints: options.allowPrivateEndpoints ?? false,
      readObject: objectReader(options.dataDir, options.firehose),
      checkpointIntervalMs: options.checkpointIntervalMs ?? 5000,
      notice: () => {},
    };
  }

  /** Opens the API; applications that were RUNNING start again from their checkpoints. */
  static async open(options: AnalyticsApiOptions): Promise<AnalyticsApi> {
    const api = new AnalyticsApi(options);
    for (const record of await api.store.load()) {
      const app = api.deployment(record);
      api.apps.set(record.name, app);
      if (record.running) app.resume();
    }
    return api;
  }

  has(operation: string): boolean {
    return Object.hasOwn(SPECS, operation);
  }

  /** Runs one operation once `authorize` (if given) accepts the application's ARN. */
  async call(operation: string, body: unknown, authorize?: Authorize): Promise<object> {
    if (!this.has(operation)) throw apiErrors.unknownOperation(operation);
    const input = validate(body, SPECS[operation]!);
    authorize?.(ACCOUNT_LEVEL.has(operation) ? undefined : TAG_OPERATIONS.has(operation) ? (input['ResourceARN'] as string) : this.arn(input['ApplicationName'] as string));
    if (this.closing) throw apiErrors.unavailable('Sluice is shutting down.');
    if (CHANGE_OPERATIONS.has(operation)) return this.serially(() => this.change(operation, input));
    switch (operation) {
      case 'CreateApplication':
        return this.serially(() => this.create(input));
      case 'DescribeApplication':
        return { ApplicationDetail: this.app(input['ApplicationName'] as string).describe() };
      case 'ListApplications':
        return this.list(input);
      case 'DeleteApplication':
        return this.serially(() => this.delete(input));
      case 'StartApplication':
        return this.serially(() => this.app(input['ApplicationName'] as string).start(input['InputConfigurations'] as { Id: string; InputStartingPositionConfiguration: { InputStartingPosition?: string } }[]));
      case 'StopApplication':
        return this.serially(() => this.app(input['ApplicationName'] as string).stop());
      case 'DiscoverInputSchema':
        return discoverInputSchema(input, { log: this.options.log, readObject: this.runner.readObject, waitMs: this.options.discoveryWaitMs ?? 2000 });
      case 'TagResource':
        return this.serially(() => this.retag(input, (app) => withTags(app.record.name, app.record.tags, input['Tags'] as Tag[])));
      case 'UntagResource':
        return this.serially(() => this.retag(input, (app) => withoutTags(app.record.tags, input['TagKeys'] as string[])));
      default:
        return { Tags: this.tagged(input['ResourceARN'] as string).record.tags };
    }
  }

  /** Stops every running application (each takes its last checkpoint); they resume when the API opens again. */
  close(): Promise<void> {
    this.closing ??= this.changes.catch(() => undefined).then(() => Promise.all([...this.apps.values()].map((a) => a.shutdown()))).then(() => undefined);
    return this.closing;
  }

  arn(name: string): string {
    return `arn:aws:kinesisanalytics:${this.region}:${ACCOUNT_ID}:application/${name}`;
  }

  /** Every application with its status and what its engine runs, for the dashboard. */
  deployments(): readonly Deployment[] {
    return [...this.apps.values()];
  }

  private deployment(record: ApplicationRecord): Deployment {
    return new Deployment(record, this.store, this.runner, (name) => this.apps.delete(name));
  }

  private async create(input: Input): Promise<object> {
    const name = input['ApplicationName'] as string;
    if (this.apps.has(name)) throw apiErrors.inUse(`Application ${name} already exists under account ${ACCOUNT_ID}.`);
    if (this.apps.size >= LIMITS.applications) throw apiErrors.limit(`Account ${ACCOUNT_ID} already has ${this.apps.size} applications, the most it can have.`);
    const given = { inputs: (input['Inputs'] as Input[] | undefined) ?? [], outputs: (input['Outputs'] as Input[] | undefined) ?? [] };
    if (given.inputs.length > LIMITS.inputs) throw apiErrors.invalid(`An application reads at most ${LIMITS.inputs} streaming source; ${given.inputs.length} were given.`);
    if (given.outputs.length > LIMITS.outputs) throw apiErrors.invalid(`An application has at most ${LIMITS.outputs} destinations; ${given.outputs.length} were given.`);
    let record: ApplicationRecord = {
      name,
      arn: this.arn(name),
      ...(input['ApplicationDescription'] !== undefined ? { description: input['ApplicationDescription'] as string } : {}),
      code: (input['ApplicationCode'] as string | undefined) ?? '',
      createdAt: Date.now(),
      versionId: 1,
      inputs: [],
      outputs: [],
      references: [],
      logging: [],
      tags: input['Tags'] ? withTags(name, [], input['Tags'] as Tag[]) : [],
      lastId: 0,
      running: false,
    };
    const inputs: InputConfig[] = [];
    for (const i of given.inputs) {
      const { id, lastId } = nextId(record);
      inputs.push(inputFrom(i, id, this.config));
      record = { ...record, lastId };
    }
    const outputs = [];
    for (const o of given.outputs) {
      const { id, lastId } = nextId(record);
      outputs.push(await outputFrom(o, id, this.config));
      record = { ...record, lastId };
    }
    const logging = [];
    for (const l of (input['CloudWatchLoggingOptions'] as Input[] | undefined) ?? []) {
      const { id, lastId } = nextId(record);
      logging.push(loggingFrom(l, id));
      record = { ...record, lastId };
    }
    record = { ...record, inputs, outputs, logging };
    checkNames(record.inputs, record.references);
    await checkCode(record, this.options.log);
    if (this.apps.has(name)) throw apiErrors.inUse(`Application ${name} already exists under account ${ACCOUNT_ID}.`);
    await this.store.save(record);
    this.apps.set(name, this.deployment(record));
    return { ApplicationSummary: applicationSummary(record, 'READY') };
  }

  private list(input: Input): object {
    const limit = (input['Limit'] as number | undefined) ?? 50;
    const after = input['ExclusiveStartApplicationName'] as string | undefined;
    const apps = [...this.apps.values()].sort((a, b) => (a.record.name < b.record.name ? -1 : 1)).filter((a) => after === undefined || a.record.name > after);
    return { ApplicationSummaries: apps.slice(0, limit).map((a) => applicationSummary(a.record, a.status)), HasMoreApplications: apps.length > limit };
  }

  private async change(operation: string, input: Input): Promise<object> {
    const app = this.app(input['ApplicationName'] as string);
    app.checkChangeable(input['CurrentApplicationVersionId'] as number);
    const next = await changedRecord(operation, app.record, input, this.config);
    if (bindingChanged(app.record, next)) await checkCode(next, this.options.log);
    await app.reconfigure(next);
    return {};
  }

  private async delete(input: Input): Promise<object> {
    const app = this.app(input['ApplicationName'] as string);
    const given = input['CreateTimestamp'] as number;
    // The CLI sends whole seconds, the SDKs milliseconds: the second is what must match.
    if (Math.floor(given) !== Math.floor(app.record.createdAt / 1000)) {
      throw new ApiError('ConcurrentModificationException', `CreateTimestamp ${given} does not match application ${app.record.name}, created at ${app.record.createdAt / 1000}; describe the application for its CreateTimestamp.`);
    }
    app.delete();
    return {};
  }

  private async retag(input: Input, tags: (app: Deployment) => Tag[]): Promise<object> {
    const app = this.tagged(input['ResourceARN'] as string);
    await app.saveTags(tags(app));
    return {};
  }

  private tagged(arn: string): Deployment {
    const name = applicationOfArn(arn);
    const app = this.apps.get(name);
    if (!app || app.record.arn !== arn || app.status === 'DELETING') throw apiErrors.notFound(`Application ${arn} not found.`);
    return app;
  }

  private app(name: string): Deployment {
    const app = this.apps.get(name);
    if (!app) throw apiErrors.notFound(`Application ${name} not found under account ${ACCOUNT_ID}.`);
    return app;
  }

  /** Changes one after another: each reads the version (and tags) the last one wrote. */
  private serially<T>(change: () => Promise<T>): Promise<T> {
    const next = this.changes.then(change);
    this.changes = next.catch(() => undefined);
    return next;
  }
}

export type { ApplicationStatus };
