// Builds (or takes from the cache) everything the app and the tests need, in dependency order:
// the runtime binary goes into the guest image, the guest image into the boot snapshot.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './lib/cache.ts';
import { log, totalElapsed } from './lib/progress.ts';
import { ensureI386Exec } from './images-build/i386-exec.ts';

// The image build and the runtime's native tests run i386 programs on this amd64 host. A binfmt
// registration does not survive a reboot while the caches do, so check it on every run.
await ensureI386Exec('prepare');

// The mirror comes before the images: the debian image trusts the mirror's signing key.
const steps = ['build-runtime.ts', 'build-mirror.ts', 'build-images.ts', 'build-vm.ts'];

for (const step of steps) {
  const script = join(repoRoot, 'scripts', step);
  if (!existsSync(script)) continue;
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], { stdio: 'inherit', cwd: repoRoot });
  if (r.status !== 0) {
    log('prepare', `${step} failed (exit ${r.status ?? r.signal}); see the messages above`);
    process.exit(r.status ?? 1);
  }
}
log('prepare', `guest images ready (${totalElapsed()})`);
