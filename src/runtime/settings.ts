import type * as A from '../sql/ast.js';
import { nearestName, sqlError, type SqlError } from '../sql/diagnostics.js';

/** `SET 'key' = 'value'` settings a script can give the queries after it. */
export interface QuerySettings {
  /** `table.exec.state.ttl`: groups, Top-N partitions and dedup keys untouched this long are forgotten. */
  readonly stateTtlMs?: number;
}

const KEYS = ['table.exec.state.ttl'];
const UNITS: Record<string, number> = {
  ms: 1, milli: 1, millis: 1, millisecond: 1, milliseconds: 1,
  s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000,
  min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hour: 3_600_000, hours: 3_600_000, d: 86_400_000, day: 86_400_000, days: 86_400_000,
};

/** Flink's duration text: '1 h', '30 min', '10s', '500 ms'; a bare number is milliseconds. */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = m[2]!.toLowerCase();
  const factor = unit === '' ? 1 : UNITS[unit];
  return factor === undefined ? undefined : Number(m[1]) * factor;
}

export function applySetting(settings: QuerySettings, st: A.SetOption, diagnostics: SqlError[]): QuerySettings {
  if (st.key !== 'table.exec.state.ttl') {
    const near = nearestName(st.key, KEYS);
    diagnostics.push(sqlError('SQL_UNKNOWN_SETTING', `unknown setting '${st.key}'`, st.span, near ? `did you mean '${near}'?` : `settings are ${KEYS.join(', ')}`));
    return settings;
  }
  const ms = parseDuration(st.value);
  if (ms === undefined) {
    diagnostics.push(sqlError('SQL_BAD_SETTING', `'${st.value}' is not a duration`, st.span, "write it as '1 h', '30 min', '10 s' or milliseconds; '0' keeps state forever"));
    return settings;
  }
  return { ...settings, ...(ms > 0 ? { stateTtlMs: ms } : { stateTtlMs: undefined }) };
}
