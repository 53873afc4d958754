// Pinned Debian packages as extracted trees (cached per checksum) and their dependency fields.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../lib/cache.ts';
import { extractDeb, fetchDeb, readPins, type DebPin } from '../lib/apt.ts';
import { run } from '../lib/exec.ts';

export interface ExtractedDeb {
  name: string;
  pin: DebPin;
  /** The package's files, as `dpkg-deb -x` left them. */
  tree: string;
  /** Names of packages in Depends and Pre-Depends, every alternative, without versions or arch qualifiers. */
  depends: string[];
}

/** Parses a Depends field: "a (>= 1) | b, c:any" -> ["a", "b", "c"]. */
export function parseDepends(field: string): string[] {
  const names: string[] = [];
  for (const group of field.split(','))
    for (const alt of group.split('|')) {
      const name = alt.trim().split(/[\s(:[]/)[0];
      if (name && !names.includes(name)) names.push(name);
    }
  return names;
}

export function pinOf(name: string): DebPin | undefined {
  return readPins().debs[name];
}

/** Downloads (checksum-checked) and extracts a pinned package once; later calls reuse the tree. */
export async function extractedDeb(scope: string, name: string): Promise<ExtractedDeb> {
  const pin = pinOf(name);
  const deb = await fetchDeb(scope, name); // throws a clear "not pinned" error
  if (!pin) throw new Error(`unreachable: ${name} fetched without a pin`);
  const dir = cacheDir('extract', `${name}_${pin.sha256.slice(0, 16)}`);
  const tree = join(dir, 'tree');
  if (!existsSync(join(dir, '.complete'))) {
    rmSync(tree, { recursive: true, force: true });
    await extractDeb(deb, tree);
    const control = await run('dpkg-deb', ['-f', deb, 'Depends', 'Pre-Depends']);
    writeFileSync(join(dir, 'depends'), control);
    writeFileSync(join(dir, '.complete'), '');
  }
  const control = readFileSync(join(dir, 'depends'), 'utf8');
  const fields = control.split('\n').map((l) => l.replace(/^(Pre-)?Depends:\s*/, '')).join(',');
  return { name, pin, tree, depends: parseDepends(fields) };
}
