// The shared-library resolver for the guest userland. Starting from the ELF files we keep of the
// root packages, it follows DT_NEEDED sonames and the program interpreter, finds each one in a
// package that an included package depends on, includes that package, and repeats. Only the
// library files actually reached are installed, so libc6's 10+ MB shrink to what is used.
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { BuildError, log } from '../lib/progress.ts';
import { extractedDeb, pinOf, type ExtractedDeb } from './debs.ts';
import { elfNeeds, isElf } from './elf.ts';
import { resolveInTree, walkTree } from './tree.ts';

/** Where Debian's i386 dynamic loader looks for libraries without an ld.so.cache. */
export const LIB_DIRS = ['lib/i386-linux-gnu', 'usr/lib/i386-linux-gnu', 'lib', 'usr/lib'];

export interface RootPackage {
  name: string;
  /** Which of the package's paths (relative, "bin/ip") go into the guest. */
  keep: (path: string) => boolean;
}

export interface TreeFile {
  pkg: ExtractedDeb;
  path: string;
}

export interface Resolution {
  /** Root packages first, then the library packages that were needed. */
  packages: ExtractedDeb[];
  files: TreeFile[];
}

interface Provider {
  pkg: ExtractedDeb;
  chain: string[];
}

function findIn(pkg: ExtractedDeb, need: string): string[] | null {
  if (need.startsWith('/')) return resolveInTree(pkg.tree, need);
  for (const dir of LIB_DIRS) {
    const chain = resolveInTree(pkg.tree, `${dir}/${need}`);
    if (chain) return chain;
  }
  return null;
}

export async function resolveLibraries(scope: string, roots: RootPackage[]): Promise<Resolution> {
  const packages: ExtractedDeb[] = [];
  const files = new Map<string, TreeFile>();
  const examined = new Set<string>();
  // Dependencies already unpacked and searched, kept in case a later soname lives in one of them.
  const pool: ExtractedDeb[] = [];
  const unpinned = new Set<string>();
  const queue: TreeFile[] = [];
  const addFile = (f: TreeFile) => {
    if (files.has(f.path)) return;
    files.set(f.path, f);
    const full = join(f.pkg.tree, f.path);
    if (lstatSync(full).isFile() && isElf(full)) queue.push(f);
  };

  for (const root of roots) {
    const pkg = await extractedDeb(scope, root.name);
    packages.push(pkg);
    examined.add(root.name);
    for (const path of walkTree(pkg.tree)) if (root.keep(path) && !lstatSync(join(pkg.tree, path)).isDirectory()) addFile({ pkg, path });
  }

  const provide = async (need: string): Promise<Provider | null> => {
    for (const pkg of packages) {
      const chain = findIn(pkg, need);
      if (chain) return { pkg, chain };
    }
    for (const pkg of pool) {
      const chain = findIn(pkg, need);
      if (chain) {
        pool.splice(pool.indexOf(pkg), 1);
        packages.push(pkg);
        log(scope, `  ${need} <- ${pkg.name} ${pkg.pin.version}`);
        return { pkg, chain };
      }
    }
    // Not in what we have: look through the dependencies of the included packages, breadth first.
    for (let i = 0; i < packages.length; i++) {
      for (const dep of (packages[i] as ExtractedDeb).depends) {
        if (examined.has(dep)) continue;
        if (!pinOf(dep)) {
          unpinned.add(dep);
          continue;
        }
        examined.add(dep);
        const pkg = await extractedDeb(scope, dep);
        const chain = findIn(pkg, need);
        if (chain) {
          packages.push(pkg);
          log(scope, `  ${need} <- ${dep} ${pkg.pin.version}`);
          return { pkg, chain };
        }
        pool.push(pkg);
      }
    }
    return null;
  };

  const missing: string[] = [];
  const suspects = new Set<string>(); // unpinned dependencies of the packages with unresolved needs
  while (queue.length > 0) {
    const f = queue.shift() as TreeFile;
    const needs = await elfNeeds(join(f.pkg.tree, f.path));
    for (const need of [...(needs.interpreter ? [needs.interpreter] : []), ...needs.needed]) {
      const p = await provide(need);
      if (!p) {
        missing.push(`${need} (needed by /${f.path} of ${f.pkg.name})`);
        for (const dep of f.pkg.depends) if (unpinned.has(dep)) suspects.add(dep);
        continue;
      }
      for (const path of p.chain) addFile({ pkg: p.pkg, path });
    }
  }
  if (missing.length > 0) {
    const hint = suspects.size > 0 ? `\nunpinned dependencies that may provide them: npm run pin -- deb ${[...suspects].sort().join(' ')}` : '';
    throw new BuildError(`unresolved shared libraries:\n  ${[...new Set(missing)].join('\n  ')}${hint}`);
  }
  return { packages, files: [...files.values()] };
}
