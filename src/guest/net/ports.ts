// Published ports as Docker spells them: the `-p`/`--publish` specs of the CLI (every form moby's
// go-connections/nat accepts, with its error texts), `--expose`, the PortBindings and
// NetworkSettings.Ports maps of the Engine API, the PORTS column of `docker ps` and the lines of
// `docker port`. Pure functions: the daemon's allocation and forwarding live elsewhere.

/** One host side of a published port, as HostConfig.PortBindings and NetworkSettings.Ports hold it. */
export interface PortBinding {
  HostIp: string;
  /** A port, a range "8000-8010" (pick one in it), or "" (any free port). */
  HostPort: string;
}

/** "80/tcp" -> bindings; null for an exposed port that is not published (inspect shows null). */
export type PortMap = Record<string, PortBinding[] | null>;

/** One entry of GET /containers/json's Ports. */
export interface ApiPort {
  IP?: string;
  PrivatePort: number;
  PublicPort?: number;
  Type: string;
}

/** A CLI error with Docker's text (the caller adds "docker: " and the help line). */
export class PortSpecError extends Error {
  override name = 'PortSpecError';
}

const PROTOS = ['tcp', 'udp', 'sctp'];

/** strconv.ParseUint(s, 10, 16): digits only, at most 65535. */
function parsePort(s: string): number | null {
  if (!/^\d+$/.test(s)) return null;
  const n = Number(s);
  return n <= 65535 ? n : null;
}

/** "80" or "80-85" -> [start, end]; null when either half is not a port or end < start. */
export function parsePortRange(s: string): [number, number] | null {
  if (s === '') return null;
  if (!s.includes('-')) {
    const n = parsePort(s);
    return n === null ? null : [n, n];
  }
  const [a = '', b = ''] = s.split('-');
  const start = parsePort(a);
  const end = parsePort(b);
  if (start === null || end === null || end < start) return null;
  return [start, end];
}

/** "80/udp" -> ["udp", "80"]; a bare port is tcp (nat.SplitProtoPort). */
export function splitProtoPort(raw: string): [proto: string, port: string] {
  const parts = raw.split('/');
  if (raw === '' || parts[0] === '') return ['', ''];
  if (parts.length === 1) return ['tcp', raw];
  if (parts[1] === '') return ['tcp', parts[0]!];
  return [parts[1]!, parts[0]!];
}

/** [ip, hostPort, containerPort]: the last colon-separated part is the container's, the one before the host's. */
function splitParts(raw: string): [string, string, string] {
  const parts = raw.split(':');
  const n = parts.length;
  const container = parts[n - 1]!;
  if (n === 1) return ['', '', container];
  if (n === 2) return ['', parts[0]!, container];
  return [parts.slice(0, n - 2).join(':'), parts[n - 2]!, container];
}

function isIp(s: string): boolean {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) return s.split('.').every((p) => Number(p) <= 255);
  // IPv6 is parsed, so the error names what the user typed, but this guest has no IPv6 to bind
  return /^[0-9a-fA-F:.]+$/.test(s) && s.includes(':') && (s.match(/::/g) ?? []).length <= 1;
}

export interface PortMapping {
  /** "80/tcp" */
  port: string;
  binding: PortBinding;
}

/** One -p value in the short form (nat.ParsePortSpec): one mapping per container port. */
export function parsePortSpec(raw: string): PortMapping[] {
  let [ip, hostPort, containerPart] = splitParts(raw);
  const [proto, containerPort] = splitProtoPort(containerPart);
  if (ip.startsWith('[')) {
    if (!ip.endsWith(']')) throw new PortSpecError(`invalid IP address ${ip}: address ${ip}:: missing ']' in address`);
    ip = ip.slice(1, -1);
  }
  if (ip !== '' && !isIp(ip)) throw new PortSpecError(`invalid IP address: ${ip}`);
  if (containerPort === '') throw new PortSpecError(`no port specified: ${raw}<empty>`);
  const cRange = parsePortRange(containerPort);
  if (!cRange) throw new PortSpecError(`invalid containerPort: ${containerPort}`);
  let hRange: [number, number] = [0, 0];
  if (hostPort !== '') {
    const h = parsePortRange(hostPort);
    if (!h) throw new PortSpecError(`invalid hostPort: ${hostPort}`);
    hRange = h;
  }
  const [start, end] = cRange;
  // a host range with one container port is the range to pick a free host port from
  if (hostPort !== '' && end - start !== hRange[1] - hRange[0] && end !== start) {
    throw new PortSpecError(`invalid ranges specified for container and host Ports: ${containerPort} and ${hostPort}`);
  }
  if (!PROTOS.includes(proto.toLowerCase())) throw new PortSpecError(`invalid proto: ${proto}`);
  const out: PortMapping[] = [];
  for (let i = 0; i <= end - start; i++) {
    let hp = hostPort === '' ? '' : String(hRange[0] + i);
    if (start === end && hRange[0] !== hRange[1]) hp = `${hp}-${hRange[1]}`;
    out.push({ port: `${start + i}/${proto.toLowerCase()}`, binding: { HostIp: ip, HostPort: hp } });
  }
  return out;
}

/**
 * The long form `published=8080,target=80,protocol=udp` becomes `8080:80/udp` (the CLI's
 * convertToStandardNotation); the short form passes through.
 */
export function standardNotation(raw: string): string {
  if (!raw.includes('=')) return raw;
  const params: Record<string, string> = { protocol: 'tcp' };
  for (const param of raw.split(',')) {
    const i = param.indexOf('=');
    if (i <= 0) throw new PortSpecError(`invalid publish opts format (should be name=value but got '${param}')`);
    params[param.slice(0, i)] = param.slice(i + 1);
  }
  return `${params['published'] ?? ''}:${params['target'] ?? ''}/${params['protocol']}`;
}

/** Every -p of a command line -> ExposedPorts and PortBindings (nat.ParsePortSpecs). */
export function parsePublish(specs: string[]): { exposed: Record<string, Record<string, never>>; bindings: Record<string, PortBinding[]> } {
  const exposed: Record<string, Record<string, never>> = {};
  const bindings: Record<string, PortBinding[]> = {};
  for (const raw of specs) {
    for (const m of parsePortSpec(standardNotation(raw))) {
      exposed[m.port] = {};
      (bindings[m.port] ??= []).push(m.binding);
    }
  }
  return { exposed, bindings };
}

/** --expose 80, 80-85, 80/udp (moby's cli: "invalid range format for --expose"). */
export function parseExpose(specs: string[]): Record<string, Record<string, never>> {
  const out: Record<string, Record<string, never>> = {};
  for (const e of specs) {
    if (e.includes(':')) throw new PortSpecError(`invalid port format for --expose: ${e}`);
    const [proto, port] = splitProtoPort(e);
    const range = parsePortRange(port);
    if (!range) throw new PortSpecError(`invalid range format for --expose: ${e}, error: strconv.ParseUint: parsing "${port}": invalid syntax`);
    if (!PROTOS.includes(proto.toLowerCase())) throw new PortSpecError(`invalid proto: ${proto}`);
    for (let p = range[0]; p <= range[1]; p++) out[`${p}/${proto.toLowerCase()}`] = {};
  }
  return out;
}

/** "80/tcp" -> [80, "tcp"]. */
export function splitPortKey(key: string): [number, string] {
  const [proto, port] = splitProtoPort(key);
  return [Number(port), proto];
}

/** NetworkSettings.Ports -> GET /containers/json's Ports (exposed-only ports without IP or PublicPort). */
export function apiPorts(ports: PortMap): ApiPort[] {
  const out: ApiPort[] = [];
  for (const [key, bindings] of Object.entries(ports)) {
    const [PrivatePort, Type] = splitPortKey(key);
    if (!bindings || bindings.length === 0) {
      out.push({ PrivatePort, Type });
      continue;
    }
    for (const b of bindings) out.push({ IP: b.HostIp, PrivatePort, PublicPort: Number(b.HostPort), Type });
  }
  return out;
}

function joinHostPort(ip: string, port: number | string): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/**
 * The PORTS column (the CLI's DisplayablePorts): exposed ports and ports published on the same
 * number are grouped into ranges per protocol and address ("0.0.0.0:80-81->80-81/tcp"), other
 * mappings listed after them one by one ("0.0.0.0:8080->80/tcp").
 */
export function displayPorts(ports: ApiPort[]): string {
  const sorted = [...ports].sort((a, b) => {
    if (a.PrivatePort !== b.PrivatePort) return a.PrivatePort - b.PrivatePort;
    if ((a.IP ?? '') !== (b.IP ?? '')) return (a.IP ?? '') < (b.IP ?? '') ? -1 : 1;
    if ((a.PublicPort ?? 0) !== (b.PublicPort ?? 0)) return (a.PublicPort ?? 0) - (b.PublicPort ?? 0);
    return a.Type < b.Type ? -1 : a.Type > b.Type ? 1 : 0;
  });
  const groups = new Map<string, { first: number; last: number }>();
  const result: string[] = [];
  const mappings: string[] = [];
  const form = (key: string, g: { first: number; last: number }): string => {
    const slash = key.lastIndexOf('/');
    const ip = slash >= 0 ? key.slice(0, slash) : '';
    const type = slash >= 0 ? key.slice(slash + 1) : key;
    let range = g.first === g.last ? `${g.first}` : `${g.first}-${g.last}`;
    if (ip) range = `${joinHostPort(ip, range)}->${range}`;
    return `${range}/${type}`;
  };
  for (const p of sorted) {
    let key = p.Type;
    if (p.IP) {
      if (p.PublicPort !== p.PrivatePort) {
        mappings.push(`${joinHostPort(p.IP, p.PublicPort ?? 0)}->${p.PrivatePort}/${p.Type}`);
        continue;
      }
      key = `${p.IP}/${p.Type}`;
    }
    const g = groups.get(key);
    if (!g) {
      groups.set(key, { first: p.PrivatePort, last: p.PrivatePort });
      continue;
    }
    if (p.PrivatePort === g.last + 1) {
      g.last = p.PrivatePort;
      continue;
    }
    result.push(form(key, g));
    // a new group under the same key goes to the end of the order, as a re-inserted map key
    groups.delete(key);
    groups.set(key, { first: p.PrivatePort, last: p.PrivatePort });
  }
  for (const [key, g] of groups) result.push(form(key, g));
  return [...result, ...mappings].join(', ');
}

/** Natural order ("80/tcp" before "443/tcp" before "8080/tcp"), as the CLI sorts `docker port`. */
function naturalLess(a: string, b: string): number {
  const re = /(\d+|\D+)/g;
  const pa = a.match(re) ?? [];
  const pb = b.match(re) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    const dx = /^\d/.test(x);
    const dy = /^\d/.test(y);
    if (dx && dy) return Number(x) - Number(y) || x.length - y.length;
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

/**
 * `docker port CONTAINER [PRIVATE_PORT[/PROTO]]`: the lines it prints, or Docker's error text.
 * `name` is the container as the user typed it.
 */
export function portLines(ports: PortMap, name: string, which?: string): string[] {
  const out: string[] = [];
  if (which !== undefined && which !== '') {
    const [port, proto = 'tcp'] = which.split('/');
    if (parsePort(port ?? '') === null) throw new PortSpecError(`Error: invalid port (${port}): strconv.ParseUint: parsing "${port}": invalid syntax`);
    const bindings = ports[`${port}/${proto || 'tcp'}`];
    if (!bindings) throw new PortSpecError(`Error: No public port '${which}' published for ${name}`);
    for (const b of bindings) out.push(joinHostPort(b.HostIp, b.HostPort));
  } else {
    for (const [key, bindings] of Object.entries(ports)) for (const b of bindings ?? []) out.push(`${key} -> ${joinHostPort(b.HostIp, b.HostPort)}`);
  }
  return out.sort(naturalLess);
}
