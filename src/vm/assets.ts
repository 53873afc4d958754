// Names of the guest artifacts in vm-images/dist (Node reads them there; the app serves that
// folder and gives the worker its URL). The kernel command line is vm-images/cmdline.txt; besides
// the console it has tsc=reliable (no clocksource watchdog: in the emulator its check only ever
// found the TSC unstable, with no other clocksource to turn to) and 8250.nr_uarts=2 (the guest
// uses ttyS0 and ttyS1; probing four took cold-boot time).
export const DIST_FILES = {
  bzImage: 'bzImage',
  initrd: 'initramfs.cpio.gz',
  bios: 'bios.bin',
  vgaBios: 'vgabios.bin',
  /** zstd-compressed v86 state after boot; v86's restore_state decompresses it itself. */
  snapshot: 'state.bin.zst',
  snapshotMeta: 'state.json',
  /** The offline registry folder and its 9p index (see share.ts). */
  registry: 'registry',
  registryIndex: 'registry.fs.json',
  /** The offline Debian mirror (scripts/build-mirror.ts) and its 9p index: read on demand, never at boot. */
  mirror: 'mirror',
  mirrorIndex: 'mirror.fs.json',
  /** The guest's glibc tools (ip, unshare...) and their libraries (scripts/vm-build/rootfs.ts) and its 9p index. */
  tools: 'tools',
  toolsIndex: 'tools.fs.json',
} as const;

/** Where the guest mounts the 9p share; each attached folder is a directory in it. */
export const GUEST_SHARE = '/mnt/host';

/**
 * The boot snapshot's files for a guest size. The default size keeps the plain names (its
 * state.json also tells the browser which size that is); a lesson that asks for more memory
 * (environment.memory) gets a snapshot of its own, state-<MiB>.bin.zst, so it restores instead of
 * booting cold.
 */
export function snapshotFiles(memoryMiB: number | null): { state: string; meta: string } {
  if (memoryMiB === null) return { state: DIST_FILES.snapshot, meta: DIST_FILES.snapshotMeta };
  return { state: `state-${memoryMiB}.bin.zst`, meta: `state-${memoryMiB}.json` };
}

/** Written beside the snapshot by scripts/build-snapshot.ts. */
export interface SnapshotMeta {
  /** Hash of what the snapshot was booted from (kernel, initramfs, cmdline, BIOS, v86, memory). */
  inputs: string;
  memoryMiB: number;
  v86: string;
  rawBytes: number;
  compressedBytes: number;
  createdAt: string;
}

/**
 * A lesson's starting state (scripts/build-lesson-states.ts): the guest saved right after the
 * lesson's set-up (images pulled, setup script run), so opening the lesson restores it instead of
 * running the set-up again in the learner's tab.
 */
export function lessonStateFiles(slug: string): { state: string; meta: string } {
  return { state: `lesson-${slug}.bin.zst`, meta: `lesson-${slug}.json` };
}

/** Written beside a lesson state. */
export interface LessonStateMeta {
  slug: string;
  /** lessonStartKey() of the lesson it was made from: a lesson edited since no longer matches. */
  key: string;
  memoryMiB: number;
  /** The boot snapshot's inputs hash it was made from. */
  bootInputs: string;
  v86: string;
  rawBytes: number;
  compressedBytes: number;
  createdAt: string;
}

/**
 * Names one build of a saved state, for the decompressed copy a loader keeps of it (KeepRaw in
 * core.ts): a rebuilt state has another creation time, so a copy of the old one is never used.
 */
export function rawStateTag(meta: { createdAt: string; rawBytes: number }): string {
  return `${meta.createdAt.replace(/[^0-9A-Za-z]/g, '')}-${meta.rawBytes}`;
}

/**
 * Node keeps the decompressed copies of the states it restores in this folder of vm-images/dist,
 * as <state file>.<rawStateTag>; the app's build leaves it out.
 */
export const RAW_STATES_DIR = '.raw';
