import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

describe('sluice demo (npm start)', () => {
  it('prints the dashboard address, produces clicks and prints a line per closed window, then stops', () => {
    const r = spawnSync(process.execPath, [cli, 'demo', '--port', '0', '--rate', '500', '--seconds', '2'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\n {2}Sluice dashboard {3}http:\/\/127\.0\.0\.1:\d+\/\n/);
    expect(r.stdout).toContain("sluice demo: 500 clicks/s into 'clicks'");
    expect(r.stdout).toMatch(/\npage_views {4}\d\d:\d\d:\d\d-\d\d:\d\d:\d\d {2}\d+ pages, \d+ views, top \/products\/\d+ \(\d+\)\n/);
    expect(r.stdout).toMatch(/\nCOUNTRY_USERS (\w\w=\d+ ?)+\n/);
    expect(r.stderr).toBe('');
  });
});
