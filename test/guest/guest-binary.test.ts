// End to end in the v86 guest: the installed multi-call binary, and the real system calls on the
// guest's own i386 kernel (the native probe, run by whalebone-run from the 9p share).
import { copyFileSync, existsSync, mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { guestSuite, sh, useGuest, vmSkipReason } from '../helpers/vm.ts';
import { bundle } from '../../scripts/runtime-build/bytecode.ts';
import { extractDeb, fetchDeb } from '../../scripts/lib/apt.ts';
import { repoRoot } from '../../scripts/lib/cache.ts';

const runner = join(repoRoot, 'vm-images/dist/runtime/whalebone-run');
const skip = vmSkipReason() ?? (existsSync(runner) ? null : 'vm-images/dist/runtime/whalebone-run is missing: run npm run build:runtime');

// The share is listed when the guest boots, so it is filled first (this beforeAll is registered
// before useGuest's).
const share = skip ? '' : mkdtempSync(join(tmpdir(), 'wb-guest-rt-'));

describe.skipIf(skip)(skip ? `whalebone in the guest (skipped: ${skip})` : guestSuite('whalebone in the guest'), () => {
  beforeAll(async () => {
    await bundle(join(repoRoot, 'test/guest/native/probe.ts'), join(share, 'probe.js'));
    copyFileSync(runner, join(share, 'whalebone-run'));
    chmodSync(join(share, 'whalebone-run'), 0o755);
    await extractDeb(await fetchDeb('test', 'busybox-static'), join(share, 'bb'));
  });
  const g = useGuest({ shares: { rt: share } });

  it('answers docker --version through the /usr/bin links', async () => {
    expect(await sh(g.vm, 'docker --version')).toMatch(/^Docker version \d+\.\d+\.\d+, build whalebone\n$/);
    expect(await sh(g.vm, 'whalebone docker --version')).toBe(await sh(g.vm, 'docker --version'));
    expect(await sh(g.vm, 'for f in docker runc dockerd; do readlink /usr/bin/$f; done')).toBe('whalebone\nwhalebone\nwhalebone\n');
  });

  it('exits 125 with usage for an unknown role', async () => {
    const r = await g.vm.exec('whalebone nosuchrole');
    expect(r.exitCode).toBe(125);
    expect(r.stderr).toContain('Usage:');
  });

  it('runs the syscall probe on the guest kernel: namespaces, pivot_root, setuid, unix socket echo', async () => {
    const out = await sh(
      g.vm,
      [
        'set -e',
        'd=/tmp/wbprobe; rm -rf $d; mkdir -p $d/root/bin $d/root/proc $d/root/tmp',
        'cp /mnt/host/rt/whalebone-run /mnt/host/rt/probe.js $d/',
        'cp /mnt/host/rt/bb/bin/busybox $d/root/bin/busybox',
        'chmod 755 $d/whalebone-run $d/root/bin/busybox',
        '$d/whalebone-run $d/probe.js namespaces $d/root',
        '$d/whalebone-run $d/probe.js setuid',
        '$d/whalebone-run $d/probe.js echo $d/echo.sock',
      ].join('\n'),
      { timeoutMs: 90_000 },
    );
    const results = out.split('\n').filter((l) => l.startsWith('RESULT ')).map((l) => JSON.parse(l.slice(7)) as Record<string, unknown>);
    expect(results).toHaveLength(3);
    expect(results[0]).toMatchObject({ pid: 1, hostname: 'wb-child', procSelf: '1', exit: 42, hostUnchanged: true });
    expect(results[1]).toMatchObject({ uid: 65534, regained: false, setuid0: { code: 'EPERM' } });
    expect(results[2]).toMatchObject({ got: 'ping ✓ whalebone', clientExit: 0 });
  }, 180_000);
});

process.on('exit', () => {
  if (share) rmSync(share, { recursive: true, force: true });
});
