import type { JoinKey } from './join-rows.js';

/** One version of a versioned table's row: its values from `time` on, or null once deleted. */
export interface Version {
  readonly time: number;
  readonly row: unknown[] | null;
  readonly rowtime: number;
}

/**
 * A versioned table kept as versions per primary key, each list sorted by version time. A change
 * at a time a key already has replaces that version (the last change at a time wins, as in Flink's
 * TemporalRowTimeJoinOperator). Keys that may have something to purge (more than one version, or
 * only a deletion) are tracked, so purging touches those keys only.
 */
export class VersionHistory {
  private readonly byKey = new Map<JoinKey, Version[]>();
  private readonly purgeable = new Set<JoinKey>();
  size = 0;

  set(key: JoinKey, version: Version): void {
    let list = this.byKey.get(key);
    if (list === undefined) this.byKey.set(key, (list = []));
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.time < version.time) lo = mid + 1;
      else hi = mid;
    }
    if (lo < list.length && list[lo]!.time === version.time) list[lo] = version;
    else {
      list.splice(lo, 0, version);
      this.size++;
    }
    if (list.length > 1 || version.row === null) this.purgeable.add(key);
  }

  /** The version in force at `time`: the latest with version time ≤ time, unless it is a deletion. */
  at(key: JoinKey, time: number): Version | undefined {
    const list = this.byKey.get(key);
    if (list === undefined) return undefined;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.time <= time) lo = mid + 1;
      else hi = mid;
    }
    const v = lo > 0 ? list[lo - 1]! : undefined;
    return v?.row === null ? undefined : v;
  }

  /**
   * Drops what no time ≥ `watermark` can need: of the versions before it only the latest stays,
   * and not even that one when it is a deletion; a key left with nothing goes.
   */
  purge(watermark: number): void {
    for (const key of this.purgeable) {
      const list = this.byKey.get(key)!;
      let before = 0;
      while (before < list.length && list[before]!.time < watermark) before++;
      let drop = Math.max(0, before - 1);
      if (before > 0 && list[before - 1]!.row === null) drop = before;
      if (drop > 0) {
        list.splice(0, drop);
        this.size -= drop;
      }
      if (list.length === 0) this.byKey.delete(key);
      if (list.length === 0 || (list.length === 1 && list[0]!.row !== null)) this.purgeable.delete(key);
    }
  }

  entries(): [JoinKey, Version[]][] {
    return [...this.byKey.entries()];
  }
}
