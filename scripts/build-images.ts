// npm run build:images [-- --update-locks]
// Builds the offline registry (i386 OCI images from Debian bookworm packages) into the cache,
// keyed by a hash of the recipes, locks and pins, and installs it as vm-images/dist/registry.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureHostTools, readPins } from './lib/apt.ts';
import { cacheDir, cached, distDir, repoRoot, type HashInput } from './lib/cache.ts';
import { run } from './lib/exec.ts';
import { BuildError, log, runMain, stage, totalElapsed } from './lib/progress.ts';
import { mirrorPublicKey } from './mirror-build/key.ts';
import { assertNoMounts } from './images-build/debian.ts';
import { ensureI386Exec } from './images-build/i386-exec.ts';
import { lockPath, writeLock } from './images-build/locks.ts';
import { imagesDir, loadRecipes, type Recipe } from './images-build/recipe.ts';
import { buildRegistry, readAllLocks } from './images-build/registry.ts';

const SCOPE = 'images';
const USAGE = 'usage: npm run build:images [-- --update-locks]';

function inputs(recipes: Recipe[], mirrorKey: string): HashInput[] {
  return [
    'registry-v1',
    // The debian image trusts the offline mirror's key (/etc/apt/trusted.gpg.d).
    { file: mirrorKey },
    { file: join(imagesDir, 'images.json') },
    ...recipes.map((r) => ({ file: lockPath(r.name) })),
    { dir: join(imagesDir, 'hello-world') },
    // The code that makes the registry (this file only drives it and installs the result).
    { dir: join(repoRoot, 'scripts', 'images-build') },
    // Only the pins the images use: a kernel pin change must not rebuild them.
    JSON.stringify(readPins().debs['busybox-static'] ?? null),
  ];
}

async function hostTools(): Promise<void> {
  await ensureHostTools(SCOPE, {
    mmdebstrap: 'mmdebstrap',
    'arch-test': 'arch-test',
    'i686-linux-gnu-gcc': 'gcc-i686-linux-gnu',
    'dpkg-deb': 'dpkg',
    chroot: 'coreutils',
  });
  if (process.getuid?.() !== 0) throw new BuildError('building the images needs root (mmdebstrap --mode=root, chroot, mount)');
  await ensureI386Exec(SCOPE);
}

/** Copies the cached registry to vm-images/dist/registry unless that copy is already this build. */
async function installRegistry(cachedDir: string): Promise<string> {
  // The cache key plus when that entry was completed: a rebuilt entry under the same key (after
  // a manual cache wipe) is copied again.
  const key = `${cachedDir.split('/').pop() ?? ''} ${readFileSync(join(cachedDir, '.complete'), 'utf8').trim()}`;
  const dist = distDir();
  const target = join(dist, 'registry');
  const stamp = join(target, '.build-key');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === key) {
    log(SCOPE, `vm-images/dist/registry is up to date (${key})`);
    return target;
  }
  const tmp = join(dist, `.registry-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  // cp -a keeps hard links (shared blobs), owners and modes.
  await run('cp', ['-a', join(cachedDir, 'registry'), tmp]);
  writeFileSync(join(tmp, '.build-key'), key + '\n');
  rmSync(target, { recursive: true, force: true });
  renameSync(tmp, target);
  return target;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  for (const a of args) if (a !== '--update-locks') throw new BuildError(`unknown argument ${a}\n${USAGE}`);
  const update = args.includes('--update-locks');
  const recipes = loadRecipes();
  const mirrorKey = await mirrorPublicKey(SCOPE);
  for (const r of recipes) if (r.name === 'layers') throw new BuildError('"layers" is reserved in the registry layout');

  let result: string;
  if (update) {
    await hostTools();
    // Resolve the archive's current versions by building, then lock them and keep the build.
    const created = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    const scratch = join(cacheDir('images-work'), `update-${process.pid}`);
    rmSync(scratch, { recursive: true, force: true });
    mkdirSync(join(scratch, 'registry'), { recursive: true });
    try {
      const locks = await stage(SCOPE, 'build with the newest bookworm versions', () =>
        buildRegistry(join(scratch, 'registry'), scratch, { recipes, locks: null, created }),
      );
      for (const [name, lock] of Object.entries(locks)) writeLock(name, lock);
      log(SCOPE, `wrote ${Object.keys(locks).map((n) => `vm-images/images/${n}.lock`).join(', ')}`);
      result = await cached(SCOPE, {
        name: 'registry',
        inputs: inputs(recipes, mirrorKey),
        build: async (out) => renameSync(join(scratch, 'registry'), join(out, 'registry')),
      });
    } finally {
      assertNoMounts(scratch);
      rmSync(scratch, { recursive: true, force: true });
    }
  } else {
    const locks = readAllLocks(recipes);
    result = await cached(SCOPE, {
      name: 'registry',
      inputs: inputs(recipes, mirrorKey),
      build: async (out) => {
        await hostTools();
        const work = join(cacheDir('images-work'), `build-${process.pid}`);
        rmSync(work, { recursive: true, force: true });
        mkdirSync(join(out, 'registry'), { recursive: true });
        try {
          await buildRegistry(join(out, 'registry'), work, { recipes, locks });
        } finally {
          assertNoMounts(work);
          rmSync(work, { recursive: true, force: true });
        }
      },
    });
  }
  const target = await installRegistry(result);
  const repos = readdirSync(target).filter((n) => existsSync(join(target, n, 'index.json')));
  log(SCOPE, `registry ready in ${target} (${repos.join(', ')}) after ${totalElapsed()}`);
}

runMain(SCOPE, main);
