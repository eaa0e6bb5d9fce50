/** Scalar SQL functions over JS values; NULL in, NULL out unless SQL says otherwise. */

const UNIT_MS: Record<string, number> = {
  MILLISECOND: 1, SECOND: 1000, MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000, WEEK: 604_800_000,
};

export function floorTime(ms: number, unit: string): number {
  if (unit === 'WEEK') {
    const day = Math.floor(ms / 86_400_000);
    const monday = day - ((day + 3) % 7);
    return monday * 86_400_000;
  }
  if (unit === 'MONTH' || unit === 'YEAR') {
    const d = new Date(ms);
    return unit === 'MONTH' ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) : Date.UTC(d.getUTCFullYear(), 0, 1);
  }
  const size = UNIT_MS[unit]!;
  return Math.floor(ms / size) * size;
}

export function ceilTime(ms: number, unit: string): number {
  const f = floorTime(ms, unit);
  if (f === ms) return ms;
  if (unit === 'MONTH' || unit === 'YEAR') {
    const d = new Date(f);
    return unit === 'MONTH' ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) : Date.UTC(d.getUTCFullYear() + 1, 0, 1);
  }
  return f + (unit === 'WEEK' ? 604_800_000 : UNIT_MS[unit]!);
}

export function extract(unit: string, ms: number): number {
  const d = new Date(ms);
  switch (unit) {
    case 'YEAR': return d.getUTCFullYear();
    case 'MONTH': return d.getUTCMonth() + 1;
    case 'DAY': return d.getUTCDate();
    case 'HOUR': return d.getUTCHours();
    case 'MINUTE': return d.getUTCMinutes();
    case 'SECOND': return d.getUTCSeconds();
    case 'MILLISECOND': return d.getUTCSeconds() * 1000 + d.getUTCMilliseconds();
    case 'WEEK': {
      const t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
      const day = (new Date(t).getUTCDay() + 6) % 7;
      const thursday = t - day * 86_400_000 + 3 * 86_400_000;
      const yearStart = Date.UTC(new Date(thursday).getUTCFullYear(), 0, 1);
      return 1 + Math.floor((thursday - yearStart) / 604_800_000);
    }
    default: return NaN;
  }
}

/** SQL LIKE pattern to a RegExp; `%` any run, `_` any one character. */
export function likeToRegExp(pattern: string, escape?: string): RegExp {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (escape && ch === escape && i + 1 < pattern.length) {
      re += pattern[++i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    } else if (ch === '%') re += '[\\s\\S]*';
    else if (ch === '_') re += '[\\s\\S]';
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(re + '$', 's');
}

export function trimChars(s: string, chars: string, side: string): string {
  let start = 0;
  let end = s.length;
  if (side !== 'TRAILING') while (start < end && chars.includes(s[start]!)) start++;
  if (side !== 'LEADING') while (end > start && chars.includes(s[end - 1]!)) end--;
  return s.slice(start, end);
}

/** SQL SUBSTRING: 1-based start; a start before 1 shortens the length, as the standard says. */
export function substring(s: string, start: number, length?: number): string {
  const chars = Array.from(s);
  let from = Math.trunc(start);
  let to = length === undefined ? chars.length + 1 : from + Math.trunc(length);
  if (length !== undefined && length < 0) throw new Error('negative substring length');
  from = Math.max(from, 1);
  to = Math.min(to, chars.length + 1);
  return to <= from ? '' : chars.slice(from - 1, to - 1).join('');
}

/** ROUND half away from zero, as SQL engines do (Math.round rounds -2.5 to -2). */
export function roundHalfAway(x: number, digits = 0): number {
  const f = 10 ** digits;
  const y = Math.abs(x) * f;
  const r = Math.round(y + (Number.EPSILON * y));
  return (Math.sign(x) * r) / f;
}

export function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString();
}
