// Builds the whole offline registry into one folder: an OCI image layout per repository, the
// layers unpacked beside them, and a catalog. See vm-images/images/README.md for the contract.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readPins } from '../lib/apt.ts';
import { run } from '../lib/exec.ts';
import { BuildError, log, stage } from '../lib/progress.ts';
import { buildBusyboxTree } from './busybox.ts';
import { mirrorPublicKey } from '../mirror-build/key.ts';
import { addDebianPackages, buildDebianBase, trustMirrorKey, MIRROR, nginxTweaks, SUITES } from './debian.ts';
import { buildHelloTree } from './hello-world.ts';
import { diffTrees, normalizeMtimes, stageDiff, writeLayerBlob, type LayerBlob } from './layer.ts';
import { readLock, REFRESH_HINT, type Lock, type LockedPackage } from './locks.ts';
import { writeImage, writeIndex, type Descriptor, type HistoryEntry, type ImageParts } from './oci.ts';
import type { Recipe } from './recipe.ts';

const SCOPE = 'images';

/** Per-image adjustments after the packages are in. */
const TWEAKS: Record<string, (tree: string) => void> = { nginx: nginxTweaks };

export interface BuildPlan {
  recipes: Recipe[];
  /** null: resolve the newest versions and return new locks (--update-locks). */
  locks: Record<string, Lock> | null;
  /** The created time of every image in --update-locks mode. */
  created?: string;
}

export interface CatalogEntry { tags: string[]; manifest: Descriptor; layers: string[]; }

function epochOf(created: string): number {
  return Math.floor(Date.parse(created) / 1000);
}

async function packLayer(tree: string, registry: string, pool: string, epoch: number, whiteouts: string[]): Promise<LayerBlob> {
  await normalizeMtimes(tree, epoch);
  const blob = await writeLayerBlob(tree, pool, epoch);
  const layer: LayerBlob = { ...blob, whiteouts };
  const hex = layer.diffId.slice(7);
  const unpacked = join(registry, 'layers', hex);
  mkdirSync(join(registry, 'layers'), { recursive: true });
  if (!existsSync(unpacked)) renameSync(tree, unpacked);
  writeFileSync(join(registry, 'layers', `${hex}.json`), JSON.stringify(layer, null, 2) + '\n');
  log(SCOPE, `layer ${hex.slice(0, 12)}: ${(layer.tarSize / 1048576).toFixed(1)} MiB tar, ${(layer.size / 1048576).toFixed(1)} MiB gzip${whiteouts.length ? `, ${whiteouts.length} whiteouts` : ''}`);
  return layer;
}

function lockFor(plan: BuildPlan, image: string): Lock | null {
  if (!plan.locks) return null;
  const l = plan.locks[image];
  if (!l) throw new BuildError(`no lock for ${image}: ${REFRESH_HINT}`);
  return l;
}

/** Builds every recipe into `registry`; returns the locks that describe what was built. */
export async function buildRegistry(registry: string, workDir: string, plan: BuildPlan): Promise<Record<string, Lock>> {
  const pool = join(workDir, 'blobs');
  const built = new Map<string, { parts: ImageParts; tree?: string }>();
  const newLocks: Record<string, Lock> = {};
  const catalog: Record<string, CatalogEntry> = {};
  // Bases first, so derived images find their parent's layers and root tree.
  const order = [...plan.recipes].sort((a, b) => Number(a.kind === 'debian-packages') - Number(b.kind === 'debian-packages'));
  for (const r of order) {
    const lock = lockFor(plan, r.name);
    const created = lock?.created ?? plan.created;
    if (!created) throw new BuildError('no created time for the images');
    const epoch = epochOf(created);
    const tree = join(workDir, `${r.name}-root`);
    const history: HistoryEntry[] = [];
    let layers: LayerBlob[] = [];
    let packages: LockedPackage[] = [];
    let keepTree: string | undefined;
    await stage(SCOPE, `${r.name}: build`, async () => {
      rmSync(tree, { recursive: true, force: true });
      if (r.kind === 'hello-world') {
        await buildHelloTree(tree);
        history.push({ created, created_by: 'COPY hello /hello # static i386, built from vm-images/images/hello-world/hello.c' });
        layers = [await packLayer(tree, registry, pool, epoch, [])];
      } else if (r.kind === 'busybox') {
        const pin = readPins().debs['busybox-static'];
        if (!pin) throw new BuildError('busybox-static is not pinned: run `npm run pin -- deb busybox-static`');
        packages = [{ name: 'busybox-static', version: pin.version, arch: pin.arch }];
        const locked = lock?.packages.find((p) => p.name === 'busybox-static');
        if (lock && locked?.version !== pin.version)
          throw new BuildError(`busybox.lock has busybox-static ${locked?.version ?? '(none)'} but vm-images/pins.json has ${pin.version}: ${REFRESH_HINT}`);
        await buildBusyboxTree(SCOPE, tree, workDir);
        history.push({ created, created_by: `ADD busybox-static ${pin.version} (Debian bookworm i386) with applet links` });
        layers = [await packLayer(tree, registry, pool, epoch, [])];
      } else if (r.kind === 'debian-base') {
        packages = await buildDebianBase(SCOPE, tree, workDir, lock?.packages ?? null, epoch);
        trustMirrorKey(tree, await mirrorPublicKey(SCOPE));
        history.push({ created, created_by: `mmdebstrap --variant=minbase --architectures=i386 bookworm ${MIRROR} (${SUITES.join(', ')}), dpkg path-exclude for docs, man pages and locales` });
        const keep = join(workDir, `${r.name}-base`);
        rmSync(keep, { recursive: true, force: true });
        // The base tree stays for derived images; the layer gets a copy.
        await run('cp', ['-a', tree, keep]);
        keepTree = keep;
        layers = [await packLayer(tree, registry, pool, epoch, [])];
      } else {
        const base = built.get(r.base ?? '');
        if (!base?.tree) throw new BuildError(`${r.name}: base image ${r.base} was not built`);
        packages = await addDebianPackages(SCOPE, r.name, base.tree, tree, r.packages, lock?.packages ?? null);
        TWEAKS[r.name]?.(tree);
        const diff = diffTrees(base.tree, tree);
        const staging = join(workDir, `${r.name}-layer`);
        rmSync(staging, { recursive: true, force: true });
        await stageDiff(tree, diff, staging);
        rmSync(tree, { recursive: true, force: true });
        history.push(...base.parts.history);
        history.push({ created, created_by: `RUN apt-get update && apt-get install -y --no-install-recommends ${r.packages.join(' ')} && apt-get clean` });
        layers = [...base.parts.layers, await packLayer(staging, registry, pool, epoch, diff.removed)];
      }
    });
    const parts: ImageParts = { layers, history, created };
    built.set(r.name, { parts, tree: keepTree });
    const layout = join(registry, r.name);
    const manifest = writeImage(layout, pool, parts, r.config);
    writeIndex(layout, r.name, r.tags, manifest);
    catalog[r.name] = { tags: [...r.tags].sort(), manifest, layers: layers.map((l) => l.diffId) };
    newLocks[r.name] = { created, packages };
    log(SCOPE, `${r.name}: ${manifest.digest} (${r.tags.map((t) => `${r.name}:${t}`).join(', ')})`);
  }
  const sorted = Object.fromEntries(Object.entries(catalog).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(join(registry, 'catalog.json'), JSON.stringify({ schemaVersion: 1, repositories: sorted }, null, 2) + '\n');
  for (const { tree } of built.values()) if (tree) rmSync(tree, { recursive: true, force: true });
  rmSync(pool, { recursive: true, force: true });
  return newLocks;
}

export function readAllLocks(recipes: Recipe[]): Record<string, Lock> {
  return Object.fromEntries(recipes.map((r) => [r.name, readLock(r.name)]));
}

export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}
