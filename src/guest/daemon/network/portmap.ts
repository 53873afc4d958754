// Host ports for published container ports: which container holds which host address and
// port, random ports from the kernel's ephemeral range as Docker takes them, and a bound (not
// listening) socket per port so no other program of the guest can take it meanwhile, and a
// program that has it already makes the start fail. The traffic itself never reaches these
// sockets: the nf_tables rules rewrite it to the container first (net/nftables.ts).

import type { Fd, Syscalls } from '../../sys/syscalls.ts';
import { AF_INET, SOCK_CLOEXEC, SOCK_DGRAM, SOCK_STREAM } from '../../sys/constants.ts';
import { isErrno } from '../../sys/errors.ts';
import { readText } from '../../util/fsutil.ts';
import { parsePortRange, splitPortKey, type PortBinding } from '../../net/ports.ts';

export interface HeldPort {
  proto: string;
  hostIp: string;
  hostPort: number;
  /** The container's port. */
  port: number;
  fd: Fd | null;
}

/** A failure in Docker's words (the caller wraps it in "driver failed programming external connectivity"). */
export class PortError extends Error {}

export class PortMapper {
  /** "proto/ip:port" -> owner container id. */
  private owners = new Map<string, { owner: string; held: HeldPort }>();
  private nextEphemeral = 0;

  constructor(
    private sys: Syscalls,
    /** False where the kernel cannot hold ports (tests on the fake): bookkeeping only. */
    private bindSockets = true,
  ) {}

  private range(): [number, number] {
    try {
      const [a, b] = readText(this.sys, '/proc/sys/net/ipv4/ip_local_port_range').trim().split(/\s+/).map(Number);
      if (a && b && a <= b) return [a, b];
    } catch {
      // Docker's own defaults when the kernel does not say
    }
    return [49153, 65535];
  }

  private key(proto: string, ip: string, port: number): string {
    return `${proto}/${ip}:${port}`;
  }

  /** Taken by another container on this address, or on 0.0.0.0, or (for 0.0.0.0) on any address. */
  private taken(proto: string, ip: string, port: number): boolean {
    if (this.owners.has(this.key(proto, ip, port))) return true;
    if (ip !== '0.0.0.0') return this.owners.has(this.key(proto, '0.0.0.0', port));
    for (const { held } of this.owners.values()) if (held.proto === proto && held.hostPort === port) return true;
    return false;
  }

  /** Binds the host port, or says why not in the words of Docker's proxy. */
  private hold(proto: string, ip: string, port: number): Fd | null {
    if (!this.bindSockets) return null;
    const fd = this.sys.socket(AF_INET, (proto === 'udp' ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC);
    try {
      this.sys.bind(fd, { family: 'inet', host: ip, port });
      return fd;
    } catch (e) {
      this.sys.close(fd);
      const why = isErrno(e, 'EADDRINUSE') ? 'address already in use' : isErrno(e, 'EADDRNOTAVAIL') ? 'cannot assign requested address' : (e as Error).message;
      throw new PortError(`Error starting userland proxy: listen ${proto}4 ${ip}:${port}: bind: ${why}`);
    }
  }

  private take(owner: string, proto: string, ip: string, hostPort: number, port: number): HeldPort {
    const held: HeldPort = { proto, hostIp: ip, hostPort, port, fd: this.hold(proto, ip, hostPort) };
    this.owners.set(this.key(proto, ip, hostPort), { owner, held });
    return held;
  }

  /**
   * Host ports for one container: bindings per "80/tcp" as HostConfig.PortBindings has them
   * (HostIp "" is 0.0.0.0, HostPort "" any free port, "8000-8010" the first free one in it).
   * All or nothing: on a failure the ports taken so far are released. Returns
   * NetworkSettings.Ports' value for them and what was taken.
   */
  allocate(owner: string, bindings: Record<string, PortBinding[]>): { ports: Record<string, PortBinding[]>; held: HeldPort[] } {
    const taken: HeldPort[] = [];
    const ports: Record<string, PortBinding[]> = {};
    try {
      for (const [key, list] of Object.entries(bindings)) {
        const [port, proto] = splitPortKey(key);
        for (const b of list) {
          const ip = b.HostIp || '0.0.0.0';
          let held: HeldPort;
          if (b.HostPort === '') held = this.ephemeral(owner, proto, ip, port);
          else {
            const r = parsePortRange(b.HostPort);
            if (!r) throw new PortError(`invalid port specification: "${b.HostPort}"`);
            held = r[0] === r[1] ? this.exact(owner, proto, ip, r[0], port) : this.inRange(owner, proto, ip, r, port);
          }
          taken.push(held);
          (ports[key] ??= []).push({ HostIp: ip, HostPort: String(held.hostPort) });
        }
      }
    } catch (e) {
      this.release(taken);
      throw e;
    }
    return { ports, held: taken };
  }

  private exact(owner: string, proto: string, ip: string, hostPort: number, port: number): HeldPort {
    if (this.taken(proto, ip, hostPort)) throw new PortError(`Bind for ${ip}:${hostPort} failed: port is already allocated`);
    return this.take(owner, proto, ip, hostPort, port);
  }

  private inRange(owner: string, proto: string, ip: string, [lo, hi]: [number, number], port: number): HeldPort {
    for (let p = lo; p <= hi; p++) {
      if (this.taken(proto, ip, p)) continue;
      try {
        return this.take(owner, proto, ip, p, port);
      } catch {
        // something else holds it: try the next
      }
    }
    throw new PortError(`Bind for ${ip}:${lo}-${hi} failed: port is already allocated`);
  }

  /** The next free port of the ephemeral range, going round from after the last one given. */
  private ephemeral(owner: string, proto: string, ip: string, port: number): HeldPort {
    const [lo, hi] = this.range();
    const n = hi - lo + 1;
    const startAt = this.nextEphemeral >= lo && this.nextEphemeral <= hi ? this.nextEphemeral : lo;
    for (let i = 0; i < n; i++) {
      const p = lo + ((startAt - lo + i) % n);
      if (this.taken(proto, ip, p)) continue;
      try {
        const held = this.take(owner, proto, ip, p, port);
        this.nextEphemeral = p + 1;
        return held;
      } catch {
        // held by something else
      }
    }
    throw new PortError(`no free host port in the range ${lo}-${hi}`);
  }

  release(held: HeldPort[]): void {
    for (const h of held) {
      this.owners.delete(this.key(h.proto, h.hostIp, h.hostPort));
      if (h.fd !== null) {
        try {
          this.sys.close(h.fd);
        } catch {
          // closed
        }
        h.fd = null;
      }
    }
  }

  releaseOwner(owner: string): void {
    this.release([...this.owners.values()].filter((o) => o.owner === owner).map((o) => o.held));
  }

  heldBy(owner: string): HeldPort[] {
    return [...this.owners.values()].filter((o) => o.owner === owner).map((o) => o.held);
  }
}
