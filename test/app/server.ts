// Serves the built app (dist/, built here if missing or older than the sources) with `vite preview`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { preview, type PreviewServer } from 'vite';
import { repoRoot } from '../../scripts/lib/cache.ts';

export const DIST_VM = join(repoRoot, 'vm-images', 'dist');

/** Why the browser tests cannot run, or null. */
export function guestMissing(): string | null {
  for (const f of ['bzImage', 'initramfs.cpio.gz', 'bios.bin', 'state.bin.zst'])
    if (!existsSync(join(DIST_VM, f))) return `vm-images/dist/${f} is missing (run npm run build:vm)`;
  return null;
}

export function buildApp(): void {
  const r = spawnSync(process.execPath, [join(repoRoot, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: repoRoot, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`vite build failed (exit ${r.status})`);
}

export async function serveBuilt(): Promise<{ url: string; close: () => Promise<void> }> {
  const server: PreviewServer = await preview({ root: repoRoot, configFile: join(repoRoot, 'vite.config.ts'), preview: { port: 0, host: '127.0.0.1' }, logLevel: 'warn' });
  const addr = server.httpServer.address();
  if (!addr || typeof addr === 'string') throw new Error('preview server has no port');
  return { url: `http://127.0.0.1:${addr.port}/`, close: () => server.close() };
}
