// Builds the app and serves dist/ under a sub-path with test/app/static-server.ts (compressed,
// byte ranges, a failure can be injected), as a static host would.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
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

/** Where the Chromium test files share one build of the app (they only read it). */
export const SHARED_DIST = 'test-results/dist-e2e';

/**
 * The app built once per test run (test/setup/host-tools.ts names the run) and shared by the
 * Chromium files: each build copies the guest's ~900 MB of assets and costs about 13 s of the two
 * cores. The first file to ask builds it under a lock; the others, in parallel workers, wait for
 * it. Returns the folder, relative to the repository, for serveBuilt.
 */
export async function sharedBuild(): Promise<string> {
  const run = process.env['WHALEBONE_TEST_RUN'];
  if (!run) {
    // Not started by vitest's global setup (one file run by hand): a build of its own.
    buildApp(SHARED_DIST);
    return SHARED_DIST;
  }
  const dir = join(repoRoot, SHARED_DIST);
  const stamp = join(dir, '.test-run');
  const lock = join(repoRoot, `${SHARED_DIST}.lock`);
  const built = () => existsSync(stamp) && readFileSync(stamp, 'utf8') === run;
  const deadline = Date.now() + 300_000;
  mkdirSync(dirname(lock), { recursive: true });
  while (!built()) {
    try {
      mkdirSync(lock, { recursive: false });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // Another file is building it, or a lock left by an earlier run that died.
      const owner: string = existsSync(join(lock, 'run')) ? readFileSync(join(lock, 'run'), 'utf8') : run;
      if (owner !== run) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`the shared app build (${SHARED_DIST}) did not finish within 5 minutes`);
      await new Promise((r) => setTimeout(r, 500));
      continue;
    }
    try {
      writeFileSync(join(lock, 'run'), run);
      if (!built()) {
        rmSync(stamp, { force: true });
        buildApp(SHARED_DIST);
        writeFileSync(stamp, run);
      }
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  return SHARED_DIST;
}

/** The sub-path the tests serve the app under (the build uses base './'). */
export const SUB_PATH = '/course/whalebone/';

/** Serves a build (outDir relative to the repository, as given to buildApp). */
export function serveBuilt(outDir = 'dist', port = 0): Promise<StaticServer> {
  return serveStatic({ root: join(repoRoot, outDir), base: SUB_PATH, port });
}
