import { describe, it, expect, afterEach } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LookupJoin } from '../../../src/operators/joins/lookup-join.js';
import type { LookupJoinSpec } from '../../../src/operators/joins/join-specs.js';
import { ReferenceTable } from '../../../src/reference/reference-table.js';
import { RowKind } from '../../../src/operators/changelog.js';
import { call, col } from '../../../src/planner/bound-expr.js';
import { batchOf, Collector } from './join-test-helpers.js';

// Probe rows [ticker, price]; the table [ticker, company, generation].
const spec = (joinType: 'inner' | 'left', extra: Partial<LookupJoinSpec> = {}): LookupJoinSpec => ({
  kind: 'lookup', joinType, table: 'company', leftTypes: ['VARCHAR', 'DOUBLE'], rightTypes: ['VARCHAR', 'VARCHAR', 'BIGINT'], leftKeys: [0], rightKeys: [0], ...extra,
});

let dir = '';
const tables: ReferenceTable[] = [];
async function companyTable(csv: string): Promise<{ table: ReferenceTable; file: string }> {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-lookup-'));
  const file = path.join(dir, 'company.csv');
  fs.writeFileSync(file, csv);
  const table = await ReferenceTable.open({
    name: 'company', key: ['ticker'], source: { kind: 'file', path: file, format: 'csv' },
    columns: [{ name: 'ticker', type: 'VARCHAR' }, { name: 'company', type: 'VARCHAR' }, { name: 'gen', type: 'BIGINT' }],
  });
  tables.push(table);
  return { table, file };
}

afterEach(() => {
  for (const t of tables.splice(0)) t.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('LookupJoin', () => {
  it('INNER pairs each probe row with every table row of its key; LEFT keeps the rest with nulls', async () => {
    const { table } = await companyTable('AMZN,Amazon,1\nAMZN,Amazon Web Services,1\nMSFT,Microsoft,1\n');
    const probe = batchOf([['AMZN', 10], ['XYZ', 11], [null, 12], ['MSFT', 13]], [1, 2, 3, 4]);
    const inner = new Collector();
    new LookupJoin(spec('inner'), table).processBatch(probe, inner.emit);
    expect(inner.rows.map((r) => `${JSON.stringify(r.values)}@${r.rowtime}`)).toEqual([
      '["AMZN",10,"AMZN","Amazon",1]@1', '["AMZN",10,"AMZN","Amazon Web Services",1]@1', '["MSFT",13,"MSFT","Microsoft",1]@4',
    ]);
    const left = new Collector();
    new LookupJoin(spec('left'), table).processBatch(probe, left.emit);
    expect(left.rows.map((r) => JSON.stringify(r.values))).toEqual([
      '["AMZN",10,"AMZN","Amazon",1]', '["AMZN",10,"AMZN","Amazon Web Services",1]', '["XYZ",11,null,null,null]', '[null,12,null,null,null]', '["MSFT",13,"MSFT","Microsoft",1]',
    ]);
  });

  it('applies the residual after the key lookup and keeps the probe row\'s kind', async () => {
    const { table } = await companyTable('AMZN,Amazon,1\nAMZN,Amazon Web Services,2\n');
    const out = new Collector();
    const residual = call('>', [col(1, 'DOUBLE'), col(4, 'BIGINT')], 'BOOLEAN');
    new LookupJoin(spec('left', { residual }), table).processBatch(batchOf([['AMZN', 1.5], ['AMZN', 0.5]], [0, 0], [RowKind.UpdateBefore, RowKind.UpdateAfter]), out.emit);
    expect(out.rows.map((r) => `${r.kind} ${JSON.stringify(r.values)}`)).toEqual(['-U ["AMZN",1.5,"AMZN","Amazon",1]', '+U ["AMZN",0.5,null,null,null]']);
  });

  it('refuses a table whose shape or name differs from the spec', async () => {
    const { table } = await companyTable('AMZN,Amazon,1\n');
    expect(() => new LookupJoin(spec('inner', { rightTypes: ['VARCHAR'] }), table)).toThrow(/3 columns/);
    expect(() => new LookupJoin(spec('inner', { table: 'other' }), table)).toThrow(/names other/);
  });

  it('joins each batch with one whole table version while reloads swap it', async () => {
    const rows = (gen: number) => Array.from({ length: 2000 }, (_, i) => `T${i},Company ${i},${gen}\n`).join('');
    const { table, file } = await companyTable(rows(1));
    const op = new LookupJoin(spec('inner'), table);
    const probe = batchOf(Array.from({ length: 2000 }, (_, i) => [`T${(i * 7) % 2000}`, i]));
    const generations = new Set<string>();
    let reloads = 0;
    const reloading = (async () => {
      for (let gen = 2; gen <= 6; gen++) {
        fs.writeFileSync(`${file}.tmp`, rows(gen));
        fs.renameSync(`${file}.tmp`, file);
        await table.reload();
        reloads++;
      }
    })();
    let done = false;
    void reloading.then(() => { done = true; });
    while (!done) {
      op.processBatch(probe, (b) => {
        expect(b.count).toBe(2000);
        const gens = new Set(b.columns[4]);
        expect(gens.size).toBe(1);
        expect(gens.has(op.lastVersion)).toBe(true);
        generations.add([...gens].join());
      });
      await new Promise((r) => setImmediate(r));
    }
    expect(reloads).toBe(5);
    expect(generations.size).toBeGreaterThan(1);
  });
});
