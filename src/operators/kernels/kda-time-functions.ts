import type { BoundExpr } from '../../planner/bound-expr.js';
import type { Reader } from '../column-batch.js';
import { datePattern, utcMillis, DatePatternError, type DatePattern } from './date-pattern.js';
import { RowError } from './row-error.js';

/**
 * Kinesis Data Analytics' date and time functions, in UTC: the CHAR_TO_* parsers and *_TO_CHAR
 * formatters (format first, SimpleDateFormat patterns), TSDIFF, STEP over numbers and calendar
 * intervals, and the interval-qualified difference `(a - b) MINUTE` with its casts. Sluice has no
 * DATE or TIME type: a DATE is a TIMESTAMP at midnight, a TIME one on 1970-01-01.
 */

const DAY = 86_400_000;
const mod = (x: number, m: number) => ((x % m) + m) % m;

/** Day-time interval fields, largest first, with their length in milliseconds. */
export const INTERVAL_FIELDS: Readonly<Record<string, number>> = { DAY, HOUR: 3_600_000, MINUTE: 60_000, SECOND: 1000 };

function pattern(p: string): DatePattern {
  try {
    return datePattern(p, 'simple');
  } catch (e) {
    throw e instanceof DatePatternError ? new RowError(e.message) : e;
  }
}

/** The format argument (a literal compiles once) as a per-row lookup. */
function formatArg(e: BoundExpr, r: Reader): (i: number) => DatePattern | null {
  if (e.k === 'lit') {
    let p: DatePattern | undefined;
    return () => (e.value === null ? null : (p ??= pattern(String(e.value))));
  }
  return (i) => {
    const v = r(i);
    return v === null ? null : pattern(String(v));
  };
}

/**
 * CHAR_TO_TIMESTAMP's reading: SimpleDateFormat's parse (trailing text ignored), but every field
 * must be in range, as KDA's reference says ('2009-02-30' is an error, not March 2nd).
 */
export function charToTimestamp(p: DatePattern, text: string, source: string): number {
  const t = p.parse(text);
  if (t === null || !inRange(p, text, t)) throw new RowError(`cannot read '${text}' with the format '${source}'`);
  return t;
}

/** Whether the parse did not roll a field over: formatting the result gives back the text's fields. */
function inRange(p: DatePattern, text: string, t: number): boolean {
  const again = p.format(t);
  return text.startsWith(again) || sameNumbers(again, text);
}

/** Compares the numbers of two texts field by field (a pattern's 'M' reads '9' and prints '9' or '09'). */
function sameNumbers(a: string, b: string): boolean {
  const x = a.match(/\d+/g) ?? [];
  const y = b.match(/\d+/g) ?? [];
  return x.every((v, i) => y[i] !== undefined && Number(v) === Number(y[i]));
}

/** STEP(ts BY INTERVAL 'n' MONTH/YEAR): whole months since 1970-01, rounded down to a multiple of n, as a date. */
export function stepMonths(ms: number, months: number): number {
  const d = new Date(ms);
  const since = (d.getUTCFullYear() - 1970) * 12 + d.getUTCMonth();
  const m = Math.floor(since / months) * months;
  return utcMillis(1970 + Math.floor(m / 12), mod(m, 12) + 1, 1);
}

/** The largest multiple of `step` equal to or below `x`, as KDA's reference defines STEP(n BY step). */
export function stepNumber(x: number, step: number): number {
  return Math.floor(x / step) * step;
}

/** A difference truncated toward zero to the qualifier's last field, as `(a - b) HOUR TO MINUTE` is. */
export function qualifyInterval(ms: number, last: string): number {
  const unit = INTERVAL_FIELDS[last]!;
  return unit === 1000 ? ms : Math.trunc(ms / unit) * unit + 0;
}

/** SQL's text of an interval with a qualifier: `+6:11` for MINUTE TO SECOND, `+371` for SECOND, `-2 04` for DAY TO HOUR. */
export function intervalText(ms: number, first: string, last: string): string {
  const names = Object.keys(INTERVAL_FIELDS);
  const from = names.indexOf(first);
  const to = names.indexOf(last);
  let rest = Math.abs(ms);
  let out = ms < 0 ? '-' : '+';
  for (let k = from; k <= to; k++) {
    const size = INTERVAL_FIELDS[names[k]!]!;
    const whole = Math.floor(rest / size);
    rest -= whole * size;
    let text = k === from ? String(whole) : String(whole).padStart(2, '0');
    if (k === to && size === 1000 && rest > 0) text += '.' + String(rest).padStart(3, '0').replace(/0+$/, '');
    out += (k === from ? '' : names[k - 1] === 'DAY' ? ' ' : ':') + text;
  }
  return out;
}

/** A Reader for a KDA date and time function, or undefined when `fn` is not one. */
export function buildKdaTimeCall(fn: string, args: readonly Reader[], argExprs: readonly BoundExpr[]): Reader | undefined {
  const [a, b] = args as [Reader, Reader];
  const strArg = (e: BoundExpr) => String((e as { value: unknown }).value);
  switch (fn) {
    case 'CHAR_TO_TIMESTAMP': case 'CHAR_TO_DATE': case 'CHAR_TO_TIME': {
      const fmt = formatArg(argExprs[0]!, a);
      return (i) => {
        const p = fmt(i);
        const s = p === null ? null : (b(i) as string | null);
        if (s === null) return null;
        const t = charToTimestamp(p!, s, String(a(i)));
        return fn === 'CHAR_TO_DATE' ? t - mod(t, DAY) : fn === 'CHAR_TO_TIME' ? mod(t, DAY) : t;
      };
    }
    case 'TIMESTAMP_TO_CHAR': case 'DATE_TO_CHAR': case 'TIME_TO_CHAR': {
      const fmt = formatArg(argExprs[0]!, a);
      return (i) => {
        const p = fmt(i);
        if (p === null) return null;
        const t = b(i) as number | null;
        // KDA's reference: a NULL timestamp formats as the string 'null'.
        if (t === null) return fn === 'TIMESTAMP_TO_CHAR' ? 'null' : null;
        return p.format(t);
      };
    }
    case 'TSDIFF': return (i) => {
      const start = a(i) as number | null;
      const end = start === null ? null : (b(i) as number | null);
      return end === null ? null : end - start!;
    };
    case 'STEP_NUMBER': {
      const step = Number((argExprs[1] as { value: unknown }).value);
      return (i) => {
        const x = a(i) as number | null;
        return x === null ? null : stepNumber(x, step);
      };
    }
    case 'STEP_MONTHS': {
      const months = Number((argExprs[1] as { value: unknown }).value);
      return (i) => {
        const t = a(i) as number | null;
        return t === null ? null : stepMonths(t, months);
      };
    }
    case 'INTERVAL_QUALIFY': {
      const last = strArg(argExprs[2]!);
      return (i) => {
        const ms = a(i) as number | null;
        return ms === null ? null : qualifyInterval(ms, last);
      };
    }
    case 'INTERVAL_TO_CHAR': {
      const first = strArg(argExprs[1]!);
      const last = strArg(argExprs[2]!);
      return (i) => {
        const ms = a(i) as number | null;
        return ms === null ? null : intervalText(ms, first, last);
      };
    }
    case 'INTERVAL_TO_NUMBER': {
      const unit = INTERVAL_FIELDS[strArg(argExprs[1]!)]!;
      return (i) => {
        const ms = a(i) as number | null;
        return ms === null ? null : Math.trunc(ms / unit) + 0;
      };
    }
    case 'AGG_TIMED': {
      // [value, ROWTIME] for EXP_AVG, FIRST_VALUE and LAST_VALUE; a NULL value is a row only when NULLs are respected.
      const respectNulls = (argExprs[2] as { value: unknown } | undefined)?.value === true;
      return (i) => {
        const v = a(i);
        return v === null && !respectNulls ? null : [v, b(i)];
      };
    }
    case 'CURRENT_ROW_TIMESTAMP': return () => Date.now();
    case 'CURRENT_DATE': return () => Date.now() - mod(Date.now(), DAY);
    case 'CURRENT_TIME': case 'LOCALTIME': return () => mod(Date.now(), DAY);
    case 'EXP': return (i) => {
      const x = a(i) as number | null;
      return x === null ? null : Math.exp(x);
    };
    case 'LN': case 'LOG10': return (i) => {
      const x = a(i) as number | null;
      if (x === null) return null;
      if (x <= 0) throw new RowError(`${fn} of ${x}: the argument must be positive`);
      return fn === 'LN' ? Math.log(x) : Math.log10(x);
    };
    default: return undefined;
  }
}

