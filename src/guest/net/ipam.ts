// Address management for bridge networks, as Docker's: subnets come from the user (checked as
// the daemon checks them) or from Docker's default pools (172.17-31.0.0/16, then 192.168.0.0/16 in
// /20s), never overlapping another network's; the gateway takes the subnet's first host address
// and containers get the lowest free one after it. Nothing is kept on disk: the addresses in use
// are those of running containers, so they come back after a daemon restart.

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

/** A dotted IPv4 address (no leading zeros beyond a single 0, as Go's netip). */
export function isIpv4(s: string): boolean {
  return /^(0|[1-9]\d{0,2})(\.(0|[1-9]\d{0,2})){3}$/.test(s) && s.split('.').every((p) => Number(p) <= 255);
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
export function allocate(s: Subnet, gateway: string, used: Iterable<string>, name = 'bridge'): string {
  const taken = new Set<number>([ipToInt(gateway)]);
  for (const ip of used) if (ip) taken.add(ipToInt(ip));
  const last = s.base + size(s) - 2;
  for (let n = s.base + 1; n <= last; n++) if (!taken.has(n)) return intToIp(n);
  throw new PoolExhaustedError(`no available IPv4 addresses on this network's address pools: ${name} (${intToIp(s.base)}/${s.prefixLen})`);
}

/** Docker's MAC for an address: 02:42 then the four address bytes (02:42:ac:11:00:02). */
export function macFor(ip: string): string {
  const n = ipToInt(ip);
  return ['02', '42', ...[n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

export function formatCidr(s: Subnet): string {
  return `${intToIp(s.base)}/${s.prefixLen}`;
}

export function overlaps(a: Subnet, b: Subnet): boolean {
  return a.base < b.base + size(b) && b.base < a.base + size(a);
}

/** An error in Docker's words, for the API to answer 400 with. */
export class IpamError extends Error {
  override name = 'IpamError';
}

export interface PoolRequest {
  subnet?: string;
  gateway?: string;
}

/**
 * A user's --subnet/--gateway checked as the daemon's ValidateIPAM checks them (all errors at
 * once, under "invalid network config:"); returns the subnet and the gateway (given or first host).
 */
export function validatePool(req: PoolRequest): { subnet: Subnet; gateway: string } | null {
  if (!req.subnet) {
    if (req.gateway) throw new IpamError('invalid network config:\ninvalid gateway: a gateway needs a subnet');
    return null;
  }
  const errs: string[] = [];
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(req.subnet);
  if (!m || !isIpv4(m[1]!) || Number(m[2]) > 32) throw new IpamError(`invalid network config:\ninvalid subnet ${req.subnet}: invalid CIDR block notation`);
  const prefixLen = Number(m[2]);
  const mask = prefixLen === 0 ? 0 : (0xffffffff << (32 - prefixLen)) >>> 0;
  const subnet: Subnet = { base: (ipToInt(m[1]!) & mask) >>> 0, prefixLen };
  const masked = formatCidr(subnet);
  if (ipToInt(m[1]!) !== subnet.base) errs.push(`invalid subnet ${req.subnet}: it should be ${masked}`);
  if (req.gateway) {
    if (!isIpv4(req.gateway)) errs.push(`invalid gateway ${req.gateway}: invalid address`);
    else if (!contains(subnet, req.gateway)) errs.push(`invalid gateway ${req.gateway}: parent subnet ${masked} doesn't contain this address`);
  }
  if (errs.length === 0 && prefixLen > 30) errs.push(`invalid subnet ${req.subnet}: a bridge network needs at least a /30 for a gateway and one container`);
  if (errs.length > 0) throw new IpamError(`invalid network config:\n${errs.length === 1 ? errs[0] : `* ${errs.join('\n* ')}`}`);
  return { subnet, gateway: req.gateway || gatewayOf(subnet) };
}

/** Docker's default local address pools, in the order it takes them. */
export function* defaultPools(): Generator<Subnet> {
  for (let b = 17; b <= 31; b++) yield { base: ipToInt(`172.${b}.0.0`), prefixLen: 16 };
  for (let c = 0; c < 256; c += 16) yield { base: ipToInt(`192.168.${c}.0`), prefixLen: 20 };
}

/** The first default pool that overlaps none of the networks' subnets. */
export function nextPool(taken: Subnet[]): Subnet {
  for (const p of defaultPools()) if (!taken.some((t) => overlaps(t, p))) return p;
  throw new IpamError('all predefined address pools have been fully subnetted');
}

/** A user's subnet must overlap no other network's (libnetwork's default IPAM). */
export function checkOverlap(want: Subnet, taken: Subnet[]): void {
  if (taken.some((t) => overlaps(t, want))) throw new IpamError('invalid pool request: Pool overlaps with other one on this address space');
}

/**
 * A container's --ip on a network: Docker's texts for an address it cannot have. `used` are the
 * addresses of the network's other running endpoints.
 */
export function checkRequestedIp(ip: string, s: Subnet, gateway: string, used: Iterable<string>): void {
  if (!isIpv4(ip)) throw new IpamError(`invalid endpoint settings:\ninvalid IPv4 address: ${ip}`);
  if (!contains(s, ip) || ipToInt(ip) === s.base || ipToInt(ip) === s.base + size(s) - 1) {
    throw new IpamError(`invalid endpoint settings:\nno configured subnet or ip-range contain the IP address ${ip}`);
  }
  if (ip === gateway || [...used].includes(ip)) throw new IpamError('Address already in use');
}
