// What the Ports panel lists, parsed from two guest commands: `docker ps` (the ports containers
// publish, as its PORTS column prints them) and /proc/net/tcp{,6} (every TCP port the guest
// listens on, for the "all listening ports" toggle).

export interface PublishedPort {
  hostPort: number;
  containerPort: number;
  container: string;
}

/** One command for the panel: container names and ports, then a marker, then the kernel's TCP tables. */
export const PORTS_COMMAND = "docker ps --format '{{.Names}} {{.Ports}}' 2>/dev/null; echo '--proc--'; cat /proc/net/tcp /proc/net/tcp6 2>/dev/null";

/** Lines of `docker ps --format '{{.Names}} {{.Ports}}'` -> published TCP ports (IPv4 and IPv6 bindings of one port count once). */
export function parsePublished(text: string): PublishedPort[] {
  const out: PublishedPort[] = [];
  const seen = new Set<number>();
  for (const line of text.split('\n')) {
    const sp = line.indexOf(' ');
    if (sp <= 0) continue;
    const container = line.slice(0, sp);
    for (const m of line.slice(sp + 1).matchAll(/(?:^|[\s,])(?:[0-9.]+|\[?::\]?):(\d+)->(\d+)\/tcp/g)) {
      const hostPort = Number(m[1]);
      if (seen.has(hostPort)) continue;
      seen.add(hostPort);
      out.push({ hostPort, containerPort: Number(m[2]), container });
    }
  }
  return out.sort((a, b) => a.hostPort - b.hostPort);
}

const LOOPBACK4 = '0100007F';
const LOOPBACK6 = '00000000000000000000000001000000';

/**
 * Ports in LISTEN state (st 0A) in /proc/net/tcp and tcp6 text, without those bound to loopback
 * only: v86's network reaches the guest on its eth0 address, never on 127.0.0.1.
 */
export function parseListening(text: string): number[] {
  const ports = new Set<number>();
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4 || f[3] !== '0A') continue;
    const [addr, port] = (f[1] ?? '').split(':');
    if (!addr || !port || addr === LOOPBACK4 || addr === LOOPBACK6) continue;
    const n = parseInt(port, 16);
    if (n > 0) ports.add(n);
  }
  return [...ports].sort((a, b) => a - b);
}

/** Splits PORTS_COMMAND's output. */
export function parsePortsOutput(stdout: string): { published: PublishedPort[]; listening: number[] } {
  const at = stdout.indexOf('--proc--');
  const ps = at < 0 ? stdout : stdout.slice(0, at);
  const proc = at < 0 ? '' : stdout.slice(at);
  return { published: parsePublished(ps), listening: parseListening(proc) };
}
