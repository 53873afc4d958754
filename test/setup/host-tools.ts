// Host programs some tests compare our output with (GNU cpio reads our initramfs writer's
// archives, skopeo copies our registry's images). Under CI=true they are installed from Debian
// before any test file is collected, so those tests run instead of skipping; elsewhere a test
// without its tool skips and says why. It also names the run (WHALEBONE_TEST_RUN).
import { ensureHostTools } from '../../scripts/lib/apt.ts';
import { inCi } from '../helpers/ci.ts';

export const TEST_TOOLS: Record<string, string> = { cpio: 'cpio', skopeo: 'skopeo' };

export default async function setup(): Promise<void> {
  // Names this run for the test files' workers (forked after this): the Chromium files share one
  // app build per run (test/app/server.ts sharedBuild).
  process.env['WHALEBONE_TEST_RUN'] = `${process.pid}-${Date.now()}`;
  if (inCi) await ensureHostTools('test tools', TEST_TOOLS);
}
