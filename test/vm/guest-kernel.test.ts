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

  it('mounts the 9p share uncached, with readahead for the pages programs map from it', async () => {
    // cache=none keeps host writes visible at once; readahead only batches page faults
    expect(await sh(g.vm, `grep ' /mnt/host 9p ' /proc/mounts | grep -c -v -e loose -e mmap -e fscache`)).toBe('1\n');
    expect(await sh(g.vm, 'cat /sys/class/bdi/9p-*/read_ahead_kb')).toBe('32\n');
  });

  it('runs a PID namespace whose first process is PID 1', async () => {
    // Without --fork: busybox 1.35's `unshare --fork` crashes (SIGSEGV) in its parent after the
    // child exits. The first child of the unshared shell is PID 1 of the new namespace.
    const out = await sh(g.vm, `unshare --pid sh -c 'sh -c "echo \\$\\$; grep NSpid /proc/self/status"; true'`);
    const [pid, nspid] = out.split('\n');
    expect(pid).toBe('1');
    expect(nspid?.split(/\s+/).slice(1).map(Number)).toEqual([expect.any(Number), 1]);
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
    // A new network namespace has a loopback device, down, and no other interface (the kernel is
    // built without the IPv6-in-IPv4 tunnel, whose sit0 would appear in every namespace).
    const links = await sh(g.vm, `unshare --net ip -o link show`);
    const names = links.trim().split('\n').map((l) => l.split(':')[1]?.trim().replace(/@.*/, ''));
    expect(names).toEqual(['lo']);
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
