// Build outputs are cached outside the repo, keyed by a hash of everything that went into them,
// so a second build on the same machine (and CI on it) takes seconds.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, lstatSync, statSync, cpSync, rmSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { log } from './progress.ts';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** $WHALEBONE_CACHE, else $XDG_CACHE_HOME/whalebone, else ~/.cache/whalebone. */
export function cacheDir(...parts: string[]): string {
  const base = process.env.WHALEBONE_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'whalebone');
  const dir = join(base, ...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Where build outputs land for the app and tests to use (ignored by git). */
export function distDir(...parts: string[]): string {
  const dir = join(repoRoot, 'vm-images', 'dist', ...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export type HashInput = string | { file: string } | { dir: string };

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (lstatSync(p).isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out;
}

/** sha256 over strings, files (by content) and directories (by relative path and content). */
export function hashInputs(inputs: HashInput[]): string {
  const h = createHash('sha256');
  for (const input of inputs) {
    if (typeof input === 'string') h.update(`s:${input}\0`);
    else if ('file' in input) {
      // A file outside the checkout (a key in the user's cache) counts by name and content only, so
      // every clone of the repository, wherever it lives, computes the same key.
      const rel = relative(repoRoot, input.file);
      h.update(`f:${rel.startsWith('..') || isAbsolute(rel) ? `~/${basename(input.file)}` : rel}\0`).update(readFileSync(input.file));
    }
    else
      for (const f of listFiles(input.dir)) {
        // A symlink counts by its target text (it may dangle: it points into the guest, not here).
        if (lstatSync(f).isSymbolicLink()) {
          h.update(`l:${relative(input.dir, f)}\0${readlinkSync(f)}\0`);
          continue;
        }
        const mode = statSync(f).mode & 0o111 ? 'x' : '-';
        h.update(`d:${relative(input.dir, f)}:${mode}\0`).update(readFileSync(f));
      }
  }
  return h.digest('hex').slice(0, 20);
}

export interface CachedStage {
  /** Stage name, e.g. "kernel": the cache folder is <cache>/<name>/<hash>. */
  name: string;
  inputs: HashInput[];
  /** Fills outDir with the stage's outputs. Runs only on a cache miss. */
  build: (outDir: string) => Promise<void>;
}

/**
 * Returns the folder holding the stage's outputs, building them on a miss. A build writes to a
 * temporary folder that is renamed into place only when complete, so an interrupted build never
 * leaves a half-written cache entry.
 */
export async function cached(scope: string, stage: CachedStage): Promise<string> {
  const key = hashInputs(stage.inputs);
  const dir = cacheDir(stage.name);
  const final = join(dir, key);
  if (existsSync(join(final, '.complete'))) {
    log(scope, `${stage.name}: cached (${key})`);
    return final;
  }
  const tmp = join(dir, `.tmp-${key}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await stage.build(tmp);
  writeFileSync(join(tmp, '.complete'), new Date().toISOString() + '\n');
  rmSync(final, { recursive: true, force: true });
  renameSync(tmp, final);
  // Keep the newest dozen entries of a stage (several worktrees may share the cache); older ones are only disk weight.
  const entries = readdirSync(dir)
    .filter((n) => !n.startsWith('.') && n !== key)
    .map((n) => ({ n, t: statSync(join(dir, n)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const e of entries.slice(12)) rmSync(join(dir, e.n), { recursive: true, force: true });
  return final;
}

/** Copies a cached output file into vm-images/dist (or elsewhere). */
export function install(fromDir: string, name: string, toDir: string, asName = name): string {
  const to = join(toDir, asName);
  cpSync(join(fromDir, name), to, { recursive: true });
  return to;
}
