/** Whether the engine binds a join, asked once of the engine itself, so what Sluice says about reference tables follows what it can do. */

import { Engine } from '../runtime/engine.js';

let joins: boolean | undefined;

export function engineJoins(): boolean {
  if (joins !== undefined) return joins;
  const engine = new Engine({});
  try {
    engine.execute('CREATE STREAM "S" ("K" VARCHAR); CREATE STREAM "R" ("K" VARCHAR, "V" VARCHAR);\nCREATE STREAM "J" AS SELECT STREAM "S"."K", "R"."V" FROM "S" JOIN "R" ON "S"."K" = "R"."K";');
    joins = true;
  } catch {
    joins = false;
  } finally {
    void engine.close().catch(() => undefined);
  }
  return joins;
}
