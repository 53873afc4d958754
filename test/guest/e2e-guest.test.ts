// The tutorial's docker commands end to end in the real guest: the dockerd that
// /etc/whalebone/init.d/50-dockerd starts at boot, the offline registry over 9p (lazy pulls) and
// the default bridge network. One guest for the whole file; the tests run in order and build on
// each other (nginx is pulled once).
import { describe, expect, it } from 'vitest';
import { guestSuite, sh, useGuest, vmSkipReason } from '../helpers/vm.ts';

describe.skipIf(vmSkipReason())(guestSuite('docker in the guest'), () => {
  // the default shares include the offline registry at /mnt/host/registry
  const g = useGuest();

  it('reaches the dockerd started at boot, which brought up docker0', async () => {
    expect(await sh(g.vm, 'docker version --format "{{.Server.Version}}"')).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect((await sh(g.vm, 'docker ps')).split('\n')[0]).toMatch(/^CONTAINER ID\s+IMAGE\s+COMMAND/);
    const br = await sh(g.vm, 'ip -4 addr show docker0');
    expect(br).toMatch(/<[^>]*\bUP\b[^>]*>/);
    expect(br).toContain('inet 172.17.0.1/16');
    expect(await sh(g.vm, 'docker network ls --format "{{.Name}} {{.Driver}} {{.Scope}}"')).toBe('bridge bridge local\nhost host local\nnone null local\n');
    expect((await sh(g.vm, 'docker network ls')).split('\n')[0]).toMatch(/^NETWORK ID\s+NAME\s+DRIVER\s+SCOPE$/);
  });

  it('pulls busybox and nginx from the offline registry', async () => {
    expect(await sh(g.vm, 'docker pull -q busybox')).toBe('docker.io/library/busybox:latest\n');
    const pull = await sh(g.vm, 'docker pull nginx');
    expect(pull).toMatch(/^Using default tag: latest\nlatest: Pulling from library\/nginx\n/);
    expect(pull).toMatch(/Status: Downloaded newer image for nginx:latest\ndocker\.io\/library\/nginx:latest\n$/);
    expect(await sh(g.vm, 'docker pull nginx')).toContain('Status: Image is up to date for nginx:latest');
    expect(await sh(g.vm, 'docker images --format "{{.Repository}}:{{.Tag}}" | sort')).toBe('busybox:latest\nnginx:latest\n');
  });

  it('runs a foreground container and removes it: docker run --rm busybox echo hi', async () => {
    expect(await sh(g.vm, 'docker run --rm busybox echo hi')).toBe('hi\n');
    expect(await sh(g.vm, 'docker ps -aq')).toBe('');
  });

  it('gives a container eth0 on docker0 with its address, route and hosts line', async () => {
    const out = await sh(g.vm, 'docker run --rm --hostname box busybox sh -c "ip -4 addr show eth0; ip link show eth0; ip route; grep box /etc/hosts; ping -c 1 -W 5 172.17.0.1 >/dev/null && echo gateway answers"');
    expect(out).toContain('inet 172.17.0.2/16');
    expect(out).toContain('link/ether 02:42:ac:11:00:02');
    expect(out).toContain('default via 172.17.0.1 dev eth0');
    expect(out).toContain('172.17.0.2\tbox\n');
    expect(out).toContain('gateway answers');
    // the pair and the namespace went with the container
    expect(await sh(g.vm, 'ip -o link show master docker0 | wc -l; ls /var/run/docker/netns | wc -l')).toBe('0\n0\n');
  });

  let nginx = '';
  it('serves nginx on 172.17.0.2: docker run -d nginx, docker ps, wget', async () => {
    nginx = (await sh(g.vm, 'docker run -d nginx')).trim();
    expect(nginx).toMatch(/^[0-9a-f]{64}$/);
    const ps = await sh(g.vm, 'docker ps');
    expect(ps).toMatch(new RegExp(`\\n${nginx.slice(0, 12)}\\s+nginx\\s+"nginx -g 'daemon of…"\\s+.+ago\\s+Up `));
    const inspect = JSON.parse(await sh(g.vm, `docker inspect ${nginx}`)) as { NetworkSettings: Record<string, unknown> & { Networks: Record<string, Record<string, unknown>> } }[];
    const ns = inspect[0]!.NetworkSettings;
    expect(ns).toMatchObject({ IPAddress: '172.17.0.2', IPPrefixLen: 16, Gateway: '172.17.0.1', MacAddress: '02:42:ac:11:00:02' });
    expect(ns.Networks['bridge']).toMatchObject({ IPAddress: '172.17.0.2', Gateway: '172.17.0.1', MacAddress: '02:42:ac:11:00:02' });
    expect(ns.Networks['bridge']!['NetworkID']).toMatch(/^[0-9a-f]{64}$/);
    // nginx takes a few seconds to come up in the emulator: poll, as a learner would retry
    const page = await sh(g.vm, 'for i in $(seq 1 60); do wget -qO- 172.17.0.2 2>/dev/null && exit 0; sleep 0.5; done; exit 1');
    expect(page).toContain('<title>Welcome to nginx!</title>');
    // the access log shows the request coming from the bridge's address
    expect(await sh(g.vm, `docker logs ${nginx} 2>&1`)).toMatch(/^172\.17\.0\.1 - - \[.+\] "GET \/ HTTP\/1\.1" 200 /m);
  });

  it('keeps the addresses in use across a dockerd restart (docker0 and the running nginx stay)', async () => {
    // SIGTERM: dockerd stops cleanly and its supervisor starts it again; wait for the new one
    const old = (await sh(g.vm, 'cat /var/run/docker.pid')).trim();
    await sh(g.vm, `kill ${old}; i=0; while [ $i -lt 600 ]; do p=$(cat /var/run/docker.pid); [ "$p" != "${old}" ] && docker version >/dev/null 2>&1 && exit 0; sleep 0.1; i=$((i + 1)); done; exit 1`, { timeoutMs: 120_000 });
    expect(await sh(g.vm, `docker inspect -f '{{.State.Status}} {{.NetworkSettings.IPAddress}}' ${nginx}`)).toBe('running 172.17.0.2\n');
    expect(await sh(g.vm, 'docker run --rm busybox ip -4 -o addr show eth0')).toContain('inet 172.17.0.3/16');
    expect(await sh(g.vm, 'wget -qO- 172.17.0.2')).toContain('<title>Welcome to nginx!</title>');
  });

  it('stops it: docker stop <id>, then Exited (0) in ps -a and its address is free again', async () => {
    expect(await sh(g.vm, `docker stop ${nginx}`)).toBe(`${nginx}\n`);
    expect(await sh(g.vm, 'docker ps -a')).toMatch(new RegExp(`\\n${nginx.slice(0, 12)}\\s+nginx\\s+.+\\s+Exited \\(0\\) .+ ago\\s`));
    expect(await sh(g.vm, `docker inspect -f '{{.NetworkSettings.IPAddress}}|{{.State.Status}}' ${nginx}`)).toBe('|exited\n');
    expect(await sh(g.vm, 'docker run --rm busybox ip -4 -o addr show eth0')).toContain('inet 172.17.0.2/16');
  });

  it('keeps named-volume data for the next container', async () => {
    await sh(g.vm, "docker run -v data:/data busybox sh -c 'echo x > /data/f'");
    expect(await sh(g.vm, 'docker run --rm -v data:/data busybox cat /data/f')).toBe('x\n');
    expect(await sh(g.vm, 'docker volume ls -q')).toBe('data\n');
  });

  it('kills a greedy process over --memory 16m: Exited (137), OOMKilled true', async () => {
    const r = await g.vm.exec("docker run --name greedy --memory 16m busybox sh -c 'x=a; while true; do x=$x$x; done'", { timeoutMs: 100_000 });
    expect(r.exitCode).toBe(137);
    expect(await sh(g.vm, "docker inspect -f '{{.State.ExitCode}} {{.State.OOMKilled}}' greedy")).toBe('137 true\n');
    expect(await sh(g.vm, 'docker ps -a --filter name=greedy --format "{{.Status}}"')).toMatch(/^Exited \(137\) /);
  });

  it('prunes: docker system prune -f', async () => {
    const out = await sh(g.vm, 'docker system prune -f');
    expect(out).toMatch(/^Deleted Containers:\n/);
    expect(out).toContain(nginx);
    expect(out).toMatch(/Total reclaimed space: /);
    expect(await sh(g.vm, 'docker ps -aq')).toBe('');
    // volumes stay without --volumes; images stay without -a
    expect(await sh(g.vm, 'docker volume ls -q')).toBe('data\n');
    expect(await sh(g.vm, 'docker images -q | wc -l')).toBe('2\n');
  });
});
