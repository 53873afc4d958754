// The JIT region limit (src/vm/jit.ts) on the real v86 and guest: VmCore sets it before the guest
// runs (so every other guest test runs under it too), and a guest restored under it runs the
// engine's commands as before.
import { describe, expect, it } from 'vitest';
import { V86 } from 'v86';
import { DEFAULT_MEMORY_MIB, VmCore } from '../../src/vm/core.ts';
import { distPath, nodeAssets } from '../../src/vm/node.ts';
import { diskFolder } from '../../src/vm/node-share.ts';
import { DIST_FILES } from '../../src/vm/assets.ts';
import { JIT_MAX_PAGES, jitMaxPages } from '../../src/vm/jit.ts';
import type { V86Constructor, V86Emulator } from '../../src/vm/v86-types.ts';
import { guestSuite, vmSkipReason } from '../helpers/vm.ts';

/** Wraps a constructor so the test can reach the emulator VmCore makes. */
function recording(V: V86Constructor): { V86: V86Constructor; made: V86Emulator[] } {
  const made: V86Emulator[] = [];
  const Recording = class extends (V as unknown as new (o: never) => V86Emulator) {
    constructor(o: never) {
      super(o);
      made.push(this);
    }
  } as unknown as V86Constructor;
  return { V86: Recording, made };
}

async function restoredGuest(V: V86Constructor, jitMaxPages?: number | null): Promise<VmCore> {
  const vm = new VmCore({
    V86: V,
    ...(jitMaxPages === undefined ? {} : { jitMaxPages }),
    assets: nodeAssets(),
    memoryMiB: DEFAULT_MEMORY_MIB,
    shares: { registry: diskFolder(distPath(DIST_FILES.registry), distPath(DIST_FILES.registryIndex)) },
  });
  await vm.boot();
  return vm;
}

describe.skipIf(vmSkipReason())(guestSuite('v86 JIT region limit'), () => {
  it('v86 itself spans more pages per JIT module than ours', async () => {
    const { V86: V, made } = recording(V86 as unknown as V86Constructor);
    const vm = await restoredGuest(V, null);
    try {
      expect(jitMaxPages(made[0]!)).toBeGreaterThan(JIT_MAX_PAGES);
    } finally {
      await vm.destroy();
    }
  });

  it('sets the limit before the guest runs, and the restored guest runs docker under it', async () => {
    const { V86: V, made } = recording(V86 as unknown as V86Constructor);
    const vm = await restoredGuest(V);
    try {
      expect(jitMaxPages(made[0]!)).toBe(JIT_MAX_PAGES);
      const r = await vm.exec('docker pull -q busybox && docker run --rm busybox echo one-page-jit', { timeoutMs: 120_000 });
      expect(r.stderr).toBe('');
      expect(r.stdout.trim().split('\n')).toEqual(['docker.io/library/busybox:latest', 'one-page-jit']);
      expect(r.exitCode).toBe(0);
    } finally {
      await vm.destroy();
    }
  }, 180_000);
});
