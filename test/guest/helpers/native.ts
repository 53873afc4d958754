// Shared set-up for native engine tests: the built binary, root check, and a busybox bundle made
// from Debian's pinned busybox-static (i386, static, so it runs in an empty root).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../../scripts/lib/cache.ts';
import { extractDeb, fetchDeb } from '../../../scripts/lib/apt.ts';
import { runcDefaultSpec, type OciSpec } from '../../../src/guest/runc/spec.ts';
import { skipOutsideCi } from '../../helpers/ci.ts';

export const BINARY = join(repoRoot, 'vm-images', 'dist', 'runtime', 'whalebone');
/** The same runtime built for this host (scripts/runtime-build/host.ts), for native benchmarks. */
export const HOST_BINARY = join(repoRoot, 'vm-images', 'dist', 'runtime', 'whalebone-host');

/** Why native tests cannot run here, or null when they can (under CI=true a reason throws). */
export function nativeSkipReason(): string | null {
  const reason = !existsSync(BINARY) ? `runtime binary not built (${BINARY}); run npm run build:runtime`
    : process.getuid?.() !== 0 ? 'native engine tests need root' : null;
  return skipOutsideCi(reason, 'native engine tests');
}

let busyboxPath: string | null = null;

export async function busyboxBinary(): Promise<string> {
  if (busyboxPath) return busyboxPath;
  const deb = await fetchDeb('test', 'busybox-static');
  const dir = `${deb}.extracted`;
  if (!existsSync(join(dir, 'bin', 'busybox'))) await extractDeb(deb, dir);
  busyboxPath = join(dir, 'bin', 'busybox');
  return busyboxPath;
}

export const APPLETS = ['sh', 'echo', 'true', 'false', 'cat', 'ls', 'hostname', 'sleep', 'id', 'grep', 'mount', 'readlink', 'touch', 'head', 'wc', 'ps', 'env', 'pwd'];

/** A bundle dir with rootfs/bin/busybox and applet links, and config.json from `patch`. */
export async function busyboxBundle(dir: string, patch: (s: OciSpec) => void): Promise<string> {
  const rootfs = join(dir, 'rootfs');
  mkdirSync(join(rootfs, 'bin'), { recursive: true });
  mkdirSync(join(rootfs, 'etc'), { recursive: true });
  copyFileSync(await busyboxBinary(), join(rootfs, 'bin', 'busybox'));
  for (const a of APPLETS) symlinkSync('busybox', join(rootfs, 'bin', a));
  const spec = runcDefaultSpec();
  spec.process!.terminal = false;
  patch(spec);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(spec, null, 2));
  return dir;
}

/**
 * Runs the binary and collects its output. `quiet` gives it no pipes: a container it leaves
 * running would hold them open (as with real runc), and spawnSync would wait for it.
 */
export function run(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeout?: number; quiet?: boolean } = {}) {
  const r = spawnSync(BINARY, args, {
    cwd: opts.cwd, env: opts.env ?? process.env, input: opts.input, timeout: opts.timeout ?? 30_000, encoding: 'utf8',
    stdio: opts.quiet ? 'ignore' : 'pipe',
  });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Waits for a daemon's socket to appear; throws (rather than letting the next step fail obscurely) when it does not. */
export async function waitForSocket(path: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`no socket at ${path} after ${timeoutMs / 1000} s: the daemon did not start`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
