/**
 * The exactly-once side of a query's output (sluice start --data --app): rows wait in memory until
 * the next checkpoint, which stages them durably and hidden (preCommit); once the checkpoint file
 * is on disk they are made visible (commit). Past `spillBytes`, held rows are staged early, under
 * the checkpoint that will come next. After a crash, recover(n) commits what checkpoint n covered
 * and deletes what was staged after it: the application replays those rows from n's positions.
 */

import type { CheckpointedSink } from './sink.js';

/** Where a transactional sink's pieces go, and how they become visible. */
export interface Committer {
  /** Writes one piece of checkpoint `id`, durable and hidden from readers. */
  stage(id: number, records: readonly Uint8Array[]): Promise<void>;
  /** Makes every staged piece of checkpoints up to `id` visible, in staging order, once. */
  commit(id: number): Promise<void>;
  /** After a restart from checkpoint `id`: commits staged pieces it covers that are not yet visible, deletes the later ones. */
  recover(id: number): Promise<void>;
  close(): Promise<void>;
}

export class TransactionalSink implements CheckpointedSink {
  private held: Uint8Array[] = [];
  private heldBytes = 0;
  /** The checkpoint that rows written now will belong to. */
  private next = 1;
  /** Writes and stagings, one at a time: a piece that fails to stage goes back in front, in order. */
  private queue: Promise<unknown> = Promise.resolve();
  private commits: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly committer: Committer,
    private readonly spillBytes: number,
  ) {}

  write(records: readonly Uint8Array[]): Promise<void> {
    return this.serially(async () => {
      for (const r of records) {
        this.held.push(r);
        this.heldBytes += r.length;
      }
      if (this.heldBytes >= this.spillBytes) await this.stage(this.next);
    });
  }

  preCommit(id: number): Promise<void> {
    return this.serially(async () => {
      await this.stage(id);
      this.next = Math.max(this.next, id + 1);
    });
  }

  commit(id: number): Promise<void> {
    const run = this.commits.then(() => this.committer.commit(id));
    this.commits = run.catch(() => undefined);
    return run;
  }

  recover(id: number): Promise<void> {
    return this.serially(async () => {
      await this.commits;
      await this.committer.recover(id);
      this.next = id + 1;
    });
  }

  /** Drops rows no checkpoint has covered (a restart replays them) and lets go of the target. */
  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    await this.commits;
    this.held = [];
    this.heldBytes = 0;
    await this.committer.close();
  }

  private async stage(id: number): Promise<void> {
    if (this.held.length === 0) return;
    const records = this.held;
    const bytes = this.heldBytes;
    this.held = [];
    this.heldBytes = 0;
    try {
      await this.committer.stage(id, records);
    } catch (e) {
      this.held = records.concat(this.held);
      this.heldBytes += bytes;
      throw e;
    }
  }

  private serially<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
