import { DuckDBInstance } from '@duckdb/node-api';

/** Runs a batch query in DuckDB and returns plain rows (BIGINTs as numbers). */
export async function duck(sql: string): Promise<Record<string, unknown>[]> {
  const inst = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await inst.connect();
  try {
    const reader = await conn.runAndReadAll(sql);
    return reader.getRowObjectsJS().map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}

/** Rows as sorted canonical strings, with numbers rounded so AVG compares across engines. */
export function canonical(rows: readonly Record<string, unknown>[], columns: readonly string[]): string[] {
  return rows
    .map((r) => columns.map((c) => {
      const v = r[c];
      if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(6);
      if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v)) return String(Date.parse(v));
      return JSON.stringify(v ?? null);
    }).join('|'))
    .sort();
}
