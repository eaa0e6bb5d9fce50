/**
 * `npm run bench:crash`: the exactly-once crash scenario (crash-scenario.ts) at a larger size and
 * with more kills, several seeds; prints each round's runs, kills and whether the outputs matched.
 * CRASH_EVENTS (default 1M), CRASH_KILLS (12), CRASH_ROUNDS (3), CRASH_SEED (1) and
 * CRASH_CHECKPOINT_MS (100) change the sizes.
 */

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCrashScenario } from './crash-scenario.js';

const events = Number(process.env['CRASH_EVENTS'] ?? 1_000_000);
const kills = Number(process.env['CRASH_KILLS'] ?? 12);
const rounds = Number(process.env['CRASH_ROUNDS'] ?? 3);
const firstSeed = Number(process.env['CRASH_SEED'] ?? 1);

let failed = 0;
for (let round = 0; round < rounds; round++) {
  const seed = firstSeed + round;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-crash-bench-'));
  const started = Date.now();
  try {
    const r = await runCrashScenario({ dir, events, seed, kills, checkpointMs: Number(process.env['CRASH_CHECKPOINT_MS'] ?? 100), progress: (line) => process.stderr.write(`  ${line}\n`) });
    console.log(`seed ${seed}: ${events} events, ${r.expected} window rows expected; crashed copy: ${r.runs} runs, ${r.kills.length} kills; outputs ${r.matched ? 'matched the uncrashed run and the data exactly' : 'DID NOT MATCH'} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    for (const k of r.kills) console.log(`  killed ${k}`);
    for (const p of r.problems) console.log(`  ${p}`);
    if (!r.matched) failed++;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
console.log(failed ? `${failed} of ${rounds} rounds did not match` : `all ${rounds} rounds matched`);
process.exitCode = failed ? 1 : 0;
