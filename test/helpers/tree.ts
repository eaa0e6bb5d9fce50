import fs from 'node:fs';
import path from 'node:path';

/** Every file and folder under `root` (hidden ones too), as sorted relative paths; folders end with `/`. */
export function snapshotTree(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        out.push(`${r}/`);
        walk(path.join(dir, entry.name), r);
      } else out.push(r);
    }
  };
  walk(root, '');
  return out.sort();
}

/** What `after` has that `before` lacks, and what it lost. */
export function treeChanges(before: readonly string[], after: readonly string[]): { added: string[]; removed: string[] } {
  const had = new Set(before);
  const has = new Set(after);
  return { added: after.filter((p) => !had.has(p)), removed: before.filter((p) => !has.has(p)) };
}
