import { writeSync } from 'node:fs';

/**
 * A debugging and test hook on the checkpoint protocol. SLUICE_TRACE_CHECKPOINTS=1 prints each
 * step ("checkpoint 3 pre-committed", "checkpoint 3 written", "sink views committed 3");
 * SLUICE_CRASH_AT='<text>#<n>' also SIGKILLs the process right after the n-th step whose line
 * contains <text>, so a crash test stops it at an exact point (a kill sent from outside lands
 * a few milliseconds late, after the next step).
 */
export function checkpointTrace(env: NodeJS.ProcessEnv, out: NodeJS.WritableStream): ((line: string) => void) | undefined {
  const crash = /^(.+)#(\d+)$/.exec(env['SLUICE_CRASH_AT'] ?? '');
  if (env['SLUICE_TRACE_CHECKPOINTS'] !== '1' && !crash) return undefined;
  let seen = 0;
  return (line) => {
    out.write(`sluice: ${line}\n`);
    if (crash && line.includes(crash[1]!) && ++seen === Number(crash[2])) {
      // Synchronously: the protocol's next step must not start.
      writeSync(2, `sluice: crashing at "${line}" (SLUICE_CRASH_AT)\n`);
      process.kill(process.pid, 'SIGKILL');
    }
  };
}
