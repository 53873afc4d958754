// Address management for the default bridge network, as Docker's: the gateway takes the subnet's
// first host address and containers get the lowest free one after it. Nothing is kept on disk:
// the addresses in use are those of running containers, so they come back after a daemon restart.

export interface Subnet {
  /** Network address as a 32-bit number. */
  base: number;
  prefixLen: number;
}

export function ipToInt(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) throw new Error(`invalid IPv4 address: ${ip}`);
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function parseCidr(cidr: string): Subnet {
  const [ip, len] = cidr.split('/');
  const prefixLen = Number(len);
  if (!ip || len === undefined || !/^\d+$/.test(len) || prefixLen > 30) throw new Error(`invalid subnet: ${cidr}`);
  const mask = prefixLen === 0 ? 0 : (0xffffffff << (32 - prefixLen)) >>> 0;
  return { base: (ipToInt(ip) & mask) >>> 0, prefixLen };
}

function size(s: Subnet): number {
  return 2 ** (32 - s.prefixLen);
}

export function contains(s: Subnet, ip: string): boolean {
  const n = ipToInt(ip);
  return n >= s.base && n < s.base + size(s);
}

/** The subnet's first host address (172.17.0.1 for 172.17.0.0/16). */
export function gatewayOf(s: Subnet): string {
  return intToIp(s.base + 1);
}

export class PoolExhaustedError extends Error {
  override name = 'PoolExhaustedError';
}

/**
 * The lowest host address of the subnet that is neither the gateway nor in use (the network and
 * broadcast addresses are never given out).
 */
export function allocate(s: Subnet, gateway: string, used: Iterable<string>): string {
  const taken = new Set<number>([ipToInt(gateway)]);
  for (const ip of used) if (ip) taken.add(ipToInt(ip));
  const last = s.base + size(s) - 2;
  for (let n = s.base + 1; n <= last; n++) if (!taken.has(n)) return intToIp(n);
  throw new PoolExhaustedError(`no available IPv4 addresses on this network's address pools: bridge (${intToIp(s.base)}/${s.prefixLen})`);
}

/** Docker's MAC for an address: 02:42 then the four address bytes (02:42:ac:11:00:02). */
export function macFor(ip: string): string {
  const n = ipToInt(ip);
  return ['02', '42', ...[n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}
