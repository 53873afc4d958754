// Gives a test file one booted guest (restored from the boot snapshot, or cold-booted when there
// is none), or a skip reason when the guest image has not been built yet.
import { afterAll, beforeAll, expect } from 'vitest';
import type { VmCore } from '../../src/vm/core.ts';
import { createNodeVm, missingBootFile, type NodeVmOptions } from '../../src/vm/node.ts';
import type { ExecOptions } from '../../src/vm/types.ts';
import { skipOutsideCi } from './ci.ts';

let cachedReason: string | null | undefined;

/** Why guest tests cannot run here, or null when they can. */
export function vmSkipReason(): string | null {
  if (cachedReason !== undefined) return cachedReason;
  const missing = missingBootFile();
  cachedReason = skipOutsideCi(missing ? `${missing} is missing: run npm run build:vm` : null, 'guest tests');
  return cachedReason;
}

/** A describe() title that carries the skip reason when there is one. */
export function guestSuite(title: string): string {
  const reason = vmSkipReason();
  return reason ? `${title} (skipped: ${reason})` : title;
}

/** Boots a guest before the file's tests and destroys it after; use inside describe.skipIf(vmSkipReason()). */
export function useGuest(opts: NodeVmOptions = {}): { readonly vm: VmCore } {
  let vm: VmCore | null = null;
  beforeAll(async () => {
    vm = createNodeVm({ log: (m) => console.warn(`vm: ${m}`), ...opts });
    await vm.boot();
  });
  afterAll(async () => {
    await vm?.destroy();
  });
  return {
    get vm(): VmCore {
      if (!vm) throw new Error('the guest has not booted');
      return vm;
    },
  };
}

/** Runs a command that must succeed; returns its stdout. Failures show stdout and stderr. */
export async function sh(vm: VmCore, command: string, opts?: ExecOptions): Promise<string> {
  // Generous: the emulator shares two cores with the rest of the machine.
  const r = await vm.exec(command, { timeoutMs: 100_000, ...opts });
  expect(r.exitCode, `\`${command}\` exited ${r.exitCode}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(0);
  return r.stdout;
}
