import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

describe('README example', () => {
  it('is examples/embedded.mjs, and it runs', () => {
    const path = fileURLToPath(new URL('../../examples/embedded.mjs', import.meta.url));
    const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
    const body = readFileSync(path, 'utf8').split('\n').slice(1).join('\n').trim();
    expect(readme).toContain(body);
    const r = spawnSync(process.execPath, [path], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    // Rows arrive in batches as windows close; how they are batched depends on thread timing.
    expect(r.stdout.trim().split('\n').flatMap((l) => JSON.parse(l))).toEqual([
      { window_start: '2026-11-25T00:00:00.000Z', page: '/a', views: 1 },
      { window_start: '2026-11-25T00:00:10.000Z', page: '/b', views: 1 },
    ]);
  });
});
