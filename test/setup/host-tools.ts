// Host programs some tests compare our output with (GNU cpio reads our initramfs writer's
// archives, skopeo copies our registry's images). Under CI=true they are installed from Debian
// before any test file is collected, so those tests run instead of skipping; elsewhere a test
// without its tool skips and says why.
import { ensureHostTools } from '../../scripts/lib/apt.ts';
import { inCi } from '../helpers/ci.ts';

export const TEST_TOOLS: Record<string, string> = { cpio: 'cpio', skopeo: 'skopeo' };

export default async function setup(): Promise<void> {
  if (inCi) await ensureHostTools('test tools', TEST_TOOLS);
}
