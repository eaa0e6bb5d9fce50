/**
 * Java date patterns ('yyyy-MM-dd HH:mm:ss') in UTC, the way Flink formats and parses with them:
 * `simple` is java.text.SimpleDateFormat (DATE_FORMAT of a string, FROM_UNIXTIME, UNIX_TIMESTAMP:
 * lenient, S counts milliseconds, u is the day of the week), `java-time` is
 * java.time.DateTimeFormatter (DATE_FORMAT of a TIMESTAMP, TO_TIMESTAMP: strict, S is a fraction
 * of the second, u is the year, [optional] sections, no zone letters since a TIMESTAMP has no zone).
 */
export type DateDialect = 'simple' | 'java-time';

export class DatePatternError extends Error {
  override readonly name = 'DatePatternError';
}

type Token =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'field'; readonly letter: string; readonly count: number }
  | { readonly kind: 'optional'; readonly tokens: readonly Token[] };

export interface DatePattern {
  format(ms: number): string;
  /** Epoch milliseconds, or null when the text does not match. */
  parse(text: string): number | null;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const QUARTERS = ['1st quarter', '2nd quarter', '3rd quarter', '4th quarter'];
const SUPPORTED: Record<DateDialect, string> = { simple: 'GyYMLwWdDFHkKhmsSEuazZX', 'java-time': 'GyuMLdDHkKhmsSEaQq' };
const JAVA_LETTERS: Record<DateDialect, string> = { simple: 'GyYMLwWDdFEuaHkKhmsSzZX', 'java-time': 'GuyDMLdQqYwWEecFaBhKkHmsSAnNVvzOXxZp' };
/** DateTimeFormatter's limits on repeated letters. */
const MAX_COUNT: Record<string, number> = { M: 5, L: 5, d: 2, D: 3, H: 2, h: 2, k: 2, K: 2, m: 2, s: 2, a: 1, E: 5, S: 9, G: 5, Q: 5, q: 5 };
const NUMERIC = new Set(['y', 'u', 'd', 'D', 'H', 'k', 'K', 'h', 'm', 's', 'S', 'Y', 'w', 'W', 'F']);

function tokenize(pattern: string, dialect: DateDialect): Token[] {
  const stack: Token[][] = [[]];
  const push = (t: Token) => {
    const top = stack[stack.length - 1]!;
    const last = top[top.length - 1];
    if (t.kind === 'text' && last?.kind === 'text') top[top.length - 1] = { kind: 'text', text: last.text + t.text };
    else top.push(t);
  };
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i]!;
    if (ch === "'") {
      let j = i + 1;
      let text = '';
      for (; j < pattern.length; j++) {
        if (pattern[j] !== "'") text += pattern[j];
        else if (pattern[j + 1] === "'") text += pattern[++j];
        else break;
      }
      if (j >= pattern.length) throw new DatePatternError(`unterminated quote in date pattern '${pattern}'`);
      push({ kind: 'text', text: j === i + 1 ? "'" : text });
      i = j + 1;
    } else if (/[A-Za-z]/.test(ch)) {
      let count = 1;
      while (pattern[i + count] === ch) count++;
      if (!JAVA_LETTERS[dialect].includes(ch)) throw new DatePatternError(`illegal pattern character '${ch}' in '${pattern}'`);
      if (dialect === 'java-time' && 'zZXxOVv'.includes(ch)) throw new DatePatternError(`pattern letter '${ch}' is a time zone, and a TIMESTAMP has none`);
      if (!SUPPORTED[dialect].includes(ch)) throw new DatePatternError(`pattern letter '${ch}' is not supported`);
      if (dialect === 'java-time' && count > (MAX_COUNT[ch] ?? 19)) throw new DatePatternError(`too many pattern letters: ${ch.repeat(count)}`);
      push({ kind: 'field', letter: ch, count });
      i += count;
    } else if (dialect === 'java-time' && ch === '[') {
      stack.push([]);
      i++;
    } else if (dialect === 'java-time' && ch === ']') {
      if (stack.length === 1) throw new DatePatternError(`unmatched ']' in '${pattern}'`);
      const inner = stack.pop()!;
      push({ kind: 'optional', tokens: inner });
      i++;
    } else if (dialect === 'java-time' && '#{}'.includes(ch)) {
      throw new DatePatternError(`pattern character '${ch}' is reserved`);
    } else {
      push({ kind: 'text', text: ch });
      i++;
    }
  }
  if (stack.length > 1) throw new DatePatternError(`unclosed '[' in '${pattern}'`);
  return stack[0]!;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

function name(list: readonly string[], index: number, count: number, shortAt = 3): string {
  const full = list[index]!;
  return count === 5 ? full[0]! : count > shortAt ? full : full.slice(0, 3);
}

function formatToken(t: Token, d: Date, dialect: DateDialect): string {
  if (t.kind === 'text') return t.text;
  if (t.kind === 'optional') return t.tokens.map((x) => formatToken(x, d, dialect)).join('');
  const { letter, count } = t;
  const y = d.getUTCFullYear();
  const h = d.getUTCHours();
  switch (letter) {
    case 'G': return count === 4 && dialect === 'java-time' ? (y > 0 ? 'Anno Domini' : 'Before Christ') : y > 0 ? 'AD' : 'BC';
    case 'y': return count === 2 ? pad(((y % 100) + 100) % 100, 2) : pad(y, count);
    case 'u': return dialect === 'simple' ? pad(((d.getUTCDay() + 6) % 7) + 1, count) : count === 2 ? pad(((y % 100) + 100) % 100, 2) : pad(y, count);
    case 'M': case 'L': return count <= 2 ? pad(d.getUTCMonth() + 1, count) : name(MONTHS, d.getUTCMonth(), count);
    case 'd': return pad(d.getUTCDate(), count);
    case 'D': return pad(dayOfYear(d.getTime()), count);
    case 'H': return pad(h, count);
    case 'k': return pad(h === 0 ? 24 : h, count);
    case 'K': return pad(h % 12, count);
    case 'h': return pad(h % 12 || 12, count);
    case 'm': return pad(d.getUTCMinutes(), count);
    case 's': return pad(d.getUTCSeconds(), count);
    case 'S': return dialect === 'simple' ? pad(d.getUTCMilliseconds(), count) : (pad(d.getUTCMilliseconds(), 3) + '000000').slice(0, count);
    case 'E': return name(DAYS, d.getUTCDay(), count);
    case 'a': return h < 12 ? 'AM' : 'PM';
    case 'Y': return count === 2 ? pad(weekYear(d) % 100, 2) : pad(weekYear(d), count);
    case 'w': return pad(weekOfYear(d), count);
    case 'W': return pad(Math.floor((d.getUTCDate() - 1 + new Date(Date.UTC(y, d.getUTCMonth(), 1)).getUTCDay()) / 7) + 1, count);
    case 'F': return pad(Math.floor((d.getUTCDate() - 1) / 7) + 1, count);
    case 'Q': case 'q': {
      const q = Math.floor(d.getUTCMonth() / 3);
      return count <= 2 ? pad(q + 1, count) : count === 3 ? `Q${q + 1}` : count === 4 ? QUARTERS[q]! : String(q + 1);
    }
    case 'z': return count < 4 ? 'UTC' : 'Coordinated Universal Time';
    case 'Z': return '+0000';
    default: return 'Z';
  }
}

/**
 * SimpleDateFormat's week of the year in the US locale: weeks start on Sunday, and week 1 is the
 * one holding January 1st, so the last days of December can be week 1 of the next (week) year.
 */
function weekOfYear(d: Date): number {
  const y = d.getUTCFullYear();
  const day = Date.UTC(y, d.getUTCMonth(), d.getUTCDate());
  const sunday = day - d.getUTCDay() * 86_400_000;
  if (sunday + 6 * 86_400_000 >= Date.UTC(y + 1, 0, 1)) return 1;
  return Math.floor((dayOfYear(day) - 1 + new Date(Date.UTC(y, 0, 1)).getUTCDay()) / 7) + 1;
}

function weekYear(d: Date): number {
  const y = d.getUTCFullYear();
  return d.getUTCMonth() === 11 && weekOfYear(d) === 1 ? y + 1 : y;
}

export function dayOfYear(ms: number): number {
  const d = new Date(ms);
  return Math.floor((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
}

interface Fields { y: number; mo: number; d: number; h: number; mi: number; s: number; ms: number; pm: boolean | null; offsetMin: number }

/** Case-insensitive match of the longest name (full, then three-letter) at `pos`. */
function matchName(text: string, pos: number, names: readonly string[]): [number, number] | null {
  const lower = text.slice(pos).toLowerCase();
  for (const len of [Infinity, 3]) {
    const at = names.findIndex((n) => lower.startsWith(n.slice(0, len).toLowerCase()));
    if (at >= 0) return [at, Math.min(len, names[at]!.length)];
  }
  return null;
}

class Parser {
  pos = 0;
  constructor(readonly text: string, readonly dialect: DateDialect, readonly f: Fields) {}

  tokens(ts: readonly Token[]): boolean {
    for (let k = 0; k < ts.length; k++) if (!this.token(ts[k]!, ts[k + 1])) return false;
    return true;
  }

  private digits(min: number, max: number): number | null {
    let end = this.pos;
    while (end < this.text.length && end - this.pos < max && this.text.charCodeAt(end) >= 48 && this.text.charCodeAt(end) <= 57) end++;
    if (end - this.pos < min) return null;
    const v = this.text.slice(this.pos, end);
    this.pos = end;
    return Number(v);
  }

  private token(t: Token, next: Token | undefined): boolean {
    const { text, f } = this;
    if (t.kind === 'text') {
      if (!text.startsWith(t.text, this.pos)) return false;
      this.pos += t.text.length;
      return true;
    }
    if (t.kind === 'optional') {
      const saved = { ...f };
      const pos = this.pos;
      if (this.tokens(t.tokens)) return true;
      Object.assign(f, saved);
      this.pos = pos;
      return true;
    }
    const { letter, count } = t;
    const strict = this.dialect === 'java-time';
    if (NUMERIC.has(letter) || ((letter === 'M' || letter === 'L') && count <= 2)) {
      // Fields that abut another number take exactly their width; otherwise as many digits as there are.
      const abutting = next?.kind === 'field' && (NUMERIC.has(next.letter) || ('ML'.includes(next.letter) && next.count <= 2));
      const isYear = letter === 'y' || (letter === 'u' && strict);
      let [min, max] = abutting ? [count, count] : [1, 9];
      if (strict && !abutting) {
        if (isYear) [min, max] = count === 2 ? [2, 2] : [count, 9];
        else if (count >= 2 || letter === 'S') [min, max] = [count, count];
        else max = letter === 'D' ? 3 : 2;
      }
      const startPos = this.pos;
      const v = this.digits(min, max);
      if (v === null) return false;
      switch (letter) {
        case 'y': case 'u':
          if (letter === 'u' && !strict) return true;
          f.y = count === 2 && this.pos - startPos === 2 ? twoDigitYear(v, strict) : v;
          return true;
        case 'M': case 'L': f.mo = v; return true;
        case 'd': f.d = v; return true;
        case 'D': f.mo = 1; f.d = v; return true;
        case 'H': case 'k': f.h = letter === 'k' && v === 24 ? 0 : v; return true;
        case 'K': case 'h': f.h = letter === 'h' && v === 12 ? 0 : v; f.pm ??= false; return true;
        case 'm': f.mi = v; return true;
        case 'Y': case 'w': case 'W': case 'F': return true;
        case 's': f.s = v; return true;
        default: f.ms = strict ? Number(text.slice(startPos, this.pos).padEnd(3, '0').slice(0, 3)) : v; return true;
      }
    }
    if (letter === 'M' || letter === 'L' || letter === 'E') {
      const m = matchName(text, this.pos, letter === 'E' ? DAYS : MONTHS);
      if (!m) return false;
      if (letter !== 'E') f.mo = m[0] + 1;
      this.pos += m[1];
      return true;
    }
    if (letter === 'a') {
      const m = matchName(text, this.pos, ['AM', 'PM']);
      if (!m) return false;
      f.pm = m[0] === 1;
      this.pos += 2;
      return true;
    }
    if (letter === 'G') {
      const m = matchName(text, this.pos, ['AD', 'BC']);
      if (!m) return false;
      this.pos += 2;
      return true;
    }
    if (letter === 'Q' || letter === 'q') return this.digits(1, 1) !== null;
    return this.offset();
  }

  /** A zone after SimpleDateFormat's z, Z or X: Z, UTC, GMT, +HH, +HHMM, +HH:MM (GMT+HH:MM). */
  private offset(): boolean {
    const m = /^(?:(Z)|(?:UTC|GMT)?([+-])(\d{2}):?(\d{2})?|(UTC|GMT))/i.exec(this.text.slice(this.pos));
    if (!m) return false;
    this.f.offsetMin = m[2] ? (m[2] === '-' ? -1 : 1) * (Number(m[3]) * 60 + Number(m[4] ?? 0)) : 0;
    this.pos += m[0].length;
    return true;
  }
}

/** Two-digit years: DateTimeFormatter puts them in 2000-2099, SimpleDateFormat within 80 years before and 20 after now. */
function twoDigitYear(v: number, strict: boolean): number {
  if (strict) return 2000 + v;
  const now = new Date().getUTCFullYear();
  const y = Math.floor((now - 80) / 100) * 100 + v;
  return y < now - 80 ? y + 100 : y;
}

export function utcMillis(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  const dt = new Date(0);
  dt.setUTCFullYear(y, mo - 1, d);
  dt.setUTCHours(h, mi, s, ms);
  return dt.getTime();
}

function resolve(f: Fields, strict: boolean): number | null {
  let h = f.h;
  if (f.pm) h = (h % 12) + 12;
  if (strict) {
    if (f.mo < 1 || f.mo > 12 || f.d < 1 || f.d > 31 || h > 23 || f.mi > 59 || f.s > 59) return null;
    // DateTimeFormatter's SMART resolving moves a day past the month's end back to its last day.
    f.d = Math.min(f.d, daysInMonth(f.y, f.mo));
  }
  return utcMillis(f.y, f.mo, f.d, h, f.mi, f.s, f.ms) - f.offsetMin * 60_000;
}

/** Days in month `mo` (1-12) of year `y`, proleptic Gregorian. */
export function daysInMonth(y: number, mo: number): number {
  if (mo !== 2) return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1]!;
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
}

/** The span of time a formatted value stays the same for: the finest field the pattern prints. */
function resolution(tokens: readonly Token[]): number {
  let r = 86_400_000;
  for (const t of tokens) {
    if (t.kind === 'optional') r = Math.min(r, resolution(t.tokens));
    else if (t.kind === 'field') r = Math.min(r, t.letter === 'S' ? 1 : t.letter === 's' ? 1000 : t.letter === 'm' ? 60_000 : 'HkKha'.includes(t.letter) ? 3_600_000 : r);
  }
  return r;
}

function compile(pattern: string, dialect: DateDialect): DatePattern {
  const tokens = tokenize(pattern, dialect);
  const strict = dialect === 'java-time';
  const unit = resolution(tokens);
  // Rows arrive roughly in time order, so the last value formatted is usually the next one too.
  let lastSlot = NaN;
  let last = '';
  return {
    format: (ms) => {
      const slot = Math.floor(ms / unit);
      if (slot === lastSlot) return last;
      const d = new Date(ms);
      let out = '';
      for (const t of tokens) out += formatToken(t, d, dialect);
      lastSlot = slot;
      last = out;
      return out;
    },
    parse: (text) => {
      const f: Fields = { y: 1970, mo: 1, d: 1, h: 0, mi: 0, s: 0, ms: 0, pm: null, offsetMin: 0 };
      const p = new Parser(text, dialect, f);
      if (!p.tokens(tokens)) return null;
      if (strict && p.pos !== text.length) return null;
      return resolve(f, strict);
    },
  };
}

const cache = new Map<string, DatePattern | DatePatternError>();

/** A compiled pattern, cached by text (a pattern literal compiles once per thread); throws DatePatternError. */
export function datePattern(pattern: string, dialect: DateDialect): DatePattern {
  const key = dialect[0] + pattern;
  let p = cache.get(key);
  if (!p) {
    try {
      p = compile(pattern, dialect);
    } catch (e) {
      if (!(e instanceof DatePatternError)) throw e;
      p = e;
    }
    if (cache.size >= 1000) cache.clear();
    cache.set(key, p);
  }
  if (p instanceof DatePatternError) throw p;
  return p;
}
