// Names of the guest artifacts in vm-images/dist (Node reads them there; the app serves that
// folder and gives the worker its URL). The kernel command line is vm-images/cmdline.txt.
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
} as const;

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
