// `npm run build:vm`: the guest image pipeline. Kernel, initramfs and BIOS are each built from
// pinned Debian packages (or taken from the cache when their inputs are unchanged), copied into
// vm-images/dist/, and then the VM driver's snapshot builder boots them once to save a snapshot,
// and runs each lesson's set-up on it to save that lesson's starting state.
import { copyFileSync, cpSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { buildLessonStates } from './build-lesson-states.ts';
import { buildSnapshots } from './build-snapshot.ts';
import { DIST_FILES } from '../src/vm/assets.ts';
import { distDir, repoRoot } from './lib/cache.ts';
import { log, runMain, stage, totalElapsed } from './lib/progress.ts';
import { buildKernel } from './vm-build/kernel.ts';
import { buildRootfs } from './vm-build/rootfs.ts';
import { buildBios } from './vm-build/bios.ts';

const SCOPE = 'build:vm';
export const CMDLINE_FILE = join(repoRoot, 'vm-images', 'cmdline.txt');

function mib(path: string): string {
  return `${(statSync(path).size / 1048576).toFixed(2)} MiB`;
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

runMain(SCOPE, async () => {
  const dist = distDir();
  const kernel = await stage(SCOPE, 'kernel', () => buildKernel('kernel'));
  const rootfs = await stage(SCOPE, 'initramfs', () => buildRootfs('initramfs'));
  const bios = await stage(SCOPE, 'bios', () => buildBios('bios'));

  const outputs: Record<string, string> = {
    'bzImage': kernel.bzImage,
    'kernel.config': kernel.config,
    'initramfs.cpio.gz': rootfs.initramfs,
    'bios.bin': bios.bios,
    'vgabios.bin': bios.vgaBios,
  };
  for (const [name, from] of Object.entries(outputs)) copyFileSync(from, join(dist, name));
  // the guest's glibc tools, which the driver serves on the 9p share (read on demand, never in the snapshot)
  rmSync(join(dist, DIST_FILES.tools), { recursive: true, force: true });
  cpSync(rootfs.tools, join(dist, DIST_FILES.tools), { recursive: true, verbatimSymlinks: true });
  copyFileSync(rootfs.toolsIndex, join(dist, DIST_FILES.toolsIndex));
  const cmdline = readFileSync(CMDLINE_FILE, 'utf8').trim();
  // What the snapshot builder and the driver boot; the hashes let them key their own caches.
  const manifest = {
    kernelRelease: kernel.release,
    cmdline,
    files: Object.fromEntries(Object.keys(outputs).map((n) => [n, { bytes: statSync(join(dist, n)).size, sha256: sha256(join(dist, n)) }])),
  };
  writeFileSync(join(dist, 'guest.json'), JSON.stringify(manifest, null, 2) + '\n');
  log(SCOPE, `vm-images/dist: bzImage ${mib(join(dist, 'bzImage'))} (Linux ${kernel.release}), initramfs ${mib(join(dist, 'initramfs.cpio.gz'))}, bios.bin + vgabios.bin`);

  await stage(SCOPE, 'snapshots', buildSnapshots);
  // After the snapshots and the registry's index: each state starts from one and pulls from the other.
  await stage(SCOPE, 'lesson starting states', buildLessonStates);
  log(SCOPE, `done in ${totalElapsed()}`);
});
