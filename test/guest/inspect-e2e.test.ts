// The inspector's snapshot from the real guest: a container started with `docker run -m` shows
// up with its processes in namespaces of their own and its cgroup's memory.max as set, and an
// OOM kill shows on the counters. Also prints what a snapshot costs in the guest (not asserted:
// guest timings follow the host's load).
import { describe, expect, it } from 'vitest';
import { guestSuite, sh, useGuest, vmSkipReason } from '../helpers/vm.ts';
import type { InspectRequest, InspectSnapshot } from '../../src/vm/inspect.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe.skipIf(vmSkipReason())(guestSuite('inspector snapshots in the guest'), () => {
  const g = useGuest();

  it('sees a running container in its own pid, mnt and net namespaces with its cgroup limit', async () => {
    await sh(g.vm, 'docker pull -q busybox >/dev/null && docker run -d --name web -m 32m busybox sleep 1000 >/dev/null');
    const id = (await sh(g.vm, "docker inspect -f '{{.Id}}' web")).trim();
    const s = await g.vm.inspect();
    const init = s.processes.find((p) => p.pid === 1)!;
    const web = s.processes.filter((p) => p.cgroup === `/docker/${id}`);
    expect(web.map((p) => p.cmd)).toEqual(['sleep 1000']);
    const sleep = web[0]!;
    for (const kind of ['pid', 'mnt', 'net', 'uts', 'ipc'] as const) expect(sleep.ns[kind], kind).not.toBe(init.ns[kind]);
    expect(sleep.ns.user).toBe(init.ns.user);
    // the same inodes the kernel shows to ls -l /proc/PID/ns
    const links = await sh(g.vm, `for f in /proc/${sleep.pid}/ns/pid /proc/${sleep.pid}/ns/net /proc/1/ns/pid; do readlink $f; done`);
    expect(links.trim().split('\n')).toEqual([`pid:[${sleep.ns.pid}]`, `net:[${sleep.ns.net}]`, `pid:[${init.ns.pid}]`]);
    // the chain that started it: containerd-shim under dockerd
    const shim = s.processes.find((p) => p.pid === sleep.ppid)!;
    expect(shim.comm).toMatch(/shim/);
    expect(s.processes.find((p) => p.pid === shim.ppid)?.comm).toMatch(/dockerd/);
    const group = s.cgroups.find((c) => c.path === `/docker/${id}`)!;
    expect(group.memoryMax).toBe(32 * 1024 * 1024);
    expect(group.memoryCurrent).toBeGreaterThan(0);
    expect(group.pidsCurrent).toBe(1);
    expect(group.cpuUsageUsec).toBeGreaterThan(0);
    expect(s.containers.find((c) => c.id === id)).toMatchObject({ name: 'web', image: 'busybox', status: 'running', pid: sleep.pid, memoryLimit: 32 * 1024 * 1024 });
  });

  it('costs the guest little per snapshot (printed)', async () => {
    const costs: number[] = [];
    const phases: Record<string, number[]> = {};
    const trips: number[] = [];
    let last: InspectSnapshot | null = null;
    for (let i = 0; i < 7; i++) {
      const t0 = performance.now();
      last = await g.vm.inspect();
      trips.push(performance.now() - t0);
      costs.push(last.costMs);
      for (const [k, v] of Object.entries(last.phasesMs)) (phases[k] ??= []).push(v);
    }
    const echo: number[] = [];
    for (let i = 0; i < 5; i++) echo.push((await g.vm.exec('echo hi')).durationMs);
    const bytes = JSON.stringify(last).length;
    console.info(
      `[inspect] ${last!.processes.length} processes, ${last!.cgroups.length} cgroups: guest collection median ${median(costs).toFixed(1)} ms ` +
        `(${Object.entries(phases).map(([k, v]) => `${k} ${median(v).toFixed(1)}`).join(', ')}), ` +
        `round trip median ${median(trips).toFixed(0)} ms (exec 'echo hi' median ${median(echo).toFixed(0)} ms), decoded JSON ${bytes} bytes`,
    );
    expect(costs.every((c) => c >= 0)).toBe(true);
  });

  it('costs the guest little per snapshot, per view (printed)', async () => {
    const views: [string, InspectRequest | undefined][] = [
      ['default (procs+cgroups, as before)', undefined],
      ['processes view', { parts: ['procs'] }],
      ['cgroups view', { parts: ['cgroups'] }],
      ['layers view', { parts: ['layers'] }],
      ['network view', { parts: ['net'] }],
    ];
    // round robin, so a change in the host's load weighs on every view alike
    const costs = new Map<string, number[]>();
    const phases = new Map<string, Record<string, number[]>>();
    for (let i = 0; i < 9; i++) {
      for (const [name, req] of views) {
        const s = await g.vm.inspect(req);
        if (i < 2) continue;
        costs.set(name, [...(costs.get(name) ?? []), s.costMs]);
        const ph = phases.get(name) ?? {};
        for (const [k, v] of Object.entries(s.phasesMs)) (ph[k] ??= []).push(v);
        phases.set(name, ph);
      }
    }
    for (const [name] of views) {
      console.info(`[inspect] ${name}: guest median ${median(costs.get(name)!).toFixed(1)} ms (${Object.entries(phases.get(name)!).map(([k, v]) => `${k} ${median(v).toFixed(1)}`).join(', ')})`);
    }
  });

  it("shows a container's overlay stack: the image's layers from dockerd's layerdb, its upper dir with a new file and a whiteout", async () => {
    await sh(g.vm, "docker run -d --name lay busybox sh -c 'echo hi > /made-here; rm /bin/vi; sleep 600' >/dev/null");
    const id = (await sh(g.vm, "docker inspect -f '{{.Id}}' lay")).trim();
    const diffIds = JSON.parse(await sh(g.vm, "docker image inspect -f '{{json .RootFS.Layers}}' busybox")) as string[];
    let s = await g.vm.inspect({ parts: ['layers'], layersFocus: id.slice(0, 12) });
    for (let i = 0; i < 20 && !s.layers!.find((x) => x.id === id)?.lower.every((l) => l.complete); i++) s = await g.vm.inspect({ parts: ['layers'], layersFocus: id });
    const st = s.layers!.find((x) => x.id === id)!;
    expect(st.merged).toBe(`/var/lib/docker/overlay2/${id}/merged`);
    expect(st.upper).toBe(`/var/lib/docker/overlay2/${id}/diff`);
    expect(st.lower.map((l) => l.diffId)).toEqual(diffIds);
    expect(st.lower.every((l) => l.complete && l.files > 0 && l.bytes > 0)).toBe(true);
    expect(st.upperEntries).toContainEqual({ path: '/made-here', kind: 'file', size: 3 });
    expect(st.upperEntries).toContainEqual({ path: '/bin/vi', kind: 'whiteout', size: 0 });
    // the counts agree with the guest's own find over the layer's dir
    const top = st.lower[st.lower.length - 1]!;
    const files = Number((await sh(g.vm, `find ${top.dir} ! -type d | wc -l`)).trim());
    expect(top.files).toBe(files);
    expect(s.processes).toEqual([]);
  });

  it("shows a user network's bridge and the veth pair to a container on it, matching the kernel", async () => {
    await sh(g.vm, 'docker network create inspnet >/dev/null && docker run -d --name netc --network inspnet -p 8088:80 busybox sleep 600 >/dev/null');
    const id = (await sh(g.vm, "docker inspect -f '{{.Id}}' netc")).trim();
    const netId = (await sh(g.vm, "docker network inspect -f '{{.Id}}' inspnet")).trim();
    const s = await g.vm.inspect({ parts: ['net'] });
    const br = s.net!.bridges.find((b) => b.network === 'inspnet')!;
    expect(br.name).toBe(`br-${netId.slice(0, 12)}`);
    const gw = (await sh(g.vm, "docker inspect -f '{{.NetworkSettings.Networks.inspnet.Gateway}}' netc")).trim();
    expect(gw).toMatch(/^172\.\d+\.0\.1$/);
    expect(br.addrs).toEqual([`${gw}/16`]);
    const c = s.net!.containers.find((x) => x.id === id)!;
    const ep = c.endpoints.find((e) => e.network === 'inspnet')!;
    const veth = br.ports.find((p) => p.name === ep.veth)!;
    expect(veth).toBeDefined();
    // the container's eth0 has the index the host end's iflink names, as the container's own sysfs says
    const eth0 = c.ifaces.find((i) => i.name === 'eth0')!;
    expect(eth0.ifindex).toBe(veth.peerIfindex);
    expect(Number((await sh(g.vm, 'docker exec netc cat /sys/class/net/eth0/ifindex')).trim())).toBe(eth0.ifindex);
    expect(eth0.addrs).toEqual([`${ep.ip}/16`]);
    expect(c.ports).toEqual([{ port: '80/tcp', hostIp: '0.0.0.0', hostPort: '8088' }]);
    expect(c.defaultGateway).toBe(gw);
    expect(s.net!.bridges.find((b) => b.name === 'docker0')?.addrs).toEqual(['172.17.0.1/16']);
  });

  it('counts an OOM kill in the container group and marks the container OOMKilled', async () => {
    const r = await g.vm.exec("docker run --name greedy --memory 16m busybox sh -c 'x=a; while true; do x=$x$x; done'", { timeoutMs: 100_000 });
    expect(r.exitCode).toBe(137);
    const s = await g.vm.inspect();
    const greedy = s.containers.find((c) => c.name === 'greedy')!;
    expect(greedy).toMatchObject({ oomKilled: true, status: 'exited', memoryLimit: 16 * 1024 * 1024 });
    // its own group left with the container; the parent's counter is hierarchical and keeps it
    expect(s.cgroups.find((c) => c.path === `/docker/${greedy.id}`)).toBeUndefined();
    expect(s.cgroups.find((c) => c.path === '/docker')!.oomKills).toBeGreaterThanOrEqual(1);
  });
});
