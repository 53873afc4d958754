import { describe, expect, it } from 'vitest';
import { Collector } from '../../../src/guest/inspect/collect.ts';
import { addressesByIface, parseDevMcast, parseFibLocal, parseNetDev, parseSnmp6Ifindex, parseRoutes, routeHexToIp } from '../../../src/guest/inspect/netparse.ts';
import { parseParts } from '../../../src/guest/inspect/parts.ts';
import { decodeSnapshot } from '../../../src/vm/inspect.ts';
import { HOST_DEV, HOST_FIB, HOST_ROUTE, INSPNET_BRIDGE, LAY_ID, NET_ID, WEB_ID, netFixture } from './net-fixture.ts';

describe('network text parsers', () => {
  it('reads /proc/net/route (little-endian hex) and the local addresses of /proc/net/fib_trie', () => {
    expect(routeHexToIp('010011AC')).toBe('172.17.0.1');
    expect(parseRoutes(HOST_ROUTE)).toEqual([
      { iface: 'wb-mirror', dest: '10.86.0.52', gateway: '0.0.0.0', prefixLen: 30 },
      { iface: 'docker0', dest: '172.17.0.0', gateway: '0.0.0.0', prefixLen: 16 },
      { iface: INSPNET_BRIDGE, dest: '172.18.0.0', gateway: '0.0.0.0', prefixLen: 16 },
      { iface: 'eth0', dest: '192.168.86.0', gateway: '0.0.0.0', prefixLen: 24 },
    ]);
    expect(parseFibLocal(HOST_FIB)).toEqual(['10.86.0.54', '172.17.0.1', '172.18.0.1', '192.168.86.100']);
    expect(addressesByIface(parseFibLocal(HOST_FIB), parseRoutes(HOST_ROUTE))).toEqual(
      new Map([
        ['wb-mirror', ['10.86.0.54/30']],
        ['docker0', ['172.17.0.1/16']],
        [INSPNET_BRIDGE, ['172.18.0.1/16']],
        ['eth0', ['192.168.86.100/24']],
      ]),
    );
  });

  it('reads interface counters and interface indexes', () => {
    expect(parseNetDev(HOST_DEV).find((d) => d.name === 'vethaaaaaaa')).toEqual({ name: 'vethaaaaaaa', rxBytes: 4200, txBytes: 3100 });
    expect(parseNetDev(HOST_DEV)).toHaveLength(6);
    expect(parseDevMcast('2    eth0            1     0     333300000001\n2    eth0            1     0     01005e000001\n')).toEqual(new Map([['eth0', 2]]));
    expect(parseSnmp6Ifindex('ifIndex                         \t2\nIp6InReceives                   \t0\n')).toBe(2);
  });
});

describe('network part of a snapshot (fake /proc, /sys and dockerd records)', () => {
  it('shows each bridge with its address and veth ports, and each container end with its address and ports', () => {
    const s = new Collector(netFixture()).snapshot(parseParts('net'));
    expect(s.parts).toEqual(['net']);
    expect(s.procs).toEqual([]);
    const net = s.net!;
    expect(net.bridges.map((b) => [b.network, b.name, b.addrs])).toEqual([
      ['bridge', 'docker0', ['172.17.0.1/16']],
      ['inspnet', INSPNET_BRIDGE, ['172.18.0.1/16']],
    ]);
    expect(net.bridges[0]!.ports).toEqual([{ name: 'vethaaaaaaa', ifindex: 7, peerIfindex: 2, rx: 4200, tx: 3100 }]);
    expect(net.bridges[1]!.networkId).toBe(NET_ID);
    const web = net.containers.find((c) => c.id === WEB_ID)!;
    expect(web.hostNetwork).toBe(false);
    expect(web.ifaces.map((i) => [i.name, i.ifindex, i.addrs])).toEqual([
      ['lo', 1, []],
      ['eth0', 2, ['172.17.0.2/16']],
    ]);
    expect(web.defaultGateway).toBe('172.17.0.1');
    expect(web.endpoints).toEqual([{ network: 'bridge', veth: 'vethaaaaaaa', ip: '172.17.0.2', prefixLen: 16, mac: '02:42:ac:11:00:02', gateway: '172.17.0.1' }]);
    expect(web.ports).toEqual([{ port: '80/tcp', hostIp: '0.0.0.0', hostPort: '8080' }]);
    expect(net.containers.find((c) => c.id === LAY_ID)!.endpoints[0]!.veth).toBe('vethbbbbbbb');
    // a stopped container has no namespace to show
    expect(net.containers).toHaveLength(2);
    const d = decodeSnapshot(JSON.stringify(s));
    expect(d.net!.bridges[1]!.ports[0]!.peerIfindex).toBe(2);
    expect(d.layers).toBeNull();
  });

  it('marks a container on the host network and reads networks.json again only when it changes', () => {
    const sys = netFixture();
    sys.unlink('/proc/95/ns/net');
    sys.symlink('net:[4026531840]', '/proc/95/ns/net');
    const c = new Collector(sys);
    const lay = c.snapshot(parseParts('net')).net!.containers.find((x) => x.id === LAY_ID)!;
    expect(lay).toMatchObject({ hostNetwork: true, ifaces: [] });
    const reads = () => sys.callsOf('readFile').filter((a) => String(a[0]).endsWith('networks.json')).length;
    const before = reads();
    c.snapshot(parseParts('net'));
    expect(reads()).toBe(before);
    sys.clockMs += 1000;
    sys.writeFile('/var/lib/docker/network/networks.json', JSON.stringify([{ Name: 'bridge', Id: 'c'.repeat(64), Driver: 'bridge' }]));
    expect(c.snapshot(parseParts('net')).net!.bridges.map((b) => b.name)).toEqual(['docker0']);
  });
});

describe('parts of a snapshot', () => {
  it('collects only what the request names; no parts: processes and cgroups as before', () => {
    expect(parseParts(null)).toMatchObject({ procs: true, cgroups: true, layers: false, net: false });
    expect(parseParts('layers=abc123,net,bogus')).toEqual({ procs: false, cgroups: false, layers: true, layersFocus: 'abc123', net: true });
    expect(parseParts('layers=../x')).toMatchObject({ layers: true, layersFocus: null });
  });
});
