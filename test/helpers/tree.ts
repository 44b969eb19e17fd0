// The repository's files as the structure tests read them.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** the repository's root folder */
export const ROOT_DIR = fileURLToPath(new URL('../..', import.meta.url));

/** Every `.ts` file below `dir` (absolute paths), sorted. */
export function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...tsFiles(p));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out.sort();
}
