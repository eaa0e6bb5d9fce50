import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCommandArgs } from '../src/cli/args.js';
import { COMMANDS } from '../src/cli/commands.js';
import { generateClickstream } from '../bench/clickstream.js';
import { tempDir, writeLines } from './helpers/run-app.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const cli = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));

/** The fenced code blocks of the README, with the line before each. */
function blocks(): { lang: string; body: string; before: string }[] {
  const out: { lang: string; body: string; before: string }[] = [];
  const re = /^```(\w*)\n([\s\S]*?)^```$/gm;
  for (let m = re.exec(readme); m; m = re.exec(readme)) out.push({ lang: m[1]!, body: m[2]!, before: readme.slice(0, m.index).trimEnd().split('\n').at(-1)! });
  return out;
}

/** The words of a shell command line up to a pipe, redirection or comment (the README's have no quotes). */
function words(line: string): string[] {
  return line.split(/\s+[|>#]|\s+2>/)[0]!.trim().split(/\s+/);
}

describe('README', () => {
  it("the diagnostic example is what sluice run prints for the README's app.sql", () => {
    const all = blocks();
    const at = all.findIndex((b) => b.before.startsWith('Diagnostics point at the problem'));
    const sql = all[at]!;
    const expected = all[at + 1]!;
    expect(sql.lang).toBe('sql');
    expect(expected.before).toBe('`sluice run app.sql --input clicks=events.ndjson` exits 2 and prints:');
    const dir = tempDir('sluice-readme-');
    writeFileSync(join(dir, 'app.sql'), sql.body);
    writeLines(dir, 'events.ndjson', generateClickstream({ events: 10 }));
    const r = spawnSync(process.execPath, [cli, 'run', 'app.sql', '--input', 'clicks=events.ndjson'], { cwd: dir, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(expected.body);
  });

  it('the usage error example is what sluice prints', () => {
    const block = blocks().find((b) => b.body.startsWith('$ sluice run'))!;
    const [command, message] = block.body.trimEnd().split('\n');
    const dir = tempDir('sluice-readme-');
    const r = spawnSync(process.execPath, [cli, ...words(command!.slice(2)).slice(1)], { cwd: dir, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`${message}\n`);
  });

  it('every sluice command line in it uses only options the command has', () => {
    const lines = blocks()
      .filter((b) => b.lang === 'sh')
      .flatMap((b) => b.body.split('\n'))
      .map((l) => l.replace(/^.*\|\s*(?=npx sluice|sluice )/, ''))
      .filter((l) => /^(npx )?sluice /.test(l));
    expect(lines.length).toBeGreaterThanOrEqual(6);
    for (const line of lines) {
      const [name, ...rest] = words(line.replace(/^npx /, '')).slice(1);
      const spec = COMMANDS[name!];
      expect(spec, line).toBeDefined();
      expect(() => parseCommandArgs(spec!, rest), line).not.toThrow();
    }
  });
});
