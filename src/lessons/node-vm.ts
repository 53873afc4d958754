// Node-only: a guest for `lesson test` and the lesson tests, reset to the same clean state
// before each lesson (booted once, then restored from a saved state).
import type { VmApi } from '../vm/types.ts';

export interface TestVm {
  vm: VmApi;
  /** Puts the guest back in its just-booted state. */
  fresh(): Promise<void>;
  close(): Promise<void>;
}

interface NodeDriver {
  createNodeVm(): VmApi;
  /** The first guest artifact missing for a boot, or null. */
  missingBootFile?: () => string | null;
}

// A variable specifier keeps this module loadable (and type-checkable) before the driver exists.
const DRIVER = '../vm/node.ts';

export async function openTestVm(log: (line: string) => void = () => {}): Promise<TestVm | { skip: string }> {
  let driver: NodeDriver;
  try {
    driver = (await import(/* @vite-ignore */ DRIVER)) as NodeDriver;
  } catch (e) {
    return { skip: `the VM driver (src/vm/node.ts) cannot be loaded: ${(e as Error).message.split('\n')[0]}` };
  }
  const missing = driver.missingBootFile?.();
  if (missing) return { skip: `the guest is not built (${missing} is missing; run npm run build:vm)` };
  const vm = driver.createNodeVm();
  const t0 = Date.now();
  try {
    await vm.boot({ onProgress: (p) => (p.phase === 'ready' || p.phase === 'restoring' ? log(`vm: ${p.message}`) : undefined) });
  } catch (e) {
    await vm.destroy().catch(() => undefined);
    return { skip: `the guest did not boot (run npm run build:vm?): ${(e as Error).message.split('\n')[0]}` };
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
