import { describe, it, expect } from 'vitest';
import { Sluice } from '../../src/index.js';
import { Engine } from '../../src/runtime/engine.js';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

describe("SET 'table.exec.state.ttl'", () => {
  for (const shape of [
    // Without the TTL the last row would update the count to 3, and would not enter the Top-1 (1 < 7).
    { name: 'GROUP BY without a window', sql: `SELECT page, COUNT(*) AS n FROM clicks GROUP BY page`, fresh: { n: 1 } },
    { name: 'a Top-N', sql: `SELECT page, ms FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY page ORDER BY ms DESC) AS rn FROM clicks) WHERE rn <= 1`, fresh: { ms: 1 } },
  ]) {
    it(`forgets the state of ${shape.name} untouched longer than the TTL`, async () => {
      const sluice = await Sluice.open();
      await sluice.execute(`SET 'table.exec.state.ttl' = '100 ms';
        CREATE STREAM clicks (ts TIMESTAMP(3), page VARCHAR, ms BIGINT);
        CREATE STREAM out AS ${shape.sql};`);
      const rows: Record<string, unknown>[] = [];
      sluice.on('out', (r) => rows.push(...r));
      await sluice.put('clicks', [{ ts: at(1), page: '/a', ms: 5 }]);
      await sluice.put('clicks', [{ ts: at(2), page: '/a', ms: 7 }]);
      // The engine's clock ticks every 250 ms: after it, the group is forgotten.
      await new Promise((resolve) => setTimeout(resolve, 700));
      await sluice.put('clicks', [{ ts: at(3), page: '/a', ms: 1 }]);
      await sluice.close();
      // The last row starts afresh: an insert, not an update of the forgotten state.
      expect(rows.at(-1)).toEqual({ page: '/a', ...shape.fresh, op: '+I' });
    });
  }

  it('refuses unknown settings and durations it cannot read', async () => {
    const engine = new Engine();
    try {
      expect(() => engine.execute(`SET 'table.exec.state.tll' = '1 h';`)).toThrow(/unknown setting 'table.exec.state.tll'[\s\S]*did you mean 'table.exec.state.ttl'/);
      expect(() => engine.execute(`SET 'table.exec.state.ttl' = 'an hour';`)).toThrow(/'an hour' is not a duration/);
    } finally {
      await engine.close();
    }
  });
});
