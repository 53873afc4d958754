import { describe, expect, it } from 'vitest';
import { enterMirrorNamespace } from '../../../src/guest/mirror/netns.ts';
import { NetFake } from '../net/fake-netns.ts';

describe('the mirror network namespace', () => {
  it('moves the mirror into a namespace of its own, joined to the guest by a routed veth pair', () => {
    const sys = new NetFake();
    sys.addDir('/proc/sys/net/ipv4');
    enterMirrorNamespace(sys);
    // the guest side: an address of the /30, no bridge, up
    const veth = sys.host.byName('wb-mirror')!;
    expect(veth).toMatchObject({ kind: 'veth', up: true, master: 0, addrs: ['10.86.0.54/30'] });
    // the mirror side, where this process now is: eth0 with the mirror's address, lo up, a way back
    expect(sys.current).not.toBe(sys.host);
    expect(sys.current.byName('eth0')).toMatchObject({ up: true, addrs: ['10.86.0.53/30'] });
    expect(sys.current.byName('lo')?.up).toBe(true);
    expect(sys.current.routes).toEqual(['default via 10.86.0.54 dev eth0']);
    expect(new TextDecoder().decode(sys.nodeAt('/proc/sys/net/ipv4/ip_forward')!.data)).toBe('1\n');
    // the guest's own namespace gains no address that could hold a port
    expect(sys.host.byName('lo')?.addrs).toEqual([]);
  });
});
