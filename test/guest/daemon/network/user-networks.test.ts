import { describe, expect, it } from 'vitest';
import { Networks, hostVethName } from '../../../../src/guest/daemon/network/networks.ts';
import { newState, type ContainerRecord, type HostConfig } from '../../../../src/guest/daemon/model.ts';
import { Events } from '../../../../src/guest/daemon/events.ts';
import { NetFake } from '../../net/fake-netns.ts';
import { decodeMessage, encodeMessage, query, TYPE_A } from '../../../../src/guest/net/dns/message.ts';

let n = 0;
function container(net: Networks, name: string, hc: Partial<HostConfig> = {}, endpoints: Record<string, { IPAMConfig?: { IPv4Address: string }; Aliases?: string[] }> = {}, exposed: Record<string, object> = {}): ContainerRecord {
  const id = `${(++n).toString(16).padStart(4, '0')}${name}`.padEnd(64, '0');
  const mode = hc.NetworkMode ?? 'bridge';
  return {
    Id: id, Name: `/${name}`, HostsPath: `/c/${id}/hosts`, ResolvConfPath: `/c/${id}/resolv.conf`, State: newState(),
    HostConfig: { NetworkMode: mode, ...hc }, Config: { Hostname: id.slice(0, 12), ExposedPorts: exposed, Labels: {} }, NetworkSettings: net.initialSettings(mode, endpoints, hc),
  } as unknown as ContainerRecord;
}

function setup() {
  const sys = new NetFake();
  sys.addDir('/c');
  sys.addFile('/etc/resolv.conf', 'nameserver 10.86.0.53\n');
  sys.addFile('/proc/sys/net/ipv4/ip_local_port_range', '32768\t60999\n');
  const records: ContainerRecord[] = [];
  const net = new Networks(sys, { bridge: 'docker0', root: '/var/lib/docker', execRoot: '/var/run/docker' }, () => records, { holdPorts: false });
  const events = new Events(() => 1_700_000_000_000);
  net.events = events;
  net.init();
  const start = (c: ContainerRecord): string | undefined => {
    records.includes(c) || records.push(c);
    sys.addDir(`/c/${c.Id}`);
    const path = net.attach(c);
    c.State = { ...c.State, Running: true, Status: 'running', Pid: 4242 };
    return path;
  };
  const stop = (c: ContainerRecord): void => {
    c.State = { ...c.State, Running: false, Status: 'exited', Pid: 0 };
    net.detach(c);
  };
  const file = (p: string): string => new TextDecoder().decode(sys.nodeAt(p)!.data);
  return { sys, net, records, start, stop, events, file };
}

describe('published ports', () => {
  it('publishes -p 8080:80 as a DNAT rule to the container and NetworkSettings.Ports, and takes it back at exit', () => {
    const { sys, net, start, stop } = setup();
    const web = container(net, 'web', { PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] } }, {}, { '80/tcp': {}, '443/tcp': {} });
    start(web);
    expect(web.NetworkSettings.Ports).toEqual({ '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }], '443/tcp': null });
    expect(sys.rules('dnat')).toEqual(['meta l4proto tcp th dport 8080 dnat to 172.17.0.2:80']);
    expect(sys.rules('prerouting')).toEqual(['fib daddr type local jump dnat']);
    expect(sys.rules('output')).toEqual(['fib daddr type local jump dnat']);
    expect(sys.rules('postrouting')).toEqual([
      'ip saddr 127.0.0.0/8 ct status dnat masquerade',
      'oifname "docker0" ip saddr 172.17.0.0/16 ct status dnat masquerade',
      'ip saddr 172.17.0.0/16 oifname != "docker0" masquerade',
    ]);
    expect(net.inspect('bridge')['Containers']).toHaveProperty(web.Id);
    stop(web);
    expect(web.NetworkSettings.Ports).toEqual({});
    expect(sys.rules('dnat')).toEqual([]);
  });

  it('sends the table again only when its rules change: not for a container without published ports', () => {
    const { sys, net, start, stop } = setup();
    const web = container(net, 'web', { PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] } }, {}, { '80/tcp': {} });
    start(web);
    const batches = sys.nft.batches;
    const plain = container(net, 'plain');
    start(plain);
    stop(plain);
    expect(sys.nft.batches).toBe(batches);
    expect(sys.rules('dnat')).toEqual(['meta l4proto tcp th dport 8080 dnat to 172.17.0.2:80']);
    stop(web);
    expect(sys.nft.batches).toBe(batches + 1);
    expect(sys.rules('dnat')).toEqual([]);
  });

  it('gives random ports from the ephemeral range for -p 80 and -P, a host IP for 127.0.0.1:8080:80, udp too', () => {
    const { sys, net, start } = setup();
    const a = container(net, 'a', { PublishAllPorts: true }, {}, { '80/tcp': {}, '53/udp': {} });
    start(a);
    expect(a.NetworkSettings.Ports).toEqual({ '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '32768' }], '53/udp': [{ HostIp: '0.0.0.0', HostPort: '32769' }] });
    const b = container(net, 'b', { PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '' }, { HostIp: '127.0.0.1', HostPort: '8080' }] } });
    start(b);
    expect(b.NetworkSettings.Ports['80/tcp']).toEqual([{ HostIp: '0.0.0.0', HostPort: '32770' }, { HostIp: '127.0.0.1', HostPort: '8080' }]);
    expect(sys.rules('dnat')).toEqual([
      'meta l4proto tcp th dport 32768 dnat to 172.17.0.2:80',
      'meta l4proto udp th dport 32769 dnat to 172.17.0.2:53',
      'meta l4proto tcp th dport 32770 dnat to 172.17.0.3:80',
      'ip daddr 127.0.0.1 meta l4proto tcp th dport 8080 dnat to 172.17.0.3:80',
    ]);
  });

  it('refuses a port another container holds, with Docker\'s message, and leaves nothing behind', () => {
    const { sys, net, start } = setup();
    const a = container(net, 'a', { PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] } });
    start(a);
    const vethsBefore = [...sys.host.links.values()].map((l) => l.name);
    const b = container(net, 'b', { PortBindings: { '81/tcp': [{ HostIp: '', HostPort: '9090' }], '80/tcp': [{ HostIp: '', HostPort: '8080' }] } });
    expect(() => start(b)).toThrow(/^failed to set up container networking: driver failed programming external connectivity on endpoint b \([0-9a-f]{64}\): Bind for 0\.0\.0\.0:8080 failed: port is already allocated$/);
    expect([...sys.host.links.values()].map((l) => l.name)).toEqual(vethsBefore);
    expect(b.NetworkSettings).toMatchObject({ SandboxKey: '', IPAddress: '', Ports: {} });
    expect(sys.bound.size).toBe(1);
    // 9090 was taken before 8080 failed: it is free again
    const c = container(net, 'c', { PortBindings: { '81/tcp': [{ HostIp: '', HostPort: '9090' }] } });
    start(c);
    expect(sys.rules('dnat')).toEqual(['meta l4proto tcp th dport 8080 dnat to 172.17.0.2:80', 'meta l4proto tcp th dport 9090 dnat to 172.17.0.3:81']);
  });

  it('undoes the start when the kernel refuses the rules', () => {
    const { sys, net, start } = setup();
    const a = container(net, 'a', { PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] } });
    sys.nftFailType = 6;
    expect(() => start(a)).toThrow(/failed to set up container networking: EINVAL/);
    expect([...sys.host.links.values()].map((l) => l.name)).toEqual(['lo', 'docker0']);
    sys.nftFailType = null;
    start(a);
    expect(a.NetworkSettings.Ports['80/tcp']).toEqual([{ HostIp: '0.0.0.0', HostPort: '8080' }]);
  });

  it('rejects publishing with --network container:X at create', () => {
    const { net } = setup();
    expect(() => container(net, 'x', { NetworkMode: 'container:abc', PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '80' }] } })).toThrow('conflicting options: port publishing and the container type network mode');
  });
});

describe('user-defined networks', () => {
  it('creates a bridge on the next default pool, lists and inspects it, and removes it', () => {
    const { sys, net, events } = setup();
    const seen: string[] = [];
    events.subscribe((e) => seen.push(`${e.Type} ${e.Action} ${e.Actor.Attributes['name']}`));
    const { Id } = net.create({ Name: 'mynet', Labels: { team: 'a' } });
    const br = `br-${Id.slice(0, 12)}`;
    expect(sys.host.byName(br)).toMatchObject({ kind: 'bridge', up: true, addrs: ['172.18.0.1/16'] });
    expect(net.inspect('mynet')).toMatchObject({ Name: 'mynet', Id, Driver: 'bridge', Internal: false, IPAM: { Config: [{ Subnet: '172.18.0.0/16', Gateway: '172.18.0.1' }] }, Labels: { team: 'a' } });
    expect(net.inspect(Id.slice(0, 5))['Name']).toBe('mynet');
    expect(net.list({ type: ['custom'] }).map((x) => x['Name'])).toEqual(['mynet']);
    expect(net.list({ label: ['team=a'] }).map((x) => x['Name'])).toEqual(['mynet']);
    // the two bridges do not forward to each other
    expect(sys.rules('forward')).toEqual(['ct status dnat accept', `iifname "docker0" oifname "${br}" drop`, `iifname "${br}" oifname "docker0" drop`]);
    const second = net.create({ Name: 'other', IPAM: { Config: [{ Subnet: '10.10.0.0/24', Gateway: '10.10.0.254' }] } });
    expect(net.inspect('other')['IPAM']).toMatchObject({ Config: [{ Subnet: '10.10.0.0/24', Gateway: '10.10.0.254' }] });
    net.remove('mynet');
    net.remove(second.Id);
    expect(sys.host.byName(br)).toBeUndefined();
    expect(sys.rules('forward')).toEqual(['ct status dnat accept']);
    expect(seen).toEqual(['network create mynet', 'network create other', 'network destroy mynet', 'network destroy other']);
  });

  const bad: [string, Parameters<Networks['create']>[0], string][] = [
    ['a name in use', { Name: 'bridge' }, 'network with name bridge already exists'],
    ['an empty name', { Name: '' }, 'network name cannot be empty'],
    ['another driver', { Name: 'x', Driver: 'overlay' }, 'could not find plugin overlay in v1 plugin registry: plugin not found'],
    ['an overlapping subnet', { Name: 'x', IPAM: { Config: [{ Subnet: '172.17.5.0/24' }] } }, 'invalid pool request: Pool overlaps with other one on this address space'],
    ['a subnet with host bits', { Name: 'x', IPAM: { Config: [{ Subnet: '10.1.2.3/16' }] } }, 'invalid network config:\ninvalid subnet 10.1.2.3/16: it should be 10.1.0.0/16'],
    ['a gateway outside', { Name: 'x', IPAM: { Config: [{ Subnet: '10.1.0.0/16', Gateway: '10.2.0.1' }] } }, "invalid network config:\ninvalid gateway 10.2.0.1: parent subnet 10.1.0.0/16 doesn't contain this address"],
  ];
  it.each(bad)('refuses %s with Docker\'s message and makes nothing', (_, req, msg) => {
    const { sys, net } = setup();
    const links = sys.host.links.size;
    const batches = sys.nft.batches;
    expect(() => net.create(req)).toThrow(msg);
    expect(sys.host.links.size).toBe(links);
    expect(sys.nft.batches).toBe(batches);
    expect(net.list().map((x) => x['Name'])).toEqual(['bridge', 'host', 'none']);
  });

  it('takes the bridge away again when the rules cannot be programmed', () => {
    const { sys, net } = setup();
    sys.nftFailType = 6;
    expect(() => net.create({ Name: 'x' })).toThrow(/failed to create network x: EINVAL/);
    expect([...sys.host.links.values()].map((l) => l.name)).toEqual(['lo', 'docker0']);
    expect(() => net.inspect('x')).toThrow('network x not found');
  });

  it('connects containers with their addresses, aliases and --ip; names resolve on the network only', () => {
    const { sys, net, start, stop, file } = setup();
    net.create({ Name: 'app', IPAM: { Config: [{ Subnet: '10.20.0.0/24' }] } });
    net.create({ Name: 'other' });
    const db = container(net, 'db', { NetworkMode: 'app' }, { app: { Aliases: ['database'] } });
    const web = container(net, 'web', { NetworkMode: 'app' }, { app: { IPAMConfig: { IPv4Address: '10.20.0.50' } } });
    const stranger = container(net, 'stranger', { NetworkMode: 'other' });
    const plain = container(net, 'plain');
    for (const c of [db, web, stranger, plain]) start(c);
    expect(db.NetworkSettings.Networks['app']).toMatchObject({ IPAddress: '10.20.0.2', Gateway: '10.20.0.1', IPPrefixLen: 24, Aliases: ['database'], DNSNames: ['db', 'database', db.Id.slice(0, 12)] });
    expect(web.NetworkSettings.Networks['app']).toMatchObject({ IPAddress: '10.20.0.50', IPAMConfig: { IPv4Address: '10.20.0.50' } });
    // Docker leaves the top-level fields to the default bridge
    expect(web.NetworkSettings.IPAddress).toBe('');
    const ns = sys.bound.get(web.NetworkSettings.SandboxKey)!;
    expect(ns.byName('eth0')!.addrs).toEqual(['10.20.0.50/24']);
    expect(ns.routes).toEqual(['default via 10.20.0.1 dev eth0']);
    expect(file(web.ResolvConfPath)).toMatch(/^nameserver 127\.0\.0\.11$/m);
    expect(file(web.ResolvConfPath)).toMatch(/^options ndots:0$/m);
    expect(file(plain.ResolvConfPath)).toMatch(/^nameserver 10\.86\.0\.53$/m);
    const lookup = (from: ContainerRecord, name: string): string[] | null => (net as unknown as { lookup(k: string, n: string): string[] | null }).lookup(from.NetworkSettings.SandboxKey, name);
    expect(lookup(web, 'db')).toEqual(['10.20.0.2']);
    expect(lookup(web, 'database')).toEqual(['10.20.0.2']);
    expect(lookup(web, db.Id.slice(0, 12))).toEqual(['10.20.0.2']);
    expect(lookup(stranger, 'db')).toBeNull();
    expect(lookup(plain, 'db')).toBeNull();
    // the embedded server runs in each user-network container's namespace
    expect(net.dns.running().sort()).toEqual([db, web, stranger].map((c) => c.NetworkSettings.SandboxKey).sort());
    stop(db);
    expect(lookup(web, 'db')).toBeNull();
    expect(net.dns.running()).not.toContain(db.NetworkSettings.SandboxKey);
  });

  it('brings the embedded name servers and the published ports back after a daemon restart', () => {
    const { sys, net, records, start } = setup();
    net.create({ Name: 'app' });
    const c = container(net, 'c', { NetworkMode: 'app', PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] } });
    start(c);
    const again = new Networks(sys, { bridge: 'docker0', root: '/var/lib/docker', execRoot: '/var/run/docker' }, () => records, { holdPorts: false });
    again.init();
    expect(again.dns.running()).toEqual([c.NetworkSettings.SandboxKey]);
    expect(sys.rules('dnat')).toEqual(['meta l4proto tcp th dport 8080 dnat to 172.18.0.2:80']);
    const other = container(again, 'd', { PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] } });
    records.push(other);
    expect(() => again.attach(other)).toThrow('Bind for 0.0.0.0:8080 failed: port is already allocated');
  });

  it('connects and disconnects a running container live, and refuses to remove a network in use', () => {
    const { sys, net, start, stop } = setup();
    net.create({ Name: 'app' });
    const c = container(net, 'c');
    start(c);
    net.connect('app', c, { Aliases: ['svc'] });
    const ns = sys.bound.get(c.NetworkSettings.SandboxKey)!;
    expect(ns.byName('eth1')!.addrs).toEqual(['172.18.0.2/16']);
    // one default route: the first network's
    expect(ns.routes).toEqual(['default via 172.17.0.1 dev eth0']);
    expect(() => net.connect('app', c)).toThrow('endpoint with name c already exists in network app');
    expect(() => net.remove('app')).toThrow(/^error while removing network: network app has active endpoints \(name:"c" id:"[0-9a-f]{12}"\)$/);
    expect(() => net.remove('bridge')).toThrow('bridge is a pre-defined network and cannot be removed');
    const veth = hostVethName(c.NetworkSettings.Networks['app']!.EndpointID);
    net.disconnect('app', c);
    expect(sys.host.byName(veth)).toBeUndefined();
    expect(() => net.disconnect('app', c)).toThrow(`container ${c.Id} is not connected to network app`);
    stop(c);
    expect(net.prune()).toEqual(['app']);
  });

  it('a default-bridge container connected live to a user network asks the embedded DNS from then on, unless its resolv.conf was edited', () => {
    const { sys, net, start, file } = setup();
    net.create({ Name: 'app' });
    const c = container(net, 'c');
    const edited = container(net, 'edited');
    start(c);
    start(edited);
    expect(file(c.ResolvConfPath)).toMatch(/^nameserver 10\.86\.0\.53$/m);
    const inode = sys.nodeAt(c.ResolvConfPath);
    sys.addFile(edited.ResolvConfPath, 'nameserver 192.0.2.53\n');
    net.connect('app', c);
    net.connect('app', edited);
    expect(file(c.ResolvConfPath)).toMatch(/^nameserver 127\.0\.0\.11$/m);
    expect(file(c.ResolvConfPath)).not.toMatch(/10\.86\.0\.53$/m);
    expect(file(c.ResolvConfPath)).toMatch(/^# ExtServers: \[10\.86\.0\.53\]$/m);
    // rewritten in place: the running container has this inode bind-mounted
    expect(sys.nodeAt(c.ResolvConfPath)).toBe(inode);
    expect(file(edited.ResolvConfPath)).toBe('nameserver 192.0.2.53\n');
    expect(net.dns.running()).toContain(c.NetworkSettings.SandboxKey);
  });

  it('checks --ip and --network-alias at create as Docker does', () => {
    const { net } = setup();
    net.create({ Name: 'auto' });
    net.create({ Name: 'fixed', IPAM: { Config: [{ Subnet: '10.30.0.0/24' }] } });
    expect(() => container(net, 'a', {}, { bridge: { IPAMConfig: { IPv4Address: '172.17.0.9' } } })).toThrow('user specified IP address is supported on user defined networks only');
    expect(() => container(net, 'a', {}, { bridge: { Aliases: ['x'] } })).toThrow('network-scoped alias is supported only for containers in user defined networks');
    expect(() => container(net, 'a', { NetworkMode: 'auto' }, { auto: { IPAMConfig: { IPv4Address: '172.18.0.9' } } })).toThrow('user specified IP address is supported only when connecting to networks with user configured subnets');
    expect(() => container(net, 'a', { NetworkMode: 'fixed' }, { fixed: { IPAMConfig: { IPv4Address: '10.31.0.9' } } })).toThrow('no configured subnet or ip-range contain the IP address 10.31.0.9');
    expect(() => container(net, 'a', { NetworkMode: 'nope' })).toThrow('network nope not found');
  });

  it('refuses an --ip another container has, and frees addresses at exit', () => {
    const { net, start, stop } = setup();
    net.create({ Name: 'fixed', IPAM: { Config: [{ Subnet: '10.30.0.0/24' }] } });
    const a = container(net, 'a', { NetworkMode: 'fixed' }, { fixed: { IPAMConfig: { IPv4Address: '10.30.0.9' } } });
    const b = container(net, 'b', { NetworkMode: 'fixed' }, { fixed: { IPAMConfig: { IPv4Address: '10.30.0.9' } } });
    start(a);
    expect(() => start(b)).toThrow('failed to set up container networking: Address already in use');
    stop(a);
    start(b);
    expect(b.NetworkSettings.Networks['fixed']!.IPAddress).toBe('10.30.0.9');
  });

  it('isolates an internal network and gives its containers no default route', () => {
    const { sys, net, start } = setup();
    const { Id } = net.create({ Name: 'secret', Internal: true });
    const br = `br-${Id.slice(0, 12)}`;
    expect(sys.rules('forward')).toEqual(['ct status dnat accept', `iifname "${br}" oifname != "${br}" drop`, `oifname "${br}" iifname != "${br}" drop`]);
    const c = container(net, 'c', { NetworkMode: 'secret' });
    start(c);
    expect(sys.bound.get(c.NetworkSettings.SandboxKey)!.routes).toEqual([]);
  });

  it('writes --add-host and --dns into the container\'s files', () => {
    const { net, start, file } = setup();
    const c = container(net, 'c', { ExtraHosts: ['db.local:10.0.0.5', 'gw:host-gateway'], Dns: ['1.1.1.1'], DnsSearch: ['example.com'] });
    start(c);
    expect(file(c.HostsPath)).toMatch(/\n10\.0\.0\.5\tdb\.local\n172\.17\.0\.1\tgw\n$/);
    expect(file(c.ResolvConfPath)).toMatch(/^nameserver 1\.1\.1\.1\nsearch example\.com$/m);
  });
});

describe('the embedded name server', () => {
  it('answers at 127.0.0.11 inside the container\'s namespace: names of its network, the rest forwarded upstream', async () => {
    const { sys, net, start } = setup();
    net.create({ Name: 'app' });
    const db = container(net, 'db', { NetworkMode: 'app' }, { app: { Aliases: ['database'] } });
    const web = container(net, 'web', { NetworkMode: 'app' });
    start(db);
    const before = sys.calls.length;
    start(web);
    // stepped into the sandbox for the socket, bound there, stepped back
    const calls = sys.calls.slice(before).map((c) => c.name);
    const bindAt = sys.calls.findIndex((c, i) => i >= before && c.name === 'bind' && (c.args[1] as { host: string }).host === '127.0.0.11');
    expect(bindAt).toBeGreaterThan(0);
    expect(sys.calls[bindAt]!.args[1]).toEqual({ family: 'inet', host: '127.0.0.11', port: 53 });
    expect(calls.filter((n) => n === 'setns').length).toBeGreaterThanOrEqual(2);
    expect(sys.current).toBe(sys.host);
    const fd = sys.calls[bindAt]!.args[0] as number;
    const client = { family: 'inet' as const, host: '172.18.0.3', port: 41000 };
    sys.pushDatagram(fd, encodeMessage(query(7, 'database')), client);
    sys.pushDatagram(fd, encodeMessage(query(8, 'deb.debian.org')), client);
    sys.fire(fd, 'read');
    await new Promise((r) => setTimeout(r, 0));
    const toClient = () => sys.sentDatagrams.filter((d) => d.peer.host === client.host).map((d) => decodeMessage(d.data));
    expect(toClient().map((m) => [m.id, m.answers[0]?.data])).toEqual([[7, '172.18.0.2']]);
    // the other name went to the guest's resolver (/etc/resolv.conf), from dockerd's namespace
    const up = sys.sentDatagrams.find((d) => d.peer.host === '10.86.0.53')!;
    expect(up.peer.port).toBe(53);
    const asked = decodeMessage(up.data);
    const fwdFd = sys.calls.find((c) => c.name === 'sendTo' && (c.args[2] as { host: string }).host === '10.86.0.53')!.args[0] as number;
    const reply = { ...asked, response: true, answers: [{ name: 'deb.debian.org', type: TYPE_A, class: 1, ttl: 60, data: '10.86.0.53' }] };
    sys.pushDatagram(fwdFd, encodeMessage(reply), { family: 'inet', host: '10.86.0.53', port: 53 });
    sys.fire(fwdFd, 'read');
    await new Promise((r) => setTimeout(r, 0));
    expect(toClient().map((m) => [m.id, m.answers[0]?.data])).toEqual([[7, '172.18.0.2'], [8, '10.86.0.53']]);
  });
});
