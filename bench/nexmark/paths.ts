import { join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const compiled = `${sep}dist${sep}bench${sep}nexmark${sep}`;

/** The source folder bench/nexmark (its .sql files are not copied into dist), whether run compiled or from source. */
export const NEXMARK_SOURCE_DIR = here.endsWith(compiled) ? here.slice(0, -compiled.length) + `${sep}bench${sep}nexmark${sep}` : here;
export const REPO_ROOT = resolve(NEXMARK_SOURCE_DIR, '..', '..');
/** The compiled `sluice` command, which `npm run build` writes. */
export const SLUICE_CLI = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
export const QUERIES_DIR = join(NEXMARK_SOURCE_DIR, 'queries');
export const DUCKDB_DIR = join(NEXMARK_SOURCE_DIR, 'duckdb');
