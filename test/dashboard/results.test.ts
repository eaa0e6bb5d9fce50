import { describe, it, expect } from 'vitest';
// The dashboard's own module (plain JS, served to the browser as is).
import { applyRows } from '../../src/server/dashboard/results.js';

describe('the dashboard table applies an updating result', () => {
  it('adds +I and +U rows and takes away the -U and -D rows they replace', () => {
    let table: Record<string, unknown>[] = [];
    table = applyRows(table, [{ page: '/a', n: 1, op: '+I' }, { page: '/b', n: 1, op: '+I' }]);
    table = applyRows(table, [{ page: '/a', n: 1, op: '-U' }, { page: '/a', n: 2, op: '+U' }, { page: '/b', n: 1, op: '-D' }]);
    expect(table).toEqual([{ page: '/a', n: 2 }]);
  });

  it('keeps appended rows, newest first', () => {
    expect(applyRows([{ n: 1 }], [{ n: 2 }, { n: 3 }])).toEqual([{ n: 3 }, { n: 2 }, { n: 1 }]);
  });
});
