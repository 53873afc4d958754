// Node-only: a guest for `lesson test` and the lesson tests, reset to the same clean state
// before each lesson (booted once, then restored from a saved state).
import type { VmApi } from '../vm/types.ts';

export interface TestVm {
  vm: VmApi;
  /** Puts the guest back in its just-booted state. */
  fresh(): Promise<void>;
  close(): Promise<void>;
}

/** memoryMiB: a lesson's environment.memory (null: the default guest, from the boot snapshot). */
export async function openTestVm(log: (line: string) => void = () => {}, memoryMiB: number | null = null): Promise<TestVm | { skip: string }> {
  // Loaded on demand: `lesson check` and the unit tests never need v86.
  let driver: typeof import('../vm/node.ts');
  try {
    driver = await import('../vm/node.ts');
  } catch (e) {
    throw new Error(`the VM driver (src/vm/node.ts) cannot be loaded: ${(e as Error).message.split('\n')[0]}`);
  }
  const missing = driver.missingBootFile();
  if (missing) return { skip: `the guest is not built (${missing} is missing; run npm run build:vm)` };
  // Sizes without a boot snapshot of their own boot cold (the driver says so in the log).
  const vm: VmApi = driver.createNodeVm(memoryMiB ? { memoryMiB, log: (m) => log(`vm: ${m}`) } : {});
  const t0 = Date.now();
  try {
    await vm.boot({ onProgress: (p) => (p.phase === 'ready' || p.phase === 'restoring' ? log(`vm: ${p.message}`) : undefined) });
  } catch (e) {
    // The artifacts are there, so this is a real failure, not a reason to skip.
    await vm.destroy().catch(() => undefined);
    throw e;
  }
  log(`vm: ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  let clean: ArrayBuffer | null = await vm.saveState();
  let used = false;
  return {
    vm,
    async fresh() {
      if (used && clean) await vm.restoreState(clean);
      used = true;
    },
    async close() {
      clean = null;
      await vm.destroy();
    },
  };
}
