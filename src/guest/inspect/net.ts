// The network part of an inspector snapshot: dockerd's bridges with the addresses the kernel
// gives them, the veth ports on each bridge with their peer's interface index (iflink: the
// container end's index in its own namespace), and per running container the interfaces its
// namespace holds (/proc/PID/net/*: names, indexes, addresses, byte counters) with the endpoint
// and published ports dockerd recorded. Networks and endpoints come from dockerd's records
// (network/networks.json, config.v2.json), everything else from the kernel, read in-process.

import type { DirEntry, Syscalls } from '../sys/syscalls.ts';
import { addressesByIface, parseDevMcast, parseFibLocal, parseNetDev, parseRoutes, parseSnmp6Ifindex, type IfaceCounters } from './netparse.ts';
import { parseNsLink } from './parse.ts';
import { utf8Decode } from '../util/text.ts';

export interface SnapshotBridge {
  name: string;
  /** The docker network it carries ("bridge" for docker0). */
  network: string;
  networkId: string;
  ifindex: number;
  /** IPv4 addresses as CIDRs, from the kernel. */
  addrs: string[];
  subnet: string;
  /** Ports (brif): the host ends of veth pairs. */
  ports: SnapshotVeth[];
}

export interface SnapshotVeth {
  name: string;
  ifindex: number;
  /** The peer's index (in the container's namespace). */
  peerIfindex: number;
  rx: number;
  tx: number;
}

export interface SnapshotIface {
  name: string;
  /** Index in the container's namespace, 0 when the kernel does not say. */
  ifindex: number;
  addrs: string[];
  rx: number;
  tx: number;
}

export interface SnapshotEndpoint {
  network: string;
  /** The host end dockerd named after the endpoint (veth + 7 characters of its ID). */
  veth: string;
  ip: string;
  prefixLen: number;
  mac: string;
  gateway: string;
}

export interface SnapshotPort {
  /** "80/tcp" */
  port: string;
  hostIp: string;
  hostPort: string;
}

export interface SnapshotNetContainer {
  id: string;
  /** The container's network namespace inode (0 when unreadable); the host's for --network host. */
  netns: number;
  hostNetwork: boolean;
  ifaces: SnapshotIface[];
  endpoints: SnapshotEndpoint[];
  ports: SnapshotPort[];
  defaultGateway: string;
}

export interface SnapshotNet {
  hostNetns: number;
  bridges: SnapshotBridge[];
  containers: SnapshotNetContainer[];
}

/** What the inspector takes from a container record for the network view. */
export interface ContainerNetRecord {
  id: string;
  pid: number;
  running: boolean;
  endpoints: SnapshotEndpoint[];
  ports: SnapshotPort[];
}

interface NetworkRecord {
  Name?: unknown;
  Id?: unknown;
  Driver?: unknown;
  Bridge?: unknown;
  Subnet?: unknown;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The endpoints and published ports of a parsed config.v2.json (Engine API key names, daemon/model.ts). */
export function containerNetRecord(id: string, rec: unknown): ContainerNetRecord {
  const r = (typeof rec === 'object' && rec !== null ? rec : {}) as {
    State?: { Pid?: unknown; Running?: unknown };
    NetworkSettings?: { Networks?: unknown; Ports?: unknown };
  };
  const endpoints: SnapshotEndpoint[] = [];
  const nets = r.NetworkSettings?.Networks;
  if (typeof nets === 'object' && nets !== null) {
    for (const [network, v] of Object.entries(nets as Record<string, unknown>)) {
      const e = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
      const epId = str(e.EndpointID);
      endpoints.push({
        network,
        veth: epId ? `veth${epId.slice(0, 7)}` : '',
        ip: str(e.IPAddress),
        prefixLen: typeof e.IPPrefixLen === 'number' ? e.IPPrefixLen : 0,
        mac: str(e.MacAddress),
        gateway: str(e.Gateway),
      });
    }
  }
  const ports: SnapshotPort[] = [];
  const pm = r.NetworkSettings?.Ports;
  if (typeof pm === 'object' && pm !== null) {
    for (const [port, bindings] of Object.entries(pm as Record<string, unknown>)) {
      if (!Array.isArray(bindings)) continue;
      for (const b of bindings as Record<string, unknown>[]) ports.push({ port, hostIp: str(b?.HostIp), hostPort: str(b?.HostPort) });
    }
  }
  return { id, pid: typeof r.State?.Pid === 'number' ? r.State.Pid : 0, running: r.State?.Running === true, endpoints, ports };
}

export class NetCollector {
  private networks: { mtimeMs: number; list: { name: string; id: string; bridge: string; subnet: string }[] } | null = null;

  constructor(
    private readonly sys: Syscalls,
    private readonly read: (path: string) => string | null,
    private readonly root = '/var/lib/docker',
  ) {}

  collect(containers: ContainerNetRecord[]): SnapshotNet {
    const hostNetns = this.netns('self');
    const dev = parseNetDev(this.read('/proc/net/dev') ?? '');
    const routes = parseRoutes(this.read('/proc/net/route') ?? '');
    const addrs = addressesByIface(parseFibLocal(this.read('/proc/net/fib_trie') ?? ''), routes);
    const counters = new Map<string, IfaceCounters>(dev.map((d) => [d.name, d]));
    const bridges: SnapshotBridge[] = [];
    for (const n of this.networkRecords()) {
      if (!n.bridge) continue;
      const ifindex = this.num(`/sys/class/net/${n.bridge}/ifindex`);
      // a network whose bridge is not up (dockerd makes user bridges when created) shows nothing to draw
      if (ifindex === 0) continue;
      let brif: DirEntry[] = [];
      try {
        brif = this.sys.readdir(`/sys/class/net/${n.bridge}/brif`);
      } catch {
        // no ports
      }
      const ports: SnapshotVeth[] = [];
      for (const e of brif) {
        if (e.name === '.' || e.name === '..') continue;
        const c = counters.get(e.name);
        ports.push({ name: e.name, ifindex: this.num(`/sys/class/net/${e.name}/ifindex`), peerIfindex: this.num(`/sys/class/net/${e.name}/iflink`), rx: c?.rxBytes ?? 0, tx: c?.txBytes ?? 0 });
      }
      ports.sort((a, b) => a.ifindex - b.ifindex);
      bridges.push({ name: n.bridge, network: n.name, networkId: n.id, ifindex, addrs: addrs.get(n.bridge) ?? [], subnet: n.subnet, ports });
    }
    const out: SnapshotNetContainer[] = [];
    for (const c of containers) {
      if (!c.running || c.pid <= 0) continue;
      const netns = this.netns(String(c.pid));
      if (netns === 0) continue;
      const hostNetwork = netns === hostNetns;
      const ifaces: SnapshotIface[] = [];
      let defaultGateway = '';
      if (!hostNetwork) {
        const base = `/proc/${c.pid}/net`;
        const cdev = parseNetDev(this.read(`${base}/dev`) ?? '');
        const croutes = parseRoutes(this.read(`${base}/route`) ?? '');
        const caddrs = addressesByIface(parseFibLocal(this.read(`${base}/fib_trie`) ?? ''), croutes);
        const idx = parseDevMcast(this.read(`${base}/dev_mcast`) ?? '');
        defaultGateway = croutes.find((r) => r.prefixLen === 0 && r.dest === '0.0.0.0')?.gateway ?? '';
        for (const d of cdev) {
          // lo is interface 1 in every namespace; another one without multicast says its index in dev_snmp6
          let ifindex = idx.get(d.name) ?? (d.name === 'lo' ? 1 : 0);
          if (ifindex === 0) ifindex = parseSnmp6Ifindex(this.read(`${base}/dev_snmp6/${d.name}`) ?? '');
          ifaces.push({ name: d.name, ifindex, addrs: caddrs.get(d.name) ?? [], rx: d.rxBytes, tx: d.txBytes });
        }
        ifaces.sort((a, b) => (a.ifindex || 99) - (b.ifindex || 99) || (a.name < b.name ? -1 : 1));
      }
      out.push({ id: c.id, netns, hostNetwork, ifaces, endpoints: c.endpoints, ports: c.ports, defaultGateway });
    }
    return { hostNetns, bridges, containers: out };
  }

  private netns(pid: string): number {
    try {
      return parseNsLink(this.sys.readlink(`/proc/${pid}/ns/net`));
    } catch {
      return 0;
    }
  }

  private num(path: string): number {
    const t = this.read(path);
    const n = t === null ? NaN : Number(t.trim());
    return Number.isInteger(n) ? n : 0;
  }

  /** networks.json, parsed again only when dockerd rewrote it (network create/rm). */
  private networkRecords(): { name: string; id: string; bridge: string; subnet: string }[] {
    const file = `${this.root}/network/networks.json`;
    const st = this.sys.statOrNull(file);
    if (!st) return [];
    if (this.networks && this.networks.mtimeMs === st.mtimeMs) return this.networks.list;
    let raw: unknown;
    try {
      raw = JSON.parse(utf8Decode(this.sys.readFile(file)));
    } catch {
      raw = [];
    }
    const list: { name: string; id: string; bridge: string; subnet: string }[] = [];
    for (const n of Array.isArray(raw) ? (raw as NetworkRecord[]) : []) {
      if (str(n.Driver) !== 'bridge') continue;
      const name = str(n.Name);
      // dockerd fills the default network's bridge and subnet in at start (not in the file)
      list.push({ name, id: str(n.Id), bridge: str(n.Bridge) || (name === 'bridge' ? 'docker0' : ''), subnet: str(n.Subnet) || (name === 'bridge' ? '172.17.0.0/16' : '') });
    }
    this.networks = { mtimeMs: st.mtimeMs, list };
    return list;
  }
}
