// A guest's network as /proc/net, /proc/PID/net and /sys/class/net show it, and dockerd's
// records, laid out in a FakeSyscalls tree: docker0 with container "web" (pid 82, published
// port 8080->80) and a user network "inspnet" (br-...) with container "lay" (pid 95).
import { FakeSyscalls } from '../../../src/guest/sys/fake.ts';
import { mkdirp } from '../../../src/guest/util/fsutil.ts';

export const NET_ID = '7f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e';
export const INSPNET_BRIDGE = `br-${NET_ID.slice(0, 12)}`;

export const HOST_DEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:    1200      12    0    0    0     0          0         0     1200      12    0    0    0     0       0          0
  eth0:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0
docker0:    3000      30    0    0    0     0          0         0     4000      40    0    0    0     0       0          0
vethaaaaaaa:    4200      41    0    0    0     0          0         0     3100      31    0    0    0     0       0          0
${INSPNET_BRIDGE}:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0
vethbbbbbbb:     100       1    0    0    0     0          0         0      200       2    0    0    0     0       0          0
`;

// /proc/net/route and the Local table of /proc/net/fib_trie as recorded in the guest (npm run vm --
// exec, after docker network create inspnet: its bridge took the next pool, 172.18.0.0/16)
export const HOST_ROUTE = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT                                                       
wb-mirror\t3400560A\t00000000\t0001\t0\t0\t0\tFCFFFFFF\t0\t0\t0                                                                          
docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0                                                                            
${INSPNET_BRIDGE}\t000012AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0                                                                    
eth0\t0056A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0                                                                               
`;

export const HOST_FIB = `Local:
  +-- 0.0.0.0/0 3 0 4
     +-- 10.86.0.52/30 2 0 1
        |-- 10.86.0.52
           /30 link UNICAST
        |-- 10.86.0.54
           /32 host LOCAL
        |-- 10.86.0.55
           /32 link BROADCAST
     +-- 127.0.0.0/8 2 0 2
        +-- 127.0.0.0/31 1 0 0
           |-- 127.0.0.0
              /8 host LOCAL
           |-- 127.0.0.1
              /32 host LOCAL
        |-- 127.255.255.255
           /32 link BROADCAST
     +-- 172.16.0.0/14 3 0 4
        +-- 172.17.0.0/31 1 0 0
           |-- 172.17.0.0
              /16 link UNICAST
           |-- 172.17.0.1
              /32 host LOCAL
        |-- 172.17.255.255
           /32 link BROADCAST
        +-- 172.18.0.0/31 1 0 0
           |-- 172.18.0.0
              /16 link UNICAST
           |-- 172.18.0.1
              /32 host LOCAL
        |-- 172.18.255.255
           /32 link BROADCAST
     +-- 192.168.86.0/24 2 0 1
        |-- 192.168.86.0
           /24 link UNICAST
        |-- 192.168.86.100
           /32 host LOCAL
        |-- 192.168.86.255
           /32 link BROADCAST
`;

function containerNet(ip: string, hex: string, gwHex: string): { dev: string; route: string; fib: string; mcast: string } {
  return {
    dev: `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0
  eth0:    3100      31    0    0    0     0          0         0     4200      41    0    0    0     0       0          0
`,
    route: `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth0\t00000000\t${gwHex}\t0003\t0\t0\t0\t00000000\t0\t0\t0
eth0\t${hex}\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0
`,
    fib: `Main:
  +-- 0.0.0.0/0 3 0 5
     |-- 0.0.0.0
        /0 universe UNICAST
     +-- 127.0.0.0/8 2 0 2
        |-- 127.0.0.1
           /32 host LOCAL
     |-- ${ip}
        /32 host LOCAL
`,
    // recorded in a container's namespace: eth0 is interface 2 there; lo has no multicast address
    mcast: `2    eth0            1     0     333300000001
2    eth0            1     0     01005e000001
`,
  };
}

function record(sys: FakeSyscalls, id: string, rec: object): void {
  mkdirp(sys, `/var/lib/docker/containers/${id}`);
  sys.writeFile(`/var/lib/docker/containers/${id}/config.v2.json`, JSON.stringify(rec));
}

export const WEB_ID = 'a'.repeat(64);
export const LAY_ID = 'b'.repeat(64);

export function netFixture(): FakeSyscalls {
  const sys = new FakeSyscalls();
  mkdirp(sys, '/proc/net');
  sys.writeFile('/proc/net/dev', HOST_DEV);
  sys.writeFile('/proc/net/route', HOST_ROUTE);
  sys.writeFile('/proc/net/fib_trie', HOST_FIB);
  for (const [pid, ns] of [['self', 4026531840], ['1', 4026531840], ['82', 4026532153], ['95', 4026532300]] as const) {
    mkdirp(sys, `/proc/${pid}/ns`);
    sys.symlink(`net:[${ns}]`, `/proc/${pid}/ns/net`);
  }
  for (const [pid, ip, hex, gw] of [['82', '172.17.0.2', '000011AC', '010011AC'], ['95', '172.18.0.2', '000012AC', '010012AC']] as const) {
    const n = containerNet(ip, hex, gw);
    mkdirp(sys, `/proc/${pid}/net`);
    sys.writeFile(`/proc/${pid}/net/dev`, n.dev);
    sys.writeFile(`/proc/${pid}/net/route`, n.route);
    sys.writeFile(`/proc/${pid}/net/fib_trie`, n.fib);
    sys.writeFile(`/proc/${pid}/net/dev_mcast`, n.mcast);
  }
  const link = (name: string, ifindex: number, iflink: number): void => {
    mkdirp(sys, `/sys/class/net/${name}`);
    sys.writeFile(`/sys/class/net/${name}/ifindex`, `${ifindex}\n`);
    sys.writeFile(`/sys/class/net/${name}/iflink`, `${iflink}\n`);
  };
  link('lo', 1, 1);
  link('docker0', 3, 3);
  link('vethaaaaaaa', 7, 2);
  link(INSPNET_BRIDGE, 8, 8);
  link('vethbbbbbbb', 10, 2);
  mkdirp(sys, '/sys/class/net/docker0/brif/vethaaaaaaa');
  mkdirp(sys, `/sys/class/net/${INSPNET_BRIDGE}/brif/vethbbbbbbb`);
  mkdirp(sys, '/var/lib/docker/network');
  sys.writeFile(
    '/var/lib/docker/network/networks.json',
    JSON.stringify([
      { Name: 'bridge', Id: 'c'.repeat(64), Created: '', Driver: 'bridge' },
      { Name: 'host', Id: 'd'.repeat(64), Created: '', Driver: 'host' },
      { Name: 'none', Id: 'e'.repeat(64), Created: '', Driver: 'null' },
      { Name: 'inspnet', Id: NET_ID, Created: '', Driver: 'bridge', Subnet: '172.18.0.0/16', Gateway: '172.18.0.1', Bridge: INSPNET_BRIDGE },
    ]),
  );
  const ep = (network: string, epId: string, ip: string, gw: string) => ({
    [network]: { NetworkID: network, EndpointID: epId, Gateway: gw, IPAddress: ip, IPPrefixLen: 16, MacAddress: '02:42:ac:11:00:02' },
  });
  record(sys, WEB_ID, {
    Name: '/web', Config: { Image: 'busybox' }, State: { Status: 'running', Running: true, Pid: 82 }, HostConfig: { Memory: 0 },
    NetworkSettings: { Networks: ep('bridge', 'aaaaaaa' + '1'.repeat(57), '172.17.0.2', '172.17.0.1'), Ports: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }], '443/tcp': null } },
  });
  record(sys, LAY_ID, {
    Name: '/lay', Config: { Image: 'busybox' }, State: { Status: 'running', Running: true, Pid: 95 }, HostConfig: { Memory: 0 },
    NetworkSettings: { Networks: ep('inspnet', 'bbbbbbb' + '2'.repeat(57), '172.18.0.2', '172.18.0.1'), Ports: {} },
  });
  record(sys, 'f'.repeat(64), { Name: '/old', State: { Status: 'exited', Running: false, Pid: 0 }, NetworkSettings: { Networks: {}, Ports: {} } });
  return sys;
}
