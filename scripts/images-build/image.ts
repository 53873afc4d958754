// One image of the offline registry, built into a folder of its own (a cache entry keyed by its
// recipe, lock, files and its base's entry), so adding or changing an image rebuilds that image
// only, not the debian base under it (minutes of mmdebstrap under qemu-user).
//
// Entry layout:
//   layers/<diff_id hex>/        the layers this image adds, unpacked (see README.md)
//   layers/<diff_id hex>.json    their LayerBlob records
//   blobs/sha256/<digest>        their gzip blobs
//   image.json                   ImageEntry: every layer bottom first (the base's too), history, packages
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readPins } from '../lib/apt.ts';
import { run } from '../lib/exec.ts';
import { BuildError, log } from '../lib/progress.ts';
import { buildBusyboxTree } from './busybox.ts';
import { addDebianPackages, buildDebianBase, MIRROR, SUITES, trustMirrorKey } from './debian.ts';
import { mirrorPublicKey } from '../mirror-build/key.ts';
import { buildHelloTree } from './hello-world.ts';
import { nginxInputs, nginxTweaks } from './nginx.ts';
import { diffTrees, normalizeMtimes, stageDiff, writeLayerBlob, type LayerBlob } from './layer.ts';
import { REFRESH_HINT, type LockedPackage } from './locks.ts';
import type { HistoryEntry } from './oci.ts';
import { imagesDir, type Recipe } from './recipe.ts';

const SCOPE = 'images';

/**
 * Per-image steps after the packages are in, in the same layer: `apply` returns its history text,
 * `inputs` is what it is built from beyond the build code (for the image's cache key).
 */
const TWEAKS: Record<string, { apply: (tree: string) => Promise<string>; inputs: () => string[] }> = {
  nginx: { apply: nginxTweaks, inputs: nginxInputs },
};

export function tweakInputs(image: string): string[] {
  return TWEAKS[image]?.inputs() ?? [];
}

export interface ImageEntry {
  created: string;
  /** Every layer of the image, bottom first (a derived image's base layers included). */
  layers: LayerBlob[];
  history: HistoryEntry[];
  /** What dpkg says the image contains (the lock's content). */
  packages: LockedPackage[];
}

export const ENTRY_FILE = 'image.json';

export function readEntry(dir: string): ImageEntry {
  return JSON.parse(readFileSync(join(dir, ENTRY_FILE), 'utf8')) as ImageEntry;
}

export function epochOf(created: string): number {
  return Math.floor(Date.parse(created) / 1000);
}

/** Packs `tree` as a layer into the entry: the blob, and the tree itself unpacked beside it. */
async function packLayer(tree: string, out: string, epoch: number, whiteouts: string[]): Promise<LayerBlob> {
  await normalizeMtimes(tree, epoch);
  const blob = await writeLayerBlob(tree, join(out, 'blobs'), epoch);
  const layer: LayerBlob = { ...blob, whiteouts };
  const hex = layer.diffId.slice(7);
  mkdirSync(join(out, 'layers'), { recursive: true });
  const unpacked = join(out, 'layers', hex);
  if (!existsSync(unpacked)) renameSync(tree, unpacked);
  writeFileSync(join(out, 'layers', `${hex}.json`), JSON.stringify(layer, null, 2) + '\n');
  log(SCOPE, `layer ${hex.slice(0, 12)}: ${(layer.tarSize / 1048576).toFixed(1)} MiB tar, ${(layer.size / 1048576).toFixed(1)} MiB gzip${whiteouts.length ? `, ${whiteouts.length} whiteouts` : ''}`);
  return layer;
}

/**
 * Copies a folder of ours into a fresh tree the way `COPY` with root ownership does: owner
 * root:root, directories 0755, files 0755 when executable in git, else 0644 (git keeps no other
 * mode bits, so the build does not depend on a checkout's umask). Symlinks are not allowed.
 */
export function stageFiles(from: string, to: string): number {
  let n = 0;
  const walk = (rel: string) => {
    const dir = join(to, rel);
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o755);
    for (const name of readdirSync(join(from, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(from, r));
      if (st.isDirectory()) walk(r);
      else if (st.isFile()) {
        copyFileSync(join(from, r), join(to, r));
        chmodSync(join(to, r), st.mode & 0o111 ? 0o755 : 0o644);
        n++;
      } else throw new BuildError(`${join(from, r)}: only regular files and folders can be copied into an image`);
    }
  };
  walk('');
  return n;
}

export interface ImageBuildContext {
  /** The image's lock (null: resolve the archive's newest versions). */
  lock: { created: string; packages: LockedPackage[] } | null;
  created: string;
  /** For a debian-packages image: its base's entry folder. */
  baseEntry?: string;
  /** Scratch space, removed by the caller. */
  workDir: string;
}

/** Builds one recipe, without its `files` layer, into the (empty) entry folder `out`. */
export async function buildImage(r: Recipe, out: string, ctx: ImageBuildContext): Promise<ImageEntry> {
  const { created, workDir, lock } = ctx;
  const epoch = epochOf(created);
  const tree = join(workDir, `${r.name}-root`);
  rmSync(tree, { recursive: true, force: true });
  const history: HistoryEntry[] = [];
  let layers: LayerBlob[] = [];
  let packages: LockedPackage[] = [];
  if (r.kind === 'hello-world') {
    await buildHelloTree(tree);
    history.push({ created, created_by: 'COPY hello /hello # static i386, built from vm-images/images/hello-world/hello.c' });
    layers = [await packLayer(tree, out, epoch, [])];
  } else if (r.kind === 'busybox') {
    const pin = readPins().debs['busybox-static'];
    if (!pin) throw new BuildError('busybox-static is not pinned: run `npm run pin -- deb busybox-static`');
    packages = [{ name: 'busybox-static', version: pin.version, arch: pin.arch }];
    const locked = lock?.packages.find((p) => p.name === 'busybox-static');
    if (lock && locked?.version !== pin.version)
      throw new BuildError(`busybox.lock has busybox-static ${locked?.version ?? '(none)'} but vm-images/pins.json has ${pin.version}: ${REFRESH_HINT}`);
    await buildBusyboxTree(SCOPE, tree, workDir);
    history.push({ created, created_by: `ADD busybox-static ${pin.version} (Debian bookworm i386) with applet links` });
    layers = [await packLayer(tree, out, epoch, [])];
  } else if (r.kind === 'debian-base') {
    packages = await buildDebianBase(SCOPE, tree, workDir, lock?.packages ?? null, epoch);
    // apt in every Debian-based image trusts the offline mirror's signing key (/etc/apt/trusted.gpg.d)
    trustMirrorKey(tree, await mirrorPublicKey(SCOPE));
    history.push({ created, created_by: `mmdebstrap --variant=minbase --architectures=i386 bookworm ${MIRROR} (${SUITES.join(', ')}), dpkg path-exclude for docs, man pages and locales` });
    layers = [await packLayer(tree, out, epoch, [])];
  } else {
    if (!ctx.baseEntry) throw new BuildError(`${r.name}: base image ${r.base} was not built`);
    const base = readEntry(ctx.baseEntry);
    const baseLayer = base.layers.length === 1 ? base.layers[0] : undefined;
    if (!baseLayer) throw new BuildError(`${r.name}: base image ${r.base} must have exactly one layer`);
    const baseTree = join(ctx.baseEntry, 'layers', baseLayer.diffId.slice(7));
    packages = await addDebianPackages(SCOPE, r.name, baseTree, tree, r.packages, lock?.packages ?? null, r.run);
    const tweak = await TWEAKS[r.name]?.apply(tree);
    const diff = diffTrees(baseTree, tree);
    const staging = join(workDir, `${r.name}-layer`);
    rmSync(staging, { recursive: true, force: true });
    await stageDiff(tree, diff, staging);
    rmSync(tree, { recursive: true, force: true });
    history.push(...base.history);
    const steps = [`apt-get update && apt-get install -y --no-install-recommends ${r.packages.join(' ')} && apt-get clean`, ...r.run, ...(tweak ? [tweak] : [])];
    history.push({ created, created_by: `RUN ${steps.join(' && ')}` });
    layers = [...base.layers, await packLayer(staging, out, epoch, diff.removed)];
  }
  const entry: ImageEntry = { created, layers, history, packages };
  writeFileSync(join(out, ENTRY_FILE), JSON.stringify(entry, null, 2) + '\n');
  return entry;
}

/**
 * The recipe's `files` folder as one more layer on top of a built image (its entry folder
 * `below`): an entry of its own, so editing an entrypoint script rebuilds this small layer only.
 */
export async function buildFilesLayer(r: Recipe, below: string, out: string, workDir: string): Promise<ImageEntry> {
  if (!r.files) throw new BuildError(`${r.name} has no files folder`);
  const base = readEntry(below);
  const files = join(workDir, `${r.name}-files`);
  rmSync(files, { recursive: true, force: true });
  const n = stageFiles(join(imagesDir, r.files), files);
  const history = [...base.history, { created: base.created, created_by: `COPY ${r.files}/ / # ${n} files written for this image (vm-images/images/${r.files})` }];
  const layers = [...base.layers, await packLayer(files, out, epochOf(base.created), [])];
  const entry: ImageEntry = { created: base.created, layers, history, packages: base.packages };
  writeFileSync(join(out, ENTRY_FILE), JSON.stringify(entry, null, 2) + '\n');
  return entry;
}

/** Hard-links (or copies across filesystems) a folder tree: cp -al keeps owners and modes. */
export async function linkTree(from: string, to: string): Promise<void> {
  await run('cp', ['-al', from, to]).catch(() => run('cp', ['-a', from, to]));
}
