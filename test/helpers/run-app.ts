import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/runtime/engine.js';
import { replayFile } from '../../src/runtime/file-replay.js';
import { declareUndeclaredInputs } from '../../src/runtime/discover.js';
import { toObjects, type Row } from '../../src/runtime/rows.js';

export function tempDir(prefix = 'sluice-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeLines(dir: string, name: string, lines: Iterable<string>): string {
  const path = join(dir, name);
  writeFileSync(path, [...lines].join('\n') + '\n');
  return path;
}

/** Runs an application over files the way `sluice run` does, collecting every stream's rows. */
export async function runApp(sql: string, inputs: Record<string, string>, opts: { workers?: number; rowtimeFrom?: string; chunkBytes?: number; fileName?: string } = {}): Promise<{ rows: Record<string, Row[]>; engine: Engine }> {
  const rowtimeFrom: Record<string, string> = {};
  if (opts.rowtimeFrom) for (const k of Object.keys(inputs)) rowtimeFrom[k] = opts.rowtimeFrom;
  const engine = new Engine({ workers: opts.workers ?? 0, rowtimeFrom });
  const rows: Record<string, Row[]> = {};
  try {
    await declareUndeclaredInputs(engine, sql, Object.entries(inputs).map(([name, path]) => ({ name, path })));
    await engine.executeScript(sql, opts.fileName);
    for (const name of engine.catalog.names()) {
      rows[name] = [];
      engine.on(name, (r, def) => rows[name]!.push(...toObjects(r, def.fields.slice(0, -1))));
    }
    // Until its threads have loaded, the pool hands chunks back to this thread: wait, so that the worker path is what runs.
    await engine.pool?.started;
    for (const [name, path] of Object.entries(inputs)) await replayFile(path, engine.runtime(name), { chunkBytes: opts.chunkBytes ?? 64 * 1024, maxInflight: 4 });
    for (const name of Object.keys(inputs)) await engine.endOfInput(engine.runtime(name).def.name);
  } finally {
    await engine.close();
  }
  return { rows, engine };
}
