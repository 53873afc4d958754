// End to end in the real guest: the kernel and the namespaces a container runtime needs.
import { describe, expect, it } from 'vitest';
import { guestSuite, sh, useGuest, vmSkipReason } from '../helpers/vm.ts';

describe.skipIf(vmSkipReason())(guestSuite('guest kernel and namespaces'), () => {
  const g = useGuest({ shares: {} });

  it('is Linux 6.1 on i686', async () => {
    expect(await sh(g.vm, 'uname -m')).toBe('i686\n');
    expect(await sh(g.vm, 'uname -r')).toMatch(/^6\.1\.\d+/);
    expect(await sh(g.vm, 'hostname')).toBe('whalebone\n');
  });

  it('runs a PID namespace whose first process is PID 1', async () => {
    expect(await sh(g.vm, `unshare --pid --fork --mount-proc sh -c 'echo $$; ls /proc | grep -c "^[0-9]"'`)).toMatch(/^1\n[12]\n$/);
  });

  it('keeps mounts made in a mount namespace inside it', async () => {
    const out = await sh(g.vm, `mkdir -p /tmp/mntns && unshare --mount sh -c 'mount -t tmpfs none /tmp/mntns && touch /tmp/mntns/inside && ls /tmp/mntns'; ls /tmp/mntns | wc -l`);
    expect(out).toBe('inside\n0\n');
  });

  it('gives a UTS namespace its own hostname', async () => {
    expect(await sh(g.vm, `unshare --uts sh -c 'hostname box1; hostname'; hostname`)).toBe('box1\nwhalebone\n');
  });

  it('gives IPC and network namespaces their own identities', async () => {
    const out = await sh(g.vm, `for ns in ipc net; do a=$(readlink /proc/self/ns/$ns); b=$(unshare --$ns readlink /proc/self/ns/$ns); [ "$a" != "$b" ] && echo "$ns differs"; done`);
    expect(out).toBe('ipc differs\nnet differs\n');
    // A new network namespace has only a loopback device, and it is down.
    const links = await sh(g.vm, `unshare --net ip -o link show`);
    expect(links.trim().split('\n')).toHaveLength(1);
    expect(links).toMatch(/^1: lo: .*state DOWN/);
  });

  it('maps root into a user namespace', async () => {
    const out = await sh(g.vm, `unshare --user --map-root-user sh -c 'id -u; cat /proc/self/uid_map'`);
    expect(out.split('\n')[0]).toBe('0');
    expect(out.split('\n')[1]?.trim().split(/\s+/)).toEqual(['0', '0', '1']);
    const differs = await sh(g.vm, `[ "$(readlink /proc/self/ns/user)" != "$(unshare --user readlink /proc/self/ns/user)" ] && echo yes`);
    expect(differs).toBe('yes\n');
  });
});
