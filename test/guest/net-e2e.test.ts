// Docker's networking end to end in the real guest: published ports (the guest's localhost, its
// eth0 address from inside and from v86's virtual network, where the page's preview connects),
// ps/port/inspect, conflicts, user-defined networks with the embedded DNS and their isolation,
// and that nothing (veth, address, rule) outlives its containers. One guest; the tests build on
// each other in order.
import { describe, expect, it } from 'vitest';
import { guestSuite, sh, useGuest, vmSkipReason } from '../helpers/vm.ts';
import type { VmCore } from '../../src/vm/core.ts';

/** An HTTP GET from v86's network side to the guest's port, as the page's preview makes it. */
function httpFromEmulatorNetwork(vm: VmCore, port: number, path = '/'): Promise<string> {
  const net = vm.network;
  if (!net) throw new Error('the guest has no network adapter');
  return new Promise((resolve, reject) => {
    const conn = net.connect(port);
    const chunks: Uint8Array[] = [];
    const timer = setTimeout(() => reject(new Error(`no answer from guest port ${port}`)), 30_000);
    conn.on('connect', () => conn.write(new TextEncoder().encode(`GET ${path} HTTP/1.0\r\nHost: 192.168.86.100\r\n\r\n`)));
    conn.on('data', (d) => d && chunks.push(d));
    const done = (): void => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    conn.on('close', done);
    conn.on('shutdown', done);
  });
}

describe.skipIf(vmSkipReason())(guestSuite('docker networking in the guest'), () => {
  const g = useGuest();
  const run = (cmd: string) => g.vm.exec(cmd, { timeoutMs: 100_000 });

  it('pulls the images', async () => {
    await sh(g.vm, 'docker pull -q busybox && docker pull -q nginx');
  });

  it('publishes nginx on -p 8080:80: the guest\'s localhost and eth0 address, other containers, v86\'s network', async () => {
    await sh(g.vm, 'docker run -d --name web -p 8080:80 nginx');
    const page = await sh(g.vm, 'for i in $(seq 1 60); do wget -qO- localhost:8080 2>/dev/null && exit 0; sleep 0.5; done; exit 1');
    expect(page).toContain('<title>Welcome to nginx!</title>');
    expect(await sh(g.vm, 'wget -qO- 192.168.86.100:8080')).toContain('<title>Welcome to nginx!</title>');
    // another container, through the guest's addresses (and hairpinned through docker0)
    expect(await sh(g.vm, 'docker run --rm busybox sh -c "wget -qO- 192.168.86.100:8080 && wget -qO- 172.17.0.1:8080"')).toMatch(/Welcome to nginx[\s\S]*Welcome to nginx/);
    // the page's preview connects to the guest's eth0 from v86's virtual network
    expect(await httpFromEmulatorNetwork(g.vm, 8080)).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*<title>Welcome to nginx!<\/title>/);
  });

  it('shows the mapping in ps, port and inspect as Docker does', async () => {
    const ps = await sh(g.vm, 'docker ps --format "{{.Names}}|{{.Ports}}"');
    expect(ps).toBe('web|0.0.0.0:8080->80/tcp\n');
    expect((await sh(g.vm, 'docker ps')).split('\n')[1]).toMatch(/Up .+ {3}0\.0\.0\.0:8080->80\/tcp {3}web$/);
    expect(await sh(g.vm, 'docker port web')).toBe('80/tcp -> 0.0.0.0:8080\n');
    expect(await sh(g.vm, 'docker port web 80')).toBe('0.0.0.0:8080\n');
    const r = await run('docker port web 443');
    expect([r.exitCode, r.stderr]).toEqual([1, "Error: No public port '443' published for web\n"]);
    const [info] = JSON.parse(await sh(g.vm, 'docker inspect web')) as { HostConfig: Record<string, unknown>; NetworkSettings: { Ports: unknown; Networks: Record<string, Record<string, unknown>> } }[];
    expect(info!.HostConfig['PortBindings']).toEqual({ '80/tcp': [{ HostIp: '', HostPort: '8080' }] });
    expect(info!.NetworkSettings.Ports).toEqual({ '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }] });
    expect(info!.NetworkSettings.Networks['bridge']).toMatchObject({ IPAddress: '172.17.0.2', Gateway: '172.17.0.1', IPPrefixLen: 16 });
  });

  it('refuses a second container on the same port with Docker\'s message, leaving no veth behind', async () => {
    const before = await sh(g.vm, 'ip -o link | grep -c veth');
    const r = await run('docker run -d --name web2 -p 8080:80 busybox sleep 60');
    expect(r.exitCode).toBe(125);
    expect(r.stderr).toMatch(/^docker: Error response from daemon: failed to set up container networking: driver failed programming external connectivity on endpoint web2 \([0-9a-f]{64}\): Bind for 0\.0\.0\.0:8080 failed: port is already allocated\n/);
    expect(await sh(g.vm, 'ip -o link | grep -c veth')).toBe(before);
    const bad = await run('docker run --rm -p 8080:http busybox true');
    expect([bad.exitCode, bad.stderr]).toEqual([125, "docker: invalid containerPort: http\n\nRun 'docker run --help' for more information\n"]);
    await sh(g.vm, 'docker rm web2');
  });

  it('frees the port and the address when the container goes', async () => {
    await sh(g.vm, 'docker rm -f web');
    expect((await run('wget -qO- localhost:8080')).stderr).toContain('Connection refused');
    await sh(g.vm, 'docker run -d --name again -p 8080:80 busybox httpd -f -p 80 -h /etc');
    expect(await sh(g.vm, "docker inspect -f '{{.NetworkSettings.IPAddress}}' again")).toBe('172.17.0.2\n');
    expect(await sh(g.vm, 'for i in $(seq 1 20); do wget -qO- localhost:8080/hostname 2>/dev/null && exit 0; sleep 0.5; done; exit 1')).toMatch(/^[0-9a-f]{12}\n$/);
    await sh(g.vm, 'docker rm -f again');
  });

  it('resolves containers by name and alias on a user-defined network, and keeps other networks out', async () => {
    await sh(g.vm, 'docker network create app >/dev/null && docker network create --subnet 10.50.0.0/24 other >/dev/null');
    await sh(g.vm, 'docker run -d --name db --network app --network-alias database busybox httpd -f -p 80 -h /etc');
    const out = await sh(g.vm, 'docker run --rm --network app busybox sh -c "grep nameserver /etc/resolv.conf; wget -qO- db/hostname; wget -qO- database/hostname"');
    expect(out).toMatch(/^nameserver 127\.0\.0\.11\n([0-9a-f]{12})\n\1\n$/);
    const dbIp = (await sh(g.vm, "docker inspect -f '{{.NetworkSettings.Networks.app.IPAddress}}' db")).trim();
    expect(dbIp).toBe('172.18.0.2');
    // another network: no name, and no route through the guest to the address
    const other = await run(`docker run --rm --network other busybox sh -c "nslookup db 127.0.0.11 >/dev/null 2>&1 && echo resolved; ping -c 1 -W 2 ${dbIp} >/dev/null 2>&1 && echo reached; echo done"`);
    expect(other.stdout).toBe('done\n');
    // the default bridge has no embedded DNS, as in Docker
    expect(await sh(g.vm, 'docker run --rm busybox cat /etc/resolv.conf')).not.toContain('127.0.0.11');
    const rm = await run('docker network rm app');
    expect([rm.exitCode, rm.stderr]).toEqual([1, expect.stringMatching(/^Error response from daemon: error while removing network: network app has active endpoints/)]);
    await sh(g.vm, 'docker rm -f db && docker network rm app other');
    expect(await sh(g.vm, 'docker network ls --format "{{.Name}}"')).toBe('bridge\nhost\nnone\n');
    expect(await sh(g.vm, 'ip -o link show type bridge | grep -c br- || true')).toBe('0\n');
  });

  it('leaves no veth, address or rule after docker rm -f of 20 containers', async () => {
    await sh(g.vm, 'for i in $(seq 1 20); do docker run -d -p $((9000+i)):80 busybox sleep 600 >/dev/null || exit 1; done');
    expect(await sh(g.vm, 'docker ps -q | wc -l; ip -o link | grep -c veth')).toBe('20\n20\n');
    await sh(g.vm, 'docker rm -f $(docker ps -aq) >/dev/null');
    expect(await sh(g.vm, 'ip -o link | grep -c veth || true; ls /var/run/docker/netns | wc -l; ip -4 -o addr | grep -c "172\\.17\\.0\\.[0-9]*/" ')).toBe('0\n0\n1\n');
    // no rule left: a former published port is refused at once, not rewritten to a gone address
    for (const port of [9001, 9020]) expect((await run(`wget -qO- localhost:${port}`)).stderr).toContain('Connection refused');
  });
});
