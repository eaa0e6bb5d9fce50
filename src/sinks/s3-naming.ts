/**
 * S3 object keys the way Firehose builds them: `<evaluated prefix><stream>-<version>-<yyyy>-<MM>-
 * <dd>-<HH>-<mm>-<ss>-<uuid><extension>`. A prefix may hold `!{timestamp:<Java pattern>}` and
 * `!{firehose:random-string}` (and, in an error prefix, `!{firehose:error-output-type}`); a prefix
 * without a timestamp expression gets the default `yyyy/MM/dd/HH/` appended. Times are UTC.
 */

import crypto from 'node:crypto';

const EXPRESSION = /!\{([a-zA-Z]+):([^}]*)\}/g;
const PATTERN_LETTERS = new Set(['y', 'M', 'd', 'H', 'm', 's', 'S']);
const RANDOM_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export const DEFAULT_TIME_PREFIX = 'yyyy/MM/dd/HH/';

/** Formats `epochMs` in UTC with the Java DateTimeFormatter letters y M d H m s S and 'quoted' text. */
export function formatTimestamp(pattern: string, epochMs: number): string {
  const d = new Date(epochMs);
  let out = '';
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i]!;
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      const stop = end < 0 ? pattern.length : end;
      out += stop === i + 1 ? "'" : pattern.slice(i + 1, stop);
      i = stop + 1;
      continue;
    }
    let n = 1;
    while (pattern[i + n] === c) n++;
    i += n;
    out += PATTERN_LETTERS.has(c) ? field(c, n, d) : c.repeat(n);
  }
  return out;
}

function field(letter: string, width: number, d: Date): string {
  const pad = (v: number): string => String(v).padStart(width, '0');
  switch (letter) {
    case 'y':
      return width === 2 ? String(d.getUTCFullYear() % 100).padStart(2, '0') : pad(d.getUTCFullYear());
    case 'M':
      return pad(d.getUTCMonth() + 1);
    case 'd':
      return pad(d.getUTCDate());
    case 'H':
      return pad(d.getUTCHours());
    case 'm':
      return pad(d.getUTCMinutes());
    case 's':
      return pad(d.getUTCSeconds());
    default:
      return String(d.getUTCMilliseconds()).padStart(3, '0').slice(0, width).padEnd(width, '0');
  }
}

/** What is wrong with a prefix's expressions, or undefined when it can be evaluated. */
export function checkPrefix(prefix: string, allowErrorType: boolean): string | undefined {
  for (const [, namespace, value] of prefix.matchAll(EXPRESSION)) {
    if (namespace === 'timestamp') {
      const letters = value!.replace(/'[^']*'/g, '').match(/[a-zA-Z]/g) ?? [];
      const bad = letters.find((l) => !PATTERN_LETTERS.has(l));
      if (bad !== undefined) return `Unsupported timestamp pattern letter '${bad}' in expression !{timestamp:${value}}.`;
    } else if (namespace === 'firehose') {
      if (value !== 'random-string' && !(allowErrorType && value === 'error-output-type')) return `Unsupported expression !{firehose:${value}}.`;
    } else {
      return `Unsupported expression namespace '${namespace}' in prefix.`;
    }
  }
  return undefined;
}

export function hasExpressions(prefix: string): boolean {
  return /!\{[^}]*\}/.test(prefix);
}

/** Evaluates a prefix at `epochMs` (the oldest record's arrival). */
export function expandPrefix(prefix: string, epochMs: number, errorOutputType = 'delivery-failed'): string {
  const expanded = prefix.replace(EXPRESSION, (whole, namespace: string, value: string) => {
    if (namespace === 'timestamp') return formatTimestamp(value, epochMs);
    if (namespace === 'firehose' && value === 'random-string') return randomString(11);
    if (namespace === 'firehose' && value === 'error-output-type') return errorOutputType;
    return whole;
  });
  return prefix.includes('!{timestamp:') ? expanded : expanded + formatTimestamp(DEFAULT_TIME_PREFIX, epochMs);
}

/** `<stream>-<version>-yyyy-MM-dd-HH-mm-ss-<uuid>`: the suffix of every object Firehose writes. */
export function objectName(stream: string, version: number, epochMs: number, uuid: string = crypto.randomUUID()): string {
  return `${stream}-${version}-${formatTimestamp('yyyy-MM-dd-HH-mm-ss', epochMs)}-${uuid}`;
}

function randomString(length: number): string {
  const bytes = crypto.randomBytes(length);
  let out = '';
  for (const b of bytes) out += RANDOM_ALPHABET[b % RANDOM_ALPHABET.length];
  return out;
}
