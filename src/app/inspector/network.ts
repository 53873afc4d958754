// The network view's model: the snapshot's bridges and container namespaces (src/vm/inspect.ts)
// joined into links (bridge port -> veth pair -> the interface in the container's namespace) and
// laid out as a small diagram: bridges side by side, their containers below them. Pure: tested
// in Node (test/app/inspector/network.test.ts).
import type { InspectBridge, InspectIface, InspectNetContainer, InspectSnapshot, InspectVeth } from '../../vm/inspect.ts';

export interface NetLink {
  bridge: InspectBridge;
  /** The host end, on the bridge. */
  veth: InspectVeth;
  /** The container dockerd says owns this veth (its endpoint), or null. */
  container: { id: string; name: string } | null;
  /** The peer in the container's namespace: the interface whose index is the veth's iflink. */
  peer: InspectIface | null;
  /** The container's address on this network (from its namespace, else dockerd's record). */
  address: string;
  mac: string;
  /** "0.0.0.0:8080->80/tcp" as docker ps prints them (ports are published on every network). */
  ports: string[];
}

export interface BridgeGroup {
  bridge: InspectBridge;
  links: NetLink[];
}

export interface NetModel {
  groups: BridgeGroup[];
  /** Running containers on the host's network (--network host): no veth, no bridge. */
  hostNetwork: { id: string; name: string }[];
}

function portText(p: { port: string; hostIp: string; hostPort: string }): string {
  return `${p.hostIp || '0.0.0.0'}:${p.hostPort}->${p.port}`;
}

export function netModel(s: InspectSnapshot): NetModel | null {
  const net = s.net;
  if (!net) return null;
  const names = new Map(s.containers.map((c) => [c.id, c.name]));
  const byVeth = new Map<string, { c: InspectNetContainer; ep: InspectNetContainer['endpoints'][number] }>();
  for (const c of net.containers) for (const ep of c.endpoints) if (ep.veth) byVeth.set(ep.veth, { c, ep });
  const groups = net.bridges.map((bridge): BridgeGroup => ({
    bridge,
    links: bridge.ports.map((veth): NetLink => {
      const hit = byVeth.get(veth.name);
      if (!hit) return { bridge, veth, container: null, peer: null, address: '', mac: '', ports: [] };
      const peer = hit.c.ifaces.find((i) => i.ifindex !== 0 && i.ifindex === veth.peerIfindex) ?? null;
      const address = peer?.addrs[0] ?? (hit.ep.ip ? `${hit.ep.ip}/${hit.ep.prefixLen}` : '');
      return {
        bridge,
        veth,
        container: { id: hit.c.id, name: names.get(hit.c.id) || hit.c.id.slice(0, 12) },
        peer,
        address,
        mac: hit.ep.mac,
        ports: hit.c.ports.map(portText),
      };
    }),
  }));
  const hostNetwork = net.containers.filter((c) => c.hostNetwork).map((c) => ({ id: c.id, name: names.get(c.id) || c.id.slice(0, 12) }));
  return { groups, hostNetwork };
}

// ---- the diagram ----

export const BOX_W = 150;
export const GAP = 16;
export const BRIDGE_Y = 54;
export const BRIDGE_H = 46;
export const CONTAINER_Y = 170;
export const CONTAINER_H = 58;

export interface Placed<T> {
  x: number;
  y: number;
  w: number;
  h: number;
  item: T;
}

export interface Layout {
  width: number;
  height: number;
  bridges: Placed<BridgeGroup>[];
  links: Placed<NetLink>[];
}

/** Bridges left to right, each above its containers; a bridge is as wide as its containers need. */
export function layout(m: NetModel): Layout {
  const bridges: Placed<BridgeGroup>[] = [];
  const links: Placed<NetLink>[] = [];
  let x = GAP;
  for (const g of m.groups) {
    const n = Math.max(1, g.links.length);
    const w = n * BOX_W + (n - 1) * GAP;
    bridges.push({ x, y: BRIDGE_Y, w, h: BRIDGE_H, item: g });
    g.links.forEach((l, i) => links.push({ x: x + i * (BOX_W + GAP), y: CONTAINER_Y, w: BOX_W, h: CONTAINER_H, item: l }));
    x += w + GAP * 2;
  }
  return { width: Math.max(x, BOX_W + 2 * GAP), height: CONTAINER_Y + CONTAINER_H + 12, bridges, links };
}
