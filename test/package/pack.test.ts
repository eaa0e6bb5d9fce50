import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/run-app.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', timeout: 90_000, stdio: ['ignore', 'pipe', 'pipe'] });

/**
 * The package as a user gets it: packed from the compiled tree (`npm test` builds it first),
 * installed into an empty project, and used there as a command and as an ES module.
 */
describe('the npm package', () => {
  let dir = '';
  let tarball = '';
  let files: string[] = [];

  beforeAll(() => {
    dir = tempDir('sluice-pack-');
    // The tree is already compiled: packing runs no scripts, so the test does not rebuild it.
    const packed = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir], root)) as { filename: string; files: { path: string }[] }[];
    tarball = join(dir, packed[0]!.filename);
    files = packed[0]!.files.map((f) => f.path);
    mkdirSync(join(dir, 'app'));
    writeFileSync(join(dir, 'app', 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    npm(['install', tarball, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], join(dir, 'app'));
  }, 120_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('ships the compiled code, the worker entry, the dashboard, README and LICENSE, and nothing of src, test, bench or .ci', () => {
    expect(files).toContain('LICENSE');
    expect(files).toContain('README.md');
    expect(files).toContain('dist/src/index.js');
    expect(files).toContain('dist/src/index.d.ts');
    expect(files).toContain('dist/src/cli/main.js');
    expect(files).toContain('dist/workers/row-stage.js');
    expect(files).toContain('workers/row-stage.cjs');
    expect(files).toContain('src/server/dashboard/app.js');
    expect(files.filter((f) => /^(test|bench|\.ci|dist\/test|dist\/bench)\//.test(f) || (f.startsWith('src/') && f.endsWith('.ts')) || f.endsWith('.map'))).toEqual([]);
    expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toContain('Apache License\n                           Version 2.0, January 2004');
  });

  it('npx sluice --version, and sluice run with a worker thread, in the installed project', () => {
    const app = join(dir, 'app');
    expect(npm(['exec', '--no', '--', 'sluice', '--version'], app)).toBe(`sluice ${pkg.version}\n`);
    writeFileSync(join(app, 'app.sql'), 'CREATE STREAM a (x BIGINT);\nCREATE STREAM b AS SELECT x * 10 AS y FROM a;\n');
    writeFileSync(join(app, 'in.csv'), 'x\n1\n2\n');
    const out = execFileSync(join(app, 'node_modules', '.bin', 'sluice'), ['run', 'app.sql', '--input', 'a=in.csv', '--workers', '1'], { cwd: app, encoding: 'utf8', timeout: 30_000 });
    expect(out).toBe('{"y":10}\n{"y":20}\n');
  });

  it('imports as an ES module; require() says to use import()', () => {
    const app = join(dir, 'app');
    const script = `import { Sluice } from 'sluice';
const s = await Sluice.open();
await s.execute('CREATE STREAM a (x BIGINT); CREATE STREAM b AS SELECT x + 1 AS y FROM a;');
const got = [];
s.on('b', (rows) => got.push(...rows));
await s.put('a', [{ x: 1 }, { x: 2 }]);
await s.end('a');
await s.close();
console.log(JSON.stringify(got));`;
    expect(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: app, encoding: 'utf8', timeout: 30_000 })).toBe('[{"y":2},{"y":3}]\n');
    const required = execFileSync(process.execPath, ['-e', "try { require('sluice'); console.log('loaded') } catch (e) { console.log(e.message.split('\\n')[0]) }"], { cwd: app, encoding: 'utf8', timeout: 30_000 });
    expect(required).toMatch(/import\(\)/);
    expect(existsSync(join(app, 'node_modules', 'sluice', 'src', 'server', 'dashboard', 'index.html'))).toBe(true);
  });
});
