// User namespaces with id mappings, for real. The host build of the runtime (x86-64) runs them:
// the i386 build runs here only through qemu-user, whose helper threads make the kernel refuse
// unshare(CLONE_NEWUSER) (it wants a single-threaded caller), so only the native build can.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { skipOutsideCi } from '../../helpers/ci.ts';
import { busyboxBundle, HOST_BINARY } from '../helpers/native.ts';
import type { OciSpec } from '../../../src/guest/runc/spec.ts';

const skip = skipOutsideCi(
  !existsSync(HOST_BINARY) ? `host build of the runtime missing (${HOST_BINARY}); run npm run build:runtime`
    : process.getuid?.() !== 0 ? 'user namespace tests need root' : null,
  'user namespace native tests',
);
const dir = mkdtempSync(join(tmpdir(), 'wb-userns-'));
// the container's root (host uid 100000) must be able to reach its rootfs, as with runc
chmodSync(dir, 0o755);
const root = join(dir, 'state');
afterAll(() => {
  // a failed test must not leave its container waiting on the fifo
  if (skip === null) for (const id of runc(['list', '-q']).stdout.split('\n').filter(Boolean)) runc(['delete', '-f', id]);
  rmSync(dir, { recursive: true, force: true });
});

/** The host binary picks its role from argv[0]'s name or the first argument. */
function runc(args: string[], quiet = false) {
  const r = spawnSync(HOST_BINARY, ['runc', '--root', root, ...args], {
    cwd: dir, encoding: 'utf8', timeout: 60_000, stdio: quiet ? 'ignore' : 'pipe',
  });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/**
 * A busybox bundle owned by the container's root, as a runtime with remapped ids lays out its
 * images (the mount points it creates are then its own to make).
 */
async function mappedBundle(name: string, patch: (s: OciSpec) => void): Promise<string> {
  const b = await busyboxBundle(join(dir, name), (s) => {
    mapped(s);
    patch(s);
  });
  spawnSync('chown', ['-R', '100000:200000', join(b, 'rootfs')]);
  return b;
}

/** A shell loop printing a file's lines (word-split, so runs of spaces become one). */
const show = (file: string): string => `while read a b c; do echo $a $b $c; done < ${file}`;

function mapped(s: OciSpec): void {
  s.linux!.namespaces!.push({ type: 'user' });
  s.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
  s.linux!.gidMappings = [{ containerID: 0, hostID: 200000, size: 65536 }];
}

describe.skipIf(skip !== null)(`runc with a user namespace${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('runs the container as root inside, mapped to the host ids of the config, with proc and sysfs mounted', async () => {
    const shared = join(dir, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    const b = await mappedBundle('b1', (s) => {
      // shell builtins only: busybox under qemu-user runs some applets as sh when the shell starts them
      s.process!.args = ['sh', '-c', `${show('/proc/self/uid_map')}; ${show('/proc/self/gid_map')}; id -u; id -g; echo $$; : > /shared/made;
        while read dev at type rest; do [ "$at $type" = "/sys sysfs" ] && echo sysfs; done < /proc/self/mounts; exit 3`];
      s.mounts!.push({ destination: '/shared', type: 'bind', source: shared, options: ['rbind'] });
    });
    const r = runc(['run', '-b', b, 'u1']);
    expect(r.stderr).toBe('');
    // `run` waits for the init, which stage 1 left to us: its exit code comes back
    expect(r.code).toBe(3);
    const lines = r.stdout.trim().split('\n').map((l) => l.trim().replace(/\s+/g, ' '));
    expect(lines).toEqual(['0 100000 65536', '0 200000 65536', '0', '0', '1', 'sysfs']);
    // what the container's root creates belongs to the mapped ids on the host
    const st = statSync(join(shared, 'made'));
    expect([st.uid, st.gid]).toEqual([100000, 200000]);
    expect(existsSync(join(root, 'u1'))).toBe(false);
  });

  it('creates, execs into the namespace, and deletes', async () => {
    const b = await mappedBundle('b2', (s) => {
      s.process!.args = ['sleep', '30'];
    });
    expect(runc(['create', '-b', b, 'u2'], true).code).toBe(0);
    const pid = Number(JSON.parse(runc(['state', 'u2']).stdout).pid);
    // the init is in a user namespace of its own, as host uid 100000
    const status = spawnSync('cat', [`/proc/${pid}/status`], { encoding: 'utf8' }).stdout;
    expect(status).toMatch(/^Uid:\s+100000\s+100000\s+100000\s+100000$/m);
    const e = runc(['exec', 'u2', 'sh', '-c', `id -u; ${show('/proc/self/uid_map')}`]);
    expect(e.stderr).toBe('');
    expect(e.stdout.trim().split('\n').map((l) => l.trim().replace(/\s+/g, ' '))).toEqual(['0', '0 100000 65536']);
    expect(runc(['delete', '-f', 'u2']).code).toBe(0);
    expect(existsSync(`/proc/${pid}`) && !spawnSync('cat', [`/proc/${pid}/stat`], { encoding: 'utf8' }).stdout.includes(' Z ')).toBe(false);
  });

  it('refuses mappings without a user namespace, before starting anything', async () => {
    const b = await busyboxBundle(join(dir, 'b3'), (s) => {
      s.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 1 }];
    });
    const r = runc(['run', '-b', b, 'u3']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('user namespace mappings are set, but the config has no user namespace');
    expect(existsSync(join(root, 'u3'))).toBe(false);
  });
});
