import { describe, expect, it } from 'vitest';
import { CgroupHistory, cgroupRows, containerIdOfCgroup, containerSet, formatBytes, namespaceSlots, processRows, runningContainers, sparkPoints } from '../../../src/app/inspector/model.ts';
import { decodeSnapshot, type InspectSnapshot } from '../../../src/vm/inspect.ts';
import { Collector } from '../../../src/guest/inspect/collect.ts';
import { CID, guestFixture, WEB_NS } from '../../guest/inspect/fixture.ts';

/** The recorded guest state (one busybox container "web") through the real collector and decoder. */
function recorded(): InspectSnapshot {
  return decodeSnapshot(JSON.stringify(new Collector(guestFixture()).snapshot()));
}

const CID2 = 'f'.repeat(64);
/** A second container "db" with its own namespaces (two processes) beside "web". */
function twoContainers(): InspectSnapshot {
  const s = recorded();
  const base = s.processes.find((p) => p.pid === 82)!;
  const dbNs = { ...WEB_NS, pid: 5001, mnt: 5002, net: 5003, uts: 5004, ipc: 5005, cgroup: 5006 };
  s.processes.push(
    { ...base, pid: 90, ppid: 42, comm: 'containerd-shim', cmd: 'containerd-shim -id ' + CID2, ns: s.processes[0]!.ns, cgroup: '/' },
    { ...base, pid: 91, ppid: 90, comm: 'sh', cmd: 'sh', ns: dbNs, cgroup: `/docker/${CID2}` },
    { ...base, pid: 95, ppid: 91, comm: 'sleep', cmd: 'sleep 9', ns: dbNs, cgroup: `/docker/${CID2}` },
  );
  s.containers.push({ id: CID2, name: 'db', image: 'busybox', status: 'running', pid: 91, oomKilled: false, memoryLimit: 0 });
  return s;
}

describe('inspector model: processes and namespaces', () => {
  it('builds the tree from pid 1 down: dockerd, the shim, the container', () => {
    const rows = processRows(recorded());
    expect(rows.map((r) => [r.proc.pid, r.depth])).toEqual([[1, 0], [42, 1], [79, 2], [82, 3]]);
    const sleep = rows.find((r) => r.proc.pid === 82)!;
    expect(sleep.container?.name).toBe('web');
    expect(rows.find((r) => r.proc.pid === 79)!.container).toBeNull();
  });

  it("marks a container's namespaces as its own except those it shares with the host", () => {
    const sleep = processRows(recorded()).find((r) => r.proc.pid === 82)!;
    expect(sleep.own).toEqual({ pid: true, mnt: true, net: true, uts: true, ipc: true, user: false, cgroup: true });
    expect(sleep.colours.user).toBe(0);
    expect(sleep.colours.pid).not.toBe(0);
    const dockerd = processRows(recorded()).find((r) => r.proc.pid === 42)!;
    expect(Object.values(dockerd.colours).every((c) => c === 0)).toBe(true);
  });

  it('gives processes in the same namespace the same colour and different namespaces different ones', () => {
    const rows = processRows(twoContainers());
    const col = (pid: number) => rows.find((r) => r.proc.pid === pid)!.colours;
    expect(col(91).pid).toBe(col(95).pid);
    expect(col(91).net).toBe(col(95).net);
    expect(col(91).pid).not.toBe(col(82).pid);
    expect(col(91).pid).not.toBe(0);
    expect(col(90).pid).toBe(0);
    expect(rows.map((r) => r.proc.pid)).toEqual([1, 42, 79, 82, 90, 91, 95]);
  });

  it('cycles colours past the palette without ever reusing the host colour', () => {
    const s = recorded();
    const base = s.processes[0]!;
    for (let i = 0; i < 20; i++) s.processes.push({ ...base, pid: 1000 + i, ppid: 1, ns: { ...base.ns, net: 9000 + i } });
    const slots = namespaceSlots(s.processes).net;
    for (let i = 0; i < 20; i++) expect(slots.get(9000 + i)).toBeGreaterThan(0);
  });

  it("selecting a container gives its processes and namespaces", () => {
    const s = twoContainers();
    const set = containerSet(s, CID2);
    expect([...set.pids]).toEqual([91, 95]);
    expect([...set.ns.pid]).toEqual([5001]);
    expect([...set.ns.user]).toEqual([WEB_NS.user]);
    expect(runningContainers(s).map((c) => c.name)).toEqual(['db', 'web']);
    expect(containerIdOfCgroup(`/docker/${CID}/sub`)).toBe(CID);
    expect(containerIdOfCgroup('/docker')).toBeNull();
    expect(containerIdOfCgroup(null)).toBeNull();
  });

  it('keeps processes whose parent is not in the snapshot as roots', () => {
    const s = recorded();
    s.processes = s.processes.filter((p) => p.pid !== 79);
    expect(processRows(s).map((r) => [r.proc.pid, r.depth])).toEqual([[1, 0], [42, 1], [82, 0]]);
  });
});

describe('inspector model: cgroups over time', () => {
  const at = (s: InspectSnapshot, t: number, f: (s: InspectSnapshot) => void = () => {}) => {
    const c = structuredClone(s);
    c.guestTimeMs = t;
    f(c);
    return c;
  };

  it("turns cpu.stat's cumulative usage into percent of a CPU per interval", () => {
    const h = new CgroupHistory();
    const s0 = recorded();
    const g = `/docker/${CID}`;
    h.update(at(s0, 1000));
    h.update(at(s0, 2000, (s) => (s.cgroups.find((x) => x.path === g)!.cpuUsageUsec! += 250_000)));
    h.update(at(s0, 3000, (s) => (s.cgroups.find((x) => x.path === g)!.cpuUsageUsec! += 250_000 + 1_000_000)));
    expect(h.cpu(g)).toEqual([25, 100]);
    const rows = cgroupRows(at(s0, 3000), h);
    const row = rows.find((r) => r.group.path === g)!;
    expect(row.label).toBe(`web (${CID.slice(0, 12)})`);
    expect(row.memFraction).toBeCloseTo(655360 / 33554432);
    expect(row.pidsFraction).toBeNull();
    expect(rows.map((r) => [r.group.path, r.depth])).toEqual([['/', 0], ['/docker', 1], [g, 2]]);
  });

  it('reports an OOM kill once, on the deepest group that counted it', () => {
    const h = new CgroupHistory();
    const s0 = recorded();
    const g = `/docker/${CID}`;
    h.update(at(s0, 1000));
    const oom = (s: InspectSnapshot) => {
      s.cgroups.find((x) => x.path === g)!.oomKills = 1;
      s.cgroups.find((x) => x.path === '/docker')!.oomKills = 1;
    };
    h.update(at(s0, 2000, oom));
    h.update(at(s0, 3000, oom));
    expect(h.events).toEqual([{ at: 2000, path: g, container: CID, kills: 1 }]);
    expect(h.ooms(g)).toBe(1);
  });

  it("reports a kill seen only on the parent (the container's group already gone) once, as the container's", () => {
    const h = new CgroupHistory();
    const s0 = recorded();
    h.update(at(s0, 1000));
    h.update(
      at(s0, 2000, (s) => {
        s.cgroups = s.cgroups.filter((x) => x.path !== `/docker/${CID}`);
        s.cgroups.find((x) => x.path === '/docker')!.oomKills = 1;
        s.containers[0]!.oomKilled = true;
        s.containers[0]!.status = 'exited';
      }),
    );
    expect(h.events).toEqual([{ at: 2000, path: '/docker', container: CID, kills: 1 }]);
    h.update(at(s0, 3000, (s) => (s.containers[0]!.oomKilled = true)));
    expect(h.events).toHaveLength(1);
    // a container whose kill no group showed still gets its event
    const h2 = new CgroupHistory();
    h2.update(at(s0, 1000));
    h2.update(at(s0, 2000, (s) => (s.containers[0]!.oomKilled = true)));
    expect(h2.events).toEqual([{ at: 2000, path: `/docker/${CID}`, container: CID, kills: 1 }]);
  });

  it('raises no event for a container OOM-killed before watching began', () => {
    const h = new CgroupHistory();
    const s = at(recorded(), 1000, (x) => (x.containers[0]!.oomKilled = true));
    h.prime(s);
    h.update(s);
    expect(h.events).toEqual([]);
  });

  it('formats bytes and sparkline points', () => {
    expect(formatBytes(null)).toBe('max');
    expect(formatBytes(512)).toBe('512B');
    expect(formatBytes(33554432)).toBe('32.0MiB');
    expect(formatBytes(655360)).toBe('640.0KiB');
    expect(sparkPoints([], 80, 18)).toBe('');
    expect(sparkPoints([0, 100], 80, 18, 2)).toBe('0.0,18.0 80.0,0.0');
  });
});
