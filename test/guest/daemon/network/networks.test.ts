import { describe, expect, it } from 'vitest';
import { Networks, hostVethName } from '../../../../src/guest/daemon/network/networks.ts';
import { newState, type ContainerRecord } from '../../../../src/guest/daemon/model.ts';
import { CLONE_NEWNET } from '../../../../src/guest/sys/constants.ts';
import { NetFake } from '../../net/fake-netns.ts';

function container(net: Networks, id: string, mode = 'default'): ContainerRecord {
  return {
    Id: id.padEnd(64, '0'), Name: `/c${id}`, HostsPath: `/var/lib/docker/containers/${id}/hosts`, State: newState(),
    HostConfig: { NetworkMode: mode }, Config: { Hostname: id.slice(0, 12) }, NetworkSettings: net.initialSettings(mode),
  } as unknown as ContainerRecord;
}

function setup(bridge = 'docker0', sys = new NetFake()) {
  const records: ContainerRecord[] = [];
  const net = new Networks(sys, { bridge, root: '/var/lib/docker', execRoot: '/var/run/docker' }, () => records);
  net.init();
  const start = (c: ContainerRecord): string | undefined => {
    sys.addDir(c.HostsPath.slice(0, c.HostsPath.lastIndexOf('/')));
    const path = net.attach(c);
    c.State = { ...c.State, Running: true, Status: 'running', Pid: 4242 };
    return path;
  };
  const stop = (c: ContainerRecord): void => {
    c.State = { ...c.State, Running: false, Status: 'exited', Pid: 0 };
    net.detach(c);
    // the veths go on the next turn of the event loop
    sys.advance(0);
  };
  return { sys, net, records, start, stop };
}

describe('the default bridge network', () => {
  it('brings up docker0 with the gateway address at daemon start, once', () => {
    const { sys } = setup();
    const br = sys.host.byName('docker0')!;
    expect(br).toMatchObject({ kind: 'bridge', up: true, addrs: ['172.17.0.1/16'] });
    expect(new TextDecoder().decode(sys.nodeAt('/proc/sys/net/ipv4/ip_forward')!.data)).toBe('1\n');
    // a restarted daemon finds the bridge there and keeps it
    setup('docker0', sys);
    expect([...sys.host.links.values()].filter((l) => l.name === 'docker0')).toHaveLength(1);
  });

  it('gives a starting container a sandbox with eth0 on the bridge, its address, route and hosts line', () => {
    const { sys, net, records, start } = setup();
    const c = container(net, 'a1');
    records.push(c);
    const path = start(c)!;
    expect(path).toBe(`/var/run/docker/netns/${c.NetworkSettings.SandboxID.slice(0, 12)}`);
    // the daemon stepped into a new namespace and back
    expect(sys.callsOf('unshare')).toEqual([[CLONE_NEWNET]]);
    expect(sys.current).toBe(sys.host);
    const ns = sys.bound.get(path)!;
    expect(ns.byName('lo')!.up).toBe(true);
    expect(ns.byName('eth0')).toMatchObject({ kind: 'veth', up: true, mac: '02:42:ac:11:00:02', addrs: ['172.17.0.2/16'] });
    expect(ns.routes).toEqual(['default via 172.17.0.1 dev eth0']);
    const host = sys.host.byName(hostVethName(c.NetworkSettings.EndpointID))!;
    expect(host.name).toMatch(/^veth[0-9a-f]{7}$/);
    expect(host).toMatchObject({ up: true, master: sys.host.byName('docker0')!.index });
    expect(c.NetworkSettings).toMatchObject({ IPAddress: '172.17.0.2', IPPrefixLen: 16, Gateway: '172.17.0.1', MacAddress: '02:42:ac:11:00:02' });
    expect(c.NetworkSettings.Networks['bridge']).toMatchObject({ IPAddress: '172.17.0.2', Gateway: '172.17.0.1', EndpointID: c.NetworkSettings.EndpointID });
    expect(new TextDecoder().decode(sys.nodeAt(c.HostsPath)!.data)).toMatch(/\n172\.17\.0\.2\ta1\n$/);
    // the whole setup is a handful of netlink messages, no process
    expect(sys.callsOf('fork')).toEqual([]);
    expect(sys.callsOf('execve')).toEqual([]);
  });

  it('hands out the next free address and takes it back at exit, veth and sandbox too', () => {
    const { sys, net, records, start, stop } = setup();
    const [a, b, c] = ['a1', 'b2', 'c3'].map((id) => container(net, id));
    records.push(a!, b!, c!);
    start(a!);
    start(b!);
    expect(b!.NetworkSettings.IPAddress).toBe('172.17.0.3');
    const aPath = a!.NetworkSettings.SandboxKey;
    const aVeth = hostVethName(a!.NetworkSettings.EndpointID);
    a!.State = { ...a!.State, Running: false, Status: 'exited', Pid: 0 };
    net.detach(a!);
    // the address is free at once; the veth is deleted after the exit's waiters have their
    // answer (or earlier, with the namespace, by the kernel)
    expect(a!.NetworkSettings.IPAddress).toBe('');
    expect(sys.callsOf('setTimer')).toContainEqual([0]);
    sys.advance(0);
    expect(sys.host.byName(aVeth)).toBeUndefined();
    expect(sys.bound.has(aPath)).toBe(false);
    expect(sys.nodeAt(aPath)).toBeUndefined();
    expect(a!.NetworkSettings).toMatchObject({ IPAddress: '', SandboxKey: '', EndpointID: '' });
    expect(a!.NetworkSettings.Networks['bridge']).toMatchObject({ IPAddress: '', NetworkID: b!.NetworkSettings.Networks['bridge']!.NetworkID });
    start(c!);
    expect(c!.NetworkSettings.IPAddress).toBe('172.17.0.2');
    stop(a!); // repeating is harmless
  });

  it('finds the addresses in use again after a daemon restart', () => {
    const first = setup();
    const a = container(first.net, 'a1');
    first.records.push(a);
    first.start(a);
    const again = setup('docker0', first.sys);
    again.records.push(a);
    const b = container(again.net, 'b2');
    again.records.push(b);
    again.start(b);
    expect(b.NetworkSettings.IPAddress).toBe('172.17.0.3');
    // and the network keeps its ID
    expect(b.NetworkSettings.Networks['bridge']!.NetworkID).toBe(a.NetworkSettings.Networks['bridge']!.NetworkID);
    expect(again.net.inspect('bridge')['Containers']).toMatchObject({ [a.Id]: { IPv4Address: '172.17.0.2/16' }, [b.Id]: { IPv4Address: '172.17.0.3/16' } });
  });

  it('cleans up a half-made sandbox when the kernel refuses', () => {
    const { sys, net, records, start } = setup();
    const c = container(net, 'a1');
    records.push(c);
    const docker0 = sys.host.byName('docker0')!;
    sys.host.links.delete(docker0.index);
    expect(() => start(c)).toThrow(/failed to set up container networking: ENODEV/);
    expect(sys.bound.size).toBe(0);
    expect(c.NetworkSettings.SandboxKey).toBe('');
    expect(sys.current).toBe(sys.host);
  });

  it('supports --network none and host, and rejects unknown networks', () => {
    const { sys, net, records, start } = setup();
    const none = container(net, 'n1', 'none');
    records.push(none);
    const path = start(none)!;
    expect([...sys.bound.get(path)!.links.values()].map((l) => [l.name, l.up])).toEqual([['lo', true]]);
    expect(none.NetworkSettings.IPAddress).toBe('');
    const host = container(net, 'h1', 'host');
    expect(start(host)).toBe(`/proc/${sys.getpid()}/ns/net`);
    expect(Object.keys(host.NetworkSettings.Networks)).toEqual(['host']);
    expect(() => net.initialSettings('mynet')).toThrow('network mynet not found');
  });

  it('with --bridge none touches no network device: containers keep their own lo', () => {
    const { sys, net, records, start } = setup('none');
    const c = container(net, 'a1');
    records.push(c);
    expect(start(c)).toBeUndefined();
    expect(sys.requests).toEqual([]);
    expect(sys.host.links.size).toBe(1);
    expect(net.list().map((n) => n['Name'])).toEqual(['host', 'none']);
    expect(Object.keys(c.NetworkSettings.Networks)).toEqual(['none']);
  });
});
