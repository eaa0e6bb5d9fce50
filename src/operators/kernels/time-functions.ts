import type { BoundExpr } from '../../planner/bound-expr.js';
import type { Reader } from '../column-batch.js';
import { datePattern, dayOfYear, daysInMonth, utcMillis, DatePatternError, type DateDialect, type DatePattern } from './date-pattern.js';
import { RowError } from './row-error.js';
import { extract } from './scalar-functions.js';

/**
 * Flink's temporal functions. Sluice's session time zone is UTC: TIMESTAMP values are epoch
 * milliseconds and every field, format and parse is in UTC, as Flink with 'table.local-time-zone'
 * = 'UTC'.
 */

const DAY = 86_400_000;
const mod = (x: number, m: number) => ((x % m) + m) % m;
/** Integer division's result, without JavaScript's -0. */
const trunc = (x: number) => Math.trunc(x) + 0;

/** HOUR(ts) and friends, all BIGINT as Flink's EXTRACT. */
export const TIME_FIELDS: Record<string, (ms: number) => number> = {
  YEAR: (ms) => new Date(ms).getUTCFullYear(),
  QUARTER: (ms) => Math.floor(new Date(ms).getUTCMonth() / 3) + 1,
  MONTH: (ms) => new Date(ms).getUTCMonth() + 1,
  WEEK: (ms) => extract('WEEK', ms),
  DAYOFYEAR: dayOfYear,
  DAYOFMONTH: (ms) => new Date(ms).getUTCDate(),
  DAYOFWEEK: (ms) => new Date(ms).getUTCDay() + 1,
  HOUR: (ms) => Math.floor(mod(ms, DAY) / 3_600_000),
  MINUTE: (ms) => Math.floor(mod(ms, 3_600_000) / 60_000),
  SECOND: (ms) => Math.floor(mod(ms, 60_000) / 1000),
};

/** Units of TIMESTAMPADD and TIMESTAMPDIFF, in milliseconds; months, quarters and years count calendar months. */
export const TIMESTAMP_UNITS: Record<string, number> = { SECOND: 1000, MINUTE: 60_000, HOUR: 3_600_000, DAY, WEEK: 7 * DAY, MONTH: -1, QUARTER: -3, YEAR: -12 };

export function addMonths(ms: number, months: number): number {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + months;
  const ty = y + Math.floor(m / 12);
  const tm = mod(m, 12);
  return utcMillis(ty, tm + 1, Math.min(d.getUTCDate(), daysInMonth(ty, tm + 1))) + mod(ms, DAY);
}

/** Whole months from t1 to t2, truncated toward zero, as Calcite's TIMESTAMPDIFF counts them. */
export function monthsBetween(t1: number, t2: number): number {
  if (t2 < t1) return -monthsBetween(t2, t1);
  const a = new Date(t1);
  const b = new Date(t2);
  let m = (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + (b.getUTCMonth() - a.getUTCMonth());
  if (addMonths(t1, m) > t2) m--;
  return m;
}

/** TO_TIMESTAMP's default form: yyyy-M-d, optionally followed by ' H:m:s' and a fraction. */
export function parseDefaultTimestamp(s: string): number | null {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?: (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{0,9}))?)?$/.exec(s.trim());
  if (!m) return null;
  const mo = +m[2]!;
  const h = +(m[4] ?? 0);
  const mi = +(m[5] ?? 0);
  const sec = +(m[6] ?? 0);
  if (mo < 1 || mo > 12 || +m[3]! < 1 || +m[3]! > 31 || h > 23 || mi > 59 || sec > 59) return null;
  return utcMillis(+m[1]!, mo, Math.min(+m[3]!, daysInMonth(+m[1]!, mo)), h, mi, sec, Number((m[7] ?? '').padEnd(3, '0').slice(0, 3)));
}

const DEFAULT_FORMAT = 'yyyy-MM-dd HH:mm:ss';

function compiled(pattern: string, dialect: DateDialect): DatePattern {
  try {
    return datePattern(pattern, dialect);
  } catch (e) {
    throw e instanceof DatePatternError ? new RowError(e.message) : e;
  }
}

/** The pattern argument as a per-row lookup; a literal is compiled once, on first use. */
function patternArg(e: BoundExpr | undefined, r: Reader | undefined, dialect: DateDialect): (i: number) => DatePattern | null {
  if (!e || !r) {
    const p = datePattern(DEFAULT_FORMAT, dialect);
    return () => p;
  }
  if (e.k === 'lit') {
    let p: DatePattern | undefined;
    return () => (e.value === null ? null : (p ??= compiled(String(e.value), dialect)));
  }
  return (i) => {
    const v = r(i);
    return v === null ? null : compiled(String(v), dialect);
  };
}

/** A Reader for a temporal function, or undefined when `fn` is not one. */
export function buildTimeCall(fn: string, args: readonly Reader[], argExprs: readonly BoundExpr[]): Reader | undefined {
  const [a, b, c] = args as [Reader, Reader | undefined, Reader | undefined];
  const field = TIME_FIELDS[fn];
  if (field) return (i) => {
    const t = a(i) as number | null;
    return t === null ? null : field(t);
  };
  switch (fn) {
    case 'CURRENT_TIMESTAMP': case 'NOW': case 'LOCALTIMESTAMP': return () => Date.now();
    case 'DATE_FORMAT': {
      const fromString = argExprs[0]!.type === 'VARCHAR';
      const pattern = patternArg(argExprs[1], b, fromString ? 'simple' : 'java-time');
      const reader = fromString ? datePattern(DEFAULT_FORMAT, 'simple') : null;
      return (i) => {
        const x = a(i);
        if (x === null) return null;
        const p = pattern(i);
        if (p === null) return null;
        const t = reader ? reader.parse(x as string) : (x as number);
        return t === null ? null : p.format(t);
      };
    }
    case 'TO_TIMESTAMP': {
      // KDA's TO_TIMESTAMP(millis BIGINT): epoch milliseconds as a TIMESTAMP.
      if (argExprs[0]!.type !== 'VARCHAR' && argExprs[0]!.type !== 'NULL') return (i) => a(i);
      const pattern = argExprs[1] ? patternArg(argExprs[1], b, 'java-time') : null;
      return (i) => {
        const s = a(i) as string | null;
        if (s === null) return null;
        if (!pattern) return parseDefaultTimestamp(s);
        const p = pattern(i);
        return p === null ? null : (p.parse(s) ?? parseDefaultTimestamp(s));
      };
    }
    case 'UNIX_TIMESTAMP': {
      if (args.length === 0) return () => Math.floor(Date.now() / 1000);
      // KDA's UNIX_TIMESTAMP(ts TIMESTAMP): epoch milliseconds as a BIGINT.
      if (argExprs[0]!.type === 'TIMESTAMP') return (i) => a(i);
      const pattern = patternArg(argExprs[1], b, 'simple');
      return (i) => {
        const s = a(i) as string | null;
        const p = s === null ? null : pattern(i);
        const t = p === null ? null : p.parse(s!);
        return t === null ? null : trunc(t / 1000);
      };
    }
    case 'FROM_UNIXTIME': {
      const pattern = patternArg(argExprs[1], b, 'simple');
      return (i) => {
        const n = a(i) as number | null;
        const p = n === null ? null : pattern(i);
        return p === null ? null : p.format(Math.trunc(n!) * 1000);
      };
    }
    case 'TIMESTAMPADD': {
      const size = TIMESTAMP_UNITS[String((argExprs[0] as { value: unknown }).value)]!;
      return (i) => {
        const n = b!(i) as number | null;
        const t = n === null ? null : (c!(i) as number | null);
        if (t === null) return null;
        return size > 0 ? t + Math.trunc(n!) * size : addMonths(t, Math.trunc(n!) * -size);
      };
    }
    case 'TIMESTAMPDIFF': {
      const size = TIMESTAMP_UNITS[String((argExprs[0] as { value: unknown }).value)]!;
      return (i) => {
        const t1 = b!(i) as number | null;
        const t2 = t1 === null ? null : (c!(i) as number | null);
        if (t2 === null) return null;
        return size > 0 ? trunc((t2 - t1!) / size) : trunc(monthsBetween(t1!, t2) / -size);
      };
    }
    default: return undefined;
  }
}
