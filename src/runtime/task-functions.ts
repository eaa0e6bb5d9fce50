import { functionRefs } from '../planner/user-functions.js';
import { ensureFunctionModules } from '../operators/kernels/udf-registry.js';
import type { ChunkTask } from './chunk-task.js';
import type { WindowTask } from './window-task.js';

/** The user functions each chunk spec or window state calls, found once per key. */
const refsByKey = new Map<string, string[]>();

/**
 * In a worker: resolves once the modules of every user function the task's plans call have been
 * imported in this thread (the first task of a query waits for them), or null when nothing needs
 * loading. A module that fails to load here fails the task with a message that names it.
 */
export function functionsReady(task: ChunkTask | WindowTask): Promise<unknown> | null {
  const window = 'kind' in task && task.kind === 'window';
  const key = window ? `w${(task as WindowTask).key}` : `c${(task as ChunkTask).spec.key}`;
  let refs = refsByKey.get(key);
  if (!refs) {
    refs = window ? functionRefs((task as WindowTask).plan) : (task as ChunkTask).spec.queries.flatMap((q) => functionRefs(q.plan));
    refsByKey.set(key, refs);
  }
  if (refs.length === 0) return null;
  const pending = ensureFunctionModules(refs);
  return pending?.catch((e: unknown) => {
    throw new Error(`a worker could not load a user-defined function's module: ${(e as Error).message}`);
  }) ?? null;
}
