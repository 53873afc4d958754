// npm run build:images [-- --update-locks [image...]]
// Builds the offline registry (i386 OCI images from Debian bookworm packages): each image into a
// cache entry of its own, keyed by its recipe, lock, files, the build code and its base's key, then
// the registry from those entries, and installs it as vm-images/dist/registry.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureHostTools, readPins } from './lib/apt.ts';
import { cacheDir, cached, distDir, hashInputs, repoRoot, type HashInput } from './lib/cache.ts';
import { run } from './lib/exec.ts';
import { BuildError, log, runMain, stage, totalElapsed } from './lib/progress.ts';
import { mirrorPublicKey } from './mirror-build/key.ts';
import { assertNoMounts } from './images-build/debian.ts';
import { ensureI386Exec } from './images-build/i386-exec.ts';
import { buildFilesLayer, buildImage, tweakInputs } from './images-build/image.ts';
import { lockPath, readLock, writeLock } from './images-build/locks.ts';
import { imagesDir, loadRecipes, type Recipe } from './images-build/recipe.ts';
import { assembleRegistry } from './images-build/registry.ts';

const SCOPE = 'images';
const USAGE = 'usage: npm run build:images [-- --update-locks [image...]]';

/** The code that makes the images (this file only drives it and installs the result). */
const CODE: HashInput = { dir: join(repoRoot, 'scripts', 'images-build') };

/** What one image's entry is made from; a derived image's key includes its base's. */
function imageInputs(r: Recipe, baseKey: string | null, mirrorKey: string): HashInput[] {
  return [
    // The debian base trusts the offline mirror's key; derived images follow through baseKey.
    ...(r.kind === 'debian-base' ? [{ file: mirrorKey }] : []),
    'image-v1',
    // Only what the build reads: tags and config go into the registry stage, files into their own.
    JSON.stringify({ name: r.name, kind: r.kind, base: r.base ?? null, packages: r.packages, run: r.run }),
    ...(existsSync(lockPath(r.name)) ? [{ file: lockPath(r.name) }] : ['no lock']),
    ...(r.kind === 'hello-world' ? [{ dir: join(imagesDir, 'hello-world') }] : []),
    CODE,
    // Only the pins the images use: a kernel pin change must not rebuild them.
    ...(r.kind === 'busybox' ? [JSON.stringify(readPins().debs['busybox-static'] ?? null)] : []),
    ...tweakInputs(r.name),
    `base ${baseKey ?? '-'}`,
  ];
}

/** Adds the recipe's files layer (its own cache entry) on top of the image's entry `below`. */
async function withFiles(r: Recipe, below: string, belowKey: string): Promise<{ dir: string; key: string }> {
  if (!r.files) return { dir: below, key: belowKey };
  const inputs: HashInput[] = ['files-v1', `below ${belowKey}`, { dir: join(imagesDir, r.files) }, CODE];
  const work = join(cacheDir('images-work'), `${r.name}-files-${process.pid}`);
  const dir = await cached(SCOPE, { name: `image-${r.name}-files`, inputs, build: async (out) => {
    mkdirSync(work, { recursive: true });
    try {
      await buildFilesLayer(r, below, out, work);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  } });
  return { dir, key: hashInputs(inputs) };
}

/** Bases first, so derived images find their base's entry. */
function buildOrder(recipes: Recipe[]): Recipe[] {
  return [...recipes].sort((a, b) => Number(a.kind === 'debian-packages') - Number(b.kind === 'debian-packages'));
}

async function hostTools(): Promise<void> {
  await ensureHostTools(SCOPE, {
    mmdebstrap: 'mmdebstrap',
    'arch-test': 'arch-test',
    'i686-linux-gnu-gcc': 'gcc-i686-linux-gnu',
    make: 'make', // nginx's own build
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
  const update = args[0] === '--update-locks';
  const recipes = loadRecipes();
  const mirrorKey = await mirrorPublicKey(SCOPE);
  const names = update ? args.slice(1) : args;
  if (!update && args.length) throw new BuildError(`unknown argument ${args[0]}\n${USAGE}`);
  for (const n of names) if (!recipes.some((r) => r.name === n)) throw new BuildError(`no image ${n} in images.json (${recipes.map((r) => r.name).join(', ')})\n${USAGE}`);
  for (const r of recipes) if (r.name === 'layers') throw new BuildError('"layers" is reserved in the registry layout');
  // --update-locks alone refreshes every lock; with names, only those images' (a new image gets its first lock).
  const refresh = new Set(update ? (names.length ? names : recipes.map((r) => r.name)) : []);
  const created = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z');

  let toolsReady = false;
  const tools = async () => {
    if (!toolsReady) await hostTools();
    toolsReady = true;
  };
  /** Per image: its entry folders, bottom first (the packages entry, then the files entry). */
  const entries = new Map<string, string[]>();
  const keys = new Map<string, string>();
  const finish = async (r: Recipe, dir: string, key: string) => {
    const top = await withFiles(r, dir, key);
    entries.set(r.name, top.dir === dir ? [dir] : [dir, top.dir]);
    keys.set(r.name, top.key);
  };
  for (const r of buildOrder(recipes)) {
    const baseEntry = r.base ? entries.get(r.base)?.at(-1) : undefined;
    const baseKey = r.base ? (keys.get(r.base) ?? null) : null;
    const stageName = `image-${r.name}`;
    const work = join(cacheDir('images-work'), `${r.name}-${process.pid}`);
    const clean = () => {
      assertNoMounts(work);
      rmSync(work, { recursive: true, force: true });
    };
    if (refresh.has(r.name)) {
      // Resolve the archive's current versions by building, then lock them and keep the build.
      const scratch = join(work, 'entry');
      mkdirSync(scratch, { recursive: true });
      try {
        await tools();
        const entry = await stage(SCOPE, `${r.name}: build with the newest bookworm versions`, () =>
          buildImage(r, scratch, { lock: null, created, ...(baseEntry ? { baseEntry } : {}), workDir: work }),
        );
        writeLock(r.name, { created, packages: entry.packages });
        log(SCOPE, `wrote vm-images/images/${r.name}.lock`);
        const inputs = imageInputs(r, baseKey, mirrorKey);
        const dir = await cached(SCOPE, { name: stageName, inputs, build: async (out) => {
          rmSync(out, { recursive: true, force: true });
          renameSync(scratch, out);
        } });
        await finish(r, dir, hashInputs(inputs));
      } finally {
        clean();
      }
      continue;
    }
    const lock = readLock(r.name);
    const inputs = imageInputs(r, baseKey, mirrorKey);
    const dir = await cached(SCOPE, { name: stageName, inputs, build: async (out) => {
      await tools();
      mkdirSync(work, { recursive: true });
      try {
        const t0 = Date.now();
        await stage(SCOPE, `${r.name}: build`, () => buildImage(r, out, { lock, created: lock.created, ...(baseEntry ? { baseEntry } : {}), workDir: work }));
        writeFileSync(join(out, 'build-time'), `${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
      } finally {
        clean();
      }
    } });
    await finish(r, dir, hashInputs(inputs));
  }

  const result = await cached(SCOPE, {
    name: 'registry',
    inputs: ['registry-v2', { file: join(imagesDir, 'images.json') }, CODE, ...recipes.map((r) => `${r.name} ${keys.get(r.name)}`)],
    build: async (out) => {
      const work = join(cacheDir('images-work'), `registry-${process.pid}`);
      rmSync(work, { recursive: true, force: true });
      mkdirSync(join(out, 'registry'), { recursive: true });
      try {
        await assembleRegistry(join(out, 'registry'), work, recipes, entries);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    },
  });
  const target = await installRegistry(result);
  const repos = readdirSync(target).filter((n) => existsSync(join(target, n, 'index.json')));
  log(SCOPE, `registry ready in ${target} (${repos.join(', ')}) after ${totalElapsed()}`);
}

runMain(SCOPE, main);
