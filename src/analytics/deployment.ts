/**
 * One application and its lifecycle: READY, STARTING, RUNNING, STOPPING, UPDATING, DELETING.
 * Starting builds the engine while the request waits (so a configuration the engine refuses is
 * the request's error), then restores and starts reading in the background; stopping, deleting
 * and restarting after a configuration change (UPDATING) also finish in the background. One
 * transition runs at a time: the operations that would begin another answer ResourceInUseException.
 */

import { ApiError, apiErrors } from '../ingest/api/index.js';
import type { SourcePosition } from '../runtime/sources/log-source.js';
import type { ApplicationRecord, ApplicationStatus, StartingPosition, Tag } from './application.js';
import { ApplicationRunner, type RunnerContext } from './application-runner.js';
import { scriptDigest } from './application-script.js';
import type { ApplicationStore } from './application-store.js';
import { applicationDetail, referenceNote } from './describe-application.js';

type InputConfiguration = { Id: string; InputStartingPositionConfiguration: { InputStartingPosition?: string } };

/** How many of an application's latest notices are kept (the dashboard shows them). */
const NOTICES = 50;

export class Deployment {
  status: ApplicationStatus;
  runner: ApplicationRunner | null = null;
  readonly notices: { readonly at: number; readonly message: string }[] = [];
  /** Without a data directory: where each input stream stopped, for LAST_STOPPED_POINT. */
  private stoppedAt = new Map<string, SourcePosition>();
  private transition: Promise<void> = Promise.resolve();
  private readonly ctx: RunnerContext;

  constructor(
    public record: ApplicationRecord,
    private readonly store: ApplicationStore,
    ctx: RunnerContext,
    private readonly onDeleted: (name: string) => void,
  ) {
    this.status = 'READY';
    this.ctx = { ...ctx, notice: (message) => this.notice(message) };
  }

  describe(): object {
    const rows = this.runner?.referenceRows;
    const notes = new Map(this.record.references.map((r) => [r.id, referenceNote(r.tableName, rows?.get(r.id))]));
    return applicationDetail(this.record, this.status, notes);
  }

  /** A configuration change may begin: the application is READY or RUNNING and the version is the current one. */
  checkChangeable(version: number): void {
    this.checkStatus('READY', 'RUNNING');
    if (version !== this.record.versionId) {
      throw new ApiError('ConcurrentModificationException', `Application ${this.record.name} is at version ${this.record.versionId}, not ${version} (CurrentApplicationVersionId); describe it for the current version.`);
    }
  }

  /** Keeps the next version; a RUNNING application restarts on it from where it is (UPDATING). */
  async reconfigure(next: ApplicationRecord): Promise<void> {
    await this.store.save(next);
    this.record = next;
    if (this.status !== 'RUNNING') return;
    this.status = 'UPDATING';
    this.transition = this.transition.then(async () => {
      await this.stopRunner();
      await this.launch(new Map(next.inputs.map((i) => [i.id, 'LAST_STOPPED_POINT'])), 'RUNNING');
    });
  }

  async start(configurations: readonly InputConfiguration[]): Promise<object> {
    this.checkStatus('READY');
    const positions = new Map<string, StartingPosition>();
    for (const c of configurations) {
      if (!this.record.inputs.some((i) => i.id === c.Id)) throw apiErrors.invalid(`Application ${this.record.name} has no input ${c.Id}.`);
      positions.set(c.Id, (c.InputStartingPositionConfiguration.InputStartingPosition as StartingPosition | undefined) ?? 'NOW');
    }
    // An input not named keeps its place, or starts at NOW if it has none yet.
    for (const i of this.record.inputs) if (!positions.has(i.id)) positions.set(i.id, i.startingPosition ? 'LAST_STOPPED_POINT' : 'NOW');
    const runner = await this.build(positions);
    const inputs = this.record.inputs.map((i) => ({ ...i, startingPosition: positions.get(i.id)! }));
    await this.save({ ...this.record, inputs, running: true, checkpointScript: scriptDigest(this.record) });
    this.status = 'STARTING';
    this.transition = this.run(runner);
    return {};
  }

  async stop(): Promise<object> {
    this.checkStatus('RUNNING');
    this.status = 'STOPPING';
    await this.save({ ...this.record, running: false });
    this.transition = this.transition.then(async () => {
      await this.stopRunner();
      this.status = 'READY';
    });
    return {};
  }

  /** Halts the application and forgets it (in the background; it shows DELETING until then). */
  delete(): void {
    this.checkStatus('READY', 'RUNNING');
    this.status = 'DELETING';
    this.transition = this.transition.then(async () => {
      await this.stopRunner();
      await this.store.remove(this.record.name);
      this.onDeleted(this.record.name);
    });
  }

  /** After a restart of Sluice: a RUNNING application starts again from its checkpoint. */
  resume(): void {
    this.status = 'STARTING';
    this.transition = this.launch(new Map(this.record.inputs.map((i) => [i.id, 'LAST_STOPPED_POINT'])), 'RUNNING');
  }

  /** Sluice is stopping: the engine stops (and checkpoints) but the application stays RUNNING for the next start. */
  async shutdown(): Promise<void> {
    await this.transition.catch(() => undefined);
    await this.stopRunner();
  }

  async saveTags(tags: Tag[]): Promise<void> {
    await this.save({ ...this.record, tags });
  }

  /** Settles once the current transition has (tests wait on it). */
  settled(): Promise<void> {
    return this.transition.catch(() => undefined);
  }

  private async launch(positions: Map<string, StartingPosition>, then: ApplicationStatus): Promise<void> {
    try {
      const runner = await this.build(positions);
      await this.save({ ...this.record, checkpointScript: scriptDigest(this.record) });
      await this.run(runner);
      this.status = then;
    } catch (e) {
      await this.failed(e);
    }
  }

  private build(positions: Map<string, StartingPosition>): Promise<ApplicationRunner> {
    const checkpointDir = this.store.checkpointDir(this.record.name);
    return ApplicationRunner.build(this.record, { positions, checkpointDir, ...(checkpointDir === null ? { stoppedAt: this.stoppedAt } : {}) }, this.ctx);
  }

  private async run(runner: ApplicationRunner): Promise<void> {
    this.runner = runner;
    try {
      await runner.run();
      this.status = 'RUNNING';
    } catch (e) {
      await this.failed(e);
    }
  }

  /** A start that failed leaves the application READY, with the reason among its notices. */
  private async failed(e: unknown): Promise<void> {
    this.notice(`could not start: ${(e as Error).message}`);
    await this.stopRunner().catch(() => undefined);
    await this.save({ ...this.record, running: false }).catch(() => undefined);
    this.status = 'READY';
  }

  private async stopRunner(): Promise<void> {
    const runner = this.runner;
    if (!runner) return;
    this.runner = null;
    await runner.stop();
    this.stoppedAt = runner.positions();
  }

  private async save(next: ApplicationRecord): Promise<void> {
    await this.store.save(next);
    this.record = next;
  }

  private checkStatus(...allowed: ApplicationStatus[]): void {
    if (!allowed.includes(this.status)) {
      throw apiErrors.inUse(`Application ${this.record.name} is ${this.status}; this operation needs it ${allowed.join(' or ')}.`);
    }
  }

  private notice(message: string): void {
    this.notices.push({ at: Date.now(), message });
    if (this.notices.length > NOTICES) this.notices.shift();
  }
}
