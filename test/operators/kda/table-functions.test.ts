import { describe, it, expect } from 'vitest';
import { Worker } from 'node:worker_threads';
import { createKdaTableFunction, KDA_TABLE_FUNCTIONS } from '../../../src/operators/kda/table-functions.js';
import { KdaFunctionError, type KdaTableFunctionSpec } from '../../../src/operators/kda/table-function-spec.js';
import type { Field } from '../../../src/planner/types.js';
import { rowsOf, runInBatches } from './helpers.js';

const INPUT: Field[] = [{ name: 'sym', type: 'VARCHAR' }, { name: 'price', type: 'DOUBLE' }, { name: 'qty', type: 'INTEGER' }];

const SPECS: KdaTableFunctionSpec[] = [
  { function: 'RANDOM_CUT_FOREST', input: INPUT },
  { function: 'RANDOM_CUT_FOREST_WITH_EXPLANATION', input: INPUT, withDirectionality: true },
  { function: 'HOTSPOTS', input: INPUT, windowSize: 100, scanRadius: 1, minimumNumberOfPointsInAHotspot: 5 },
  { function: 'TOP_K_ITEMS_TUMBLING', input: INPUT, columnName: 'sym', k: 3, windowSize: 60 },
  { function: 'COUNT_DISTINCT_ITEMS_TUMBLING', input: INPUT, columnName: 'sym', windowSize: 60 },
];

describe('KDA table functions from specs', () => {
  it('makes each function\'s operator with the columns KDA names, in its order', () => {
    expect(SPECS.map((s) => s.function)).toEqual([...KDA_TABLE_FUNCTIONS]);
    const names = SPECS.map((s) => createKdaTableFunction(s).outputFields.map((f) => `${f.name} ${f.type}`));
    expect(names).toEqual([
      ['sym VARCHAR', 'price DOUBLE', 'qty INTEGER', 'ANOMALY_SCORE DOUBLE'],
      ['sym VARCHAR', 'price DOUBLE', 'qty INTEGER', 'ANOMALY_SCORE DOUBLE', 'ANOMALY_EXPLANATION VARCHAR'],
      ['sym VARCHAR', 'price DOUBLE', 'qty INTEGER', 'HOTSPOTS_RESULT VARCHAR'],
      ['ITEM VARCHAR', 'ITEM_COUNT BIGINT'],
      ['NUMBER_OF_DISTINCT_ITEMS BIGINT'],
    ]);
  });

  it('refuses an unknown function', () => {
    expect(() => createKdaTableFunction({ function: 'STAGGER', input: INPUT } as unknown as KdaTableFunctionSpec)).toThrow(KdaFunctionError);
  });

  it('runs on a worker thread from a cloned spec, and its snapshot restores on this one', async () => {
    // The spec and the snapshot are what cross threads: plain JSON in, bytes out. The worker loads
    // dist/: build first (npm test does).
    const rows = rowsOf([Array.from({ length: 400 }, (_, i) => `s${i % 7}`), Array.from({ length: 400 }, (_, i) => Math.sin(i)), Array.from({ length: 400 }, (_, i) => i % 13)]);
    const spec = SPECS[0]!;
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      import(workerData.module).then(({ createKdaTableFunction }) => {
        const op = createKdaTableFunction(workerData.spec);
        op.processBatch(workerData.rows, () => {});
        const bytes = op.snapshot();
        parentPort.postMessage(bytes, [bytes.buffer]);
      });`;
    const module = new URL('../../../dist/src/operators/kda/table-functions.js', import.meta.url).href;
    const bytes = await new Promise<Uint8Array>((resolve, reject) => {
      const worker = new Worker(code, { eval: true, workerData: { module, spec, rows } });
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    const here = createKdaTableFunction(spec);
    runInBatches(here, rows, [400], 4);
    const restored = createKdaTableFunction(spec);
    restored.restore(bytes);
    expect(Buffer.from(restored.snapshot())).toEqual(Buffer.from(here.snapshot()));
  });
});
