// Builds the app and serves dist/ under a sub-path with test/app/static-server.ts (compressed,
// byte ranges, a failure can be injected), as a static host would.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { serveStatic, type StaticServer } from './static-server.ts';
import { repoRoot } from '../../scripts/lib/cache.ts';
import { skipOutsideCi } from '../helpers/ci.ts';

export const DIST_VM = join(repoRoot, 'vm-images', 'dist');

/** Why the browser tests cannot run, or null. */
export function guestMissing(): string | null {
  const f = ['bzImage', 'initramfs.cpio.gz', 'bios.bin', 'state.bin.zst'].find((n) => !existsSync(join(DIST_VM, n)));
  return skipOutsideCi(f ? `vm-images/dist/${f} is missing (run npm run build:vm)` : null, 'the app in Chromium');
}

/**
 * A production build, as `npm run build` makes it, into outDir (relative to the repository; test
 * files that run in parallel build into folders of their own). Vitest sets NODE_ENV=test, and Vite builds with
 * an inherited NODE_ENV: import.meta.env.PROD would be false (no service worker) and Svelte would
 * compile in dev mode, so the child gets NODE_ENV=production.
 */
export function buildApp(outDir = 'dist'): void {
  const r = spawnSync(process.execPath, [join(repoRoot, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn', '--outDir', outDir], {
    cwd: repoRoot,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (r.status !== 0) throw new Error(`vite build failed (exit ${r.status})`);
}

/** The sub-path the tests serve the app under (the build uses base './'). */
export const SUB_PATH = '/course/whalebone/';

/** Serves a build (outDir relative to the repository, as given to buildApp). */
export function serveBuilt(outDir = 'dist', port = 0): Promise<StaticServer> {
  return serveStatic({ root: join(repoRoot, outDir), base: SUB_PATH, port });
}
