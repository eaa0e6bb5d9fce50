import { compareValues } from '../kernels/sort-order.js';

/**
 * MIN or MAX over a frame that slides forward (rows leave in the order they came): a deque of the
 * values that can still become the extreme, each with its row's sequence number. A value that a
 * later, better one dominates can never be the answer again, so it is dropped on arrival; the
 * front is the answer, and it leaves when its row leaves the frame. Amortized O(1) per row.
 */
export class MonotonicDeque {
  vals: unknown[] = [];
  seqs: number[] = [];
  head = 0;
  constructor(private readonly max: boolean) {}

  push(seq: number, value: unknown): void {
    if (value === null || value === undefined) return;
    const { vals, seqs } = this;
    // Equal values stay, so each row's own entry is still there when it leaves.
    while (vals.length > this.head) {
      const c = compareValues(vals[vals.length - 1], value);
      if (this.max ? c >= 0 : c <= 0) break;
      vals.pop();
      seqs.pop();
    }
    vals.push(value);
    seqs.push(seq);
  }

  /** The row with sequence number `seq` left the frame (rows leave oldest first). */
  evict(seq: number): void {
    if (this.head < this.seqs.length && this.seqs[this.head] === seq) {
      this.head++;
      if (this.head > 8 && this.head * 2 > this.seqs.length) {
        this.vals.splice(0, this.head);
        this.seqs.splice(0, this.head);
        this.head = 0;
      }
    }
  }

  front(): unknown {
    return this.head < this.vals.length ? this.vals[this.head] : null;
  }

  state(): [unknown[], number[]] {
    return [this.vals.slice(this.head), this.seqs.slice(this.head)];
  }

  restore([vals, seqs]: [unknown[], number[]]): void {
    this.vals = vals;
    this.seqs = seqs;
    this.head = 0;
  }
}
