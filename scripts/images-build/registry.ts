// Assembles the offline registry from the images' entries (image.ts): an OCI image layout per
// repository, the layers unpacked beside them, and a catalog. See vm-images/images/README.md for
// the contract. Layers and blobs are hard links into the entries: assembling takes seconds.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { log } from '../lib/progress.ts';
import { linkTree, readEntry } from './image.ts';
import { readLock, type Lock } from './locks.ts';
import { writeImage, writeIndex, type Descriptor } from './oci.ts';
import type { Recipe } from './recipe.ts';

const SCOPE = 'images';

export interface CatalogEntry { tags: string[]; manifest: Descriptor; layers: string[]; }

/** Writes the registry into `registry` from each recipe's built entry folder. */
export async function assembleRegistry(registry: string, workDir: string, recipes: Recipe[], entries: Map<string, string[]>): Promise<void> {
  const pool = join(workDir, 'blobs');
  mkdirSync(join(pool, 'sha256'), { recursive: true });
  mkdirSync(join(registry, 'layers'), { recursive: true });
  const catalog: Record<string, CatalogEntry> = {};
  // Bases first: a derived image's manifest links its base's blobs from the pool.
  for (const r of [...recipes].sort((a, b) => Number(a.kind === 'debian-packages') - Number(b.kind === 'debian-packages'))) {
    const dirs = entries.get(r.name);
    const top = dirs?.at(-1);
    if (!dirs || !top) throw new Error(`no built entry for ${r.name}`);
    const entry = readEntry(top);
    // Each entry holds the layers it added; a derived image's base layers come from the base's entry.
    for (const dir of dirs) {
      for (const name of existsSync(join(dir, 'layers')) ? readdirSync(join(dir, 'layers')) : []) {
        const to = join(registry, 'layers', name);
        if (existsSync(to)) continue;
        if (name.endsWith('.json')) writeFileSync(to, readFileSync(join(dir, 'layers', name)));
        else await linkTree(join(dir, 'layers', name), to);
      }
      for (const name of readdirSync(join(dir, 'blobs', 'sha256'))) {
        const to = join(pool, 'sha256', name);
        if (!existsSync(to)) await linkTree(join(dir, 'blobs', 'sha256', name), to);
      }
    }
    const layout = join(registry, r.name);
    const parts = { layers: entry.layers, history: entry.history, created: entry.created };
    const manifest = writeImage(layout, pool, parts, r.config);
    writeIndex(layout, r.name, r.tags, manifest);
    catalog[r.name] = { tags: [...r.tags].sort(), manifest, layers: entry.layers.map((l) => l.diffId) };
    log(SCOPE, `${r.name}: ${manifest.digest} (${r.tags.map((t) => `${r.name}:${t}`).join(', ')})`);
  }
  const sorted = Object.fromEntries(Object.entries(catalog).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(join(registry, 'catalog.json'), JSON.stringify({ schemaVersion: 1, repositories: sorted }, null, 2) + '\n');
  rmSync(pool, { recursive: true, force: true });
}

export function readAllLocks(recipes: Recipe[]): Record<string, Lock> {
  return Object.fromEntries(recipes.map((r) => [r.name, readLock(r.name)]));
}
