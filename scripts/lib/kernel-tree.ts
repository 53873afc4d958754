// The kernel's build tree in the cache, while it is still there (the kernel stage keeps it; a
// clean cache has none): the tools that look at a running guest read its System.map.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from './cache.ts';

/** System.map of the newest tree the kernel was built in, or null when there is none. */
export function kernelSystemMap(): string | null {
  const work = cacheDir('work');
  if (!existsSync(work)) return null;
  for (const d of readdirSync(work).filter((d) => d.startsWith('linux-')).sort((a, b) => statSync(join(work, b)).mtimeMs - statSync(join(work, a)).mtimeMs)) {
    for (const s of existsSync(join(work, d)) ? readdirSync(join(work, d)) : []) {
      const map = join(work, d, s, 'System.map');
      if (existsSync(map)) return readFileSync(map, 'utf8');
    }
  }
  return null;
}
