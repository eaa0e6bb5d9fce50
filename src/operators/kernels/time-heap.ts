/**
 * A min-heap of (time, seq) entries, each carrying a value: what to release, in time order and
 * then arrival order, once the watermark passes. Entries that went stale stay until popped; the
 * caller tells them by their seq.
 */
export class TimeHeap<T> {
  private times: number[] = [];
  private seqs: number[] = [];
  private values: T[] = [];

  get size(): number {
    return this.times.length;
  }

  push(time: number, seq: number, value: T): void {
    const { times, seqs, values } = this;
    let j = times.length;
    times.push(time);
    seqs.push(seq);
    values.push(value);
    while (j > 0) {
      const parent = (j - 1) >> 1;
      if (!this.less(j, parent)) break;
      this.swap(j, parent);
      j = parent;
    }
  }

  /** Pops every entry with time <= `upTo`, in (time, seq) order. */
  popUpTo(upTo: number, each: (time: number, seq: number, value: T) => void): void {
    while (this.times.length > 0 && this.times[0]! <= upTo) {
      const [time, seq, value] = [this.times[0]!, this.seqs[0]!, this.values[0]!];
      this.removeTop();
      each(time, seq, value);
    }
  }

  private removeTop(): void {
    const { times, seqs, values } = this;
    const last = times.length - 1;
    this.swap(0, last);
    times.pop();
    seqs.pop();
    values.pop();
    let j = 0;
    for (;;) {
      const l = 2 * j + 1;
      const r = l + 1;
      let m = j;
      if (l < times.length && this.less(l, m)) m = l;
      if (r < times.length && this.less(r, m)) m = r;
      if (m === j) return;
      this.swap(j, m);
      j = m;
    }
  }

  private less(a: number, b: number): boolean {
    const { times, seqs } = this;
    return times[a]! < times[b]! || (times[a] === times[b] && seqs[a]! < seqs[b]!);
  }

  private swap(a: number, b: number): void {
    const { times, seqs, values } = this;
    [times[a], times[b]] = [times[b]!, times[a]!];
    [seqs[a], seqs[b]] = [seqs[b]!, seqs[a]!];
    [values[a], values[b]] = [values[b]!, values[a]!];
  }
}
