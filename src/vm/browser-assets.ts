// Assets for the browser: fetched from the URL where the app serves vm-images/dist.
import { DIST_FILES, type SnapshotMeta } from './assets.ts';
import type { VmAssetLoader } from './core.ts';

export interface BrowserVmConfig {
  /** URL of the folder serving vm-images/dist, e.g. "/vm/" (absolute, or relative to the worker). */
  distUrl: string;
  /** URL of v86.wasm (the worker defaults to the copy Vite bundles from node_modules/v86). */
  wasmUrl?: string;
  /** Kernel command line (vm-images/cmdline.txt; the app can import it with ?raw). */
  cmdline: string;
  memoryMiB?: number;
  /** virtio-net on v86's in-page fetch network (default true). */
  network?: boolean;
  /** Show the offline registry at /mnt/host/registry, read lazily over HTTP (default true). */
  registry?: boolean;
}

export function joinUrl(base: string, name: string): string {
  return (base.endsWith('/') ? base : base + '/') + name;
}

async function fetchBuffer(url: string): Promise<ArrayBuffer> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return res.arrayBuffer();
}

export function urlAssets(config: BrowserVmConfig & { wasmUrl: string }): VmAssetLoader {
  const at = (name: string) => joinUrl(config.distUrl, name);
  return {
    wasm: () => fetchBuffer(config.wasmUrl),
    async bios() {
      const [bios, vgaBios] = await Promise.all([fetchBuffer(at(DIST_FILES.bios)), fetchBuffer(at(DIST_FILES.vgaBios))]);
      return { bios, vgaBios };
    },
    async kernel() {
      const [bzImage, initrd] = await Promise.all([fetchBuffer(at(DIST_FILES.bzImage)), fetchBuffer(at(DIST_FILES.initrd))]);
      return { bzImage, initrd, cmdline: config.cmdline };
    },
    async snapshot(memoryMiB) {
      const metaRes = await fetch(at(DIST_FILES.snapshotMeta)).catch(() => null);
      if (!metaRes?.ok) return { missing: `no boot snapshot at ${at(DIST_FILES.snapshotMeta)}` };
      const meta = (await metaRes.json().catch(() => null)) as SnapshotMeta | null;
      if (!meta) return { missing: 'the boot snapshot metadata is not JSON' };
      if (meta.memoryMiB !== memoryMiB) return { missing: `the boot snapshot is for ${meta.memoryMiB} MiB, not ${memoryMiB} MiB` };
      const res = await fetch(at(DIST_FILES.snapshot)).catch(() => null);
      if (!res?.ok) return { missing: `no boot snapshot at ${at(DIST_FILES.snapshot)}` };
      return { state: await res.arrayBuffer() };
    },
  };
}
