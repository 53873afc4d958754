// Parsers for the network text the inspector reads from /proc/net (the agent's namespace) and
// /proc/PID/net (a container's): interface counters, routes, local addresses and interface
// indexes. Each file is one read, where `ip addr` would be a process and a netlink dump.

/** An IPv4 address in /proc/net/route's hex (the kernel's bytes in memory order, little-endian here). */
export function routeHexToIp(hex: string): string {
  const n = parseInt(hex, 16) >>> 0;
  return `${n & 255}.${(n >>> 8) & 255}.${(n >>> 16) & 255}.${n >>> 24}`;
}

export function ipToNumber(ip: string): number {
  const p = ip.split('.').map(Number);
  return (((p[0]! << 24) >>> 0) + (p[1]! << 16) + (p[2]! << 8) + p[3]!) >>> 0;
}

export interface Route {
  iface: string;
  dest: string;
  gateway: string;
  prefixLen: number;
}

/** /proc/net/route: "Iface Destination Gateway Flags RefCnt Use Metric Mask ..." with hex addresses. */
export function parseRoutes(text: string): Route[] {
  const out: Route[] = [];
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i]!.trim().split(/\s+/);
    if (f.length < 8) continue;
    const mask = ipToNumber(routeHexToIp(f[7]!));
    let bits = 0;
    for (let m = mask; m !== 0; m = (m << 1) >>> 0) bits++;
    out.push({ iface: f[0]!, dest: routeHexToIp(f[1]!), gateway: routeHexToIp(f[2]!), prefixLen: bits });
  }
  return out;
}

/** The addresses the kernel holds as local (/32 host LOCAL leaves of /proc/net/fib_trie), loopback left out. */
export function parseFibLocal(text: string): string[] {
  const out: string[] = [];
  let leaf = '';
  for (const line of text.split('\n')) {
    const at = line.indexOf('|-- ');
    if (at >= 0) {
      leaf = line.slice(at + 4).trim();
      continue;
    }
    if (leaf && /^\s+\/32 host LOCAL/.test(line) && !leaf.startsWith('127.') && !out.includes(leaf)) out.push(leaf);
  }
  return out;
}

/** Local addresses as CIDRs per interface: each address on the interface whose connected route holds it. */
export function addressesByIface(local: string[], routes: Route[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const ip of local) {
    const n = ipToNumber(ip);
    let best: Route | null = null;
    for (const r of routes) {
      // connected routes only (no gateway); the longest prefix that holds the address
      if (r.gateway !== '0.0.0.0' || r.prefixLen === 0) continue;
      const mask = r.prefixLen === 32 ? 0xffffffff : (~(0xffffffff >>> r.prefixLen)) >>> 0;
      if (((n & mask) >>> 0) !== ipToNumber(r.dest)) continue;
      if (!best || r.prefixLen > best.prefixLen) best = r;
    }
    if (!best) continue;
    const list = out.get(best.iface) ?? [];
    list.push(`${ip}/${best.prefixLen}`);
    out.set(best.iface, list);
  }
  return out;
}

export interface IfaceCounters {
  name: string;
  rxBytes: number;
  txBytes: number;
}

/** /proc/net/dev: two header lines, then "  eth0: rxbytes rxpackets ... (8 rx fields) txbytes ...". */
export function parseNetDev(text: string): IfaceCounters[] {
  const out: IfaceCounters[] = [];
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0 || line.includes('|')) continue;
    const f = line.slice(colon + 1).trim().split(/\s+/);
    if (f.length < 9) continue;
    out.push({ name: line.slice(0, colon).trim(), rxBytes: Number(f[0]) || 0, txBytes: Number(f[8]) || 0 });
  }
  return out;
}

/**
 * Interface indexes by name in a namespace from /proc/PID/net/dev_mcast ("2    eth0  1  0
 * 01005e000001": index, name, users, global users, address), one read for every interface that
 * has a multicast address (an up interface has the all-hosts group): sysfs shows only the
 * mounting process's namespace, and this kernel has no /proc/net/igmp (no IP_MULTICAST).
 */
export function parseDevMcast(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5) continue;
    const idx = Number(f[0]);
    if (Number.isInteger(idx) && idx > 0) out.set(f[1]!, idx);
  }
  return out;
}

/** The ifIndex line of /proc/PID/net/dev_snmp6/<iface> (the fallback for an interface without multicast), or 0. */
export function parseSnmp6Ifindex(text: string): number {
  const m = /^ifIndex\s+(\d+)/m.exec(text);
  return m ? Number(m[1]) : 0;
}
