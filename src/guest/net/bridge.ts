// The kernel side of Docker's default bridge network: the docker0 bridge with the gateway
// address, and per container a network namespace held open by a bind mount (the "sandbox",
// /var/run/docker/netns/ID) joined by runc, with a veth pair: the host end on docker0, the other
// end as eth0 inside with the container's address and a default route. Everything goes through
// rtnetlink from dockerd itself: no `ip` process is started.

import type { Syscalls } from '../sys/syscalls.ts';
import { CLONE_NEWNET, MNT_DETACH, MS_BIND, O_CLOEXEC, O_RDONLY } from '../sys/constants.ts';
import { isErrno } from '../sys/errors.ts';
import { Rtnl } from './netlink.ts';

/** lo is always interface 1 in a new network namespace. */
const LO_INDEX = 1;

export interface Endpoint {
  /** Host end of the veth pair, on the bridge. */
  hostVeth: string;
  ip: string;
  prefixLen: number;
  mac: string;
  gateway: string;
}

export class BridgeDriver {
  private rtnl: Rtnl | null = null;
  private bridgeIndex = 0;

  constructor(
    private sys: Syscalls,
    readonly bridge: string,
  ) {}

  private host(): Rtnl {
    this.rtnl ??= Rtnl.open(this.sys);
    return this.rtnl;
  }

  /** ip link add docker0 type bridge; ip addr add GW/LEN dev docker0; ip link set docker0 up. */
  ensureBridge(gateway: string, prefixLen: number): void {
    const nl = this.host();
    try {
      nl.addBridge(this.bridge);
    } catch (e) {
      if (!isErrno(e, 'EEXIST')) throw e;
    }
    this.bridgeIndex = nl.linkIndex(this.bridge);
    try {
      nl.addAddress(this.bridgeIndex, gateway, prefixLen);
    } catch (e) {
      if (!isErrno(e, 'EEXIST')) throw e;
    }
    nl.linkUp(this.bridgeIndex);
    try {
      this.sys.writeFile('/proc/sys/net/ipv4/ip_forward', '1\n');
    } catch {
      // read-only /proc/sys: containers still reach each other and the host
    }
  }

  /**
   * A new network namespace bound at path, with lo up; its rtnetlink socket is returned open
   * (the caller configures more inside and closes it). The daemon steps into the namespace only
   * for the unshare, the bind mount and the socket, then back.
   */
  private newNamespace(path: string): Rtnl {
    const own = this.sys.open('/proc/self/ns/net', O_RDONLY | O_CLOEXEC);
    let inside: Rtnl | null = null;
    try {
      this.sys.writeFile(path, '', 0o444);
      this.sys.unshare(CLONE_NEWNET);
      try {
        this.sys.mount('/proc/self/ns/net', path, null, MS_BIND);
        // the network is IPv4 only, as Docker's default bridge: no IPv6 on the links made in
        // here (link-local addresses, duplicate address detection, router solicitations)
        disableIpv6(this.sys, 'default');
        inside = Rtnl.open(this.sys);
      } finally {
        this.sys.setns(own, CLONE_NEWNET);
      }
      inside.linkUp(LO_INDEX);
      return inside;
    } catch (e) {
      inside?.close();
      this.removeNamespace(path);
      throw e;
    } finally {
      this.sys.close(own);
    }
  }

  /** A namespace with only lo, up (--network none). */
  isolated(path: string): void {
    this.newNamespace(path).close();
  }

  /** The sandbox at path with eth0 on the bridge, configured as ep says. */
  connect(path: string, ep: Endpoint): void {
    if (this.bridgeIndex === 0) throw new Error(`bridge ${this.bridge} is not set up`);
    const inside = this.newNamespace(path);
    try {
      const nsFd = this.sys.open(path, O_RDONLY | O_CLOEXEC);
      try {
        this.host().addVethPair(ep.hostVeth, this.bridgeIndex, 'eth0', ep.mac, nsFd);
      } finally {
        this.sys.close(nsFd);
      }
      disableIpv6(this.sys, ep.hostVeth);
      const eth0 = inside.linkIndex('eth0');
      inside.linkUp(eth0);
      inside.addAddress(eth0, ep.ip, ep.prefixLen);
      inside.addDefaultRoute(ep.gateway, eth0);
    } catch (e) {
      this.disconnect(path, ep.hostVeth);
      throw e;
    } finally {
      inside.close();
    }
  }

  /** Removes the veth pair (when there is one) and the sandbox; safe to repeat. */
  disconnect(path: string, hostVeth: string | null): void {
    if (hostVeth) {
      try {
        this.host().deleteLink(hostVeth);
      } catch (e) {
        // gone with its namespace already
        if (!isErrno(e, 'ENODEV')) throw e;
      }
    }
    this.removeNamespace(path);
  }

  private removeNamespace(path: string): void {
    try {
      this.sys.umount2(path, MNT_DETACH);
    } catch {
      // not mounted
    }
    try {
      this.sys.unlink(path);
    } catch {
      // not there
    }
  }
}

/** net.ipv6.conf.IFACE.disable_ipv6=1 in the current namespace; a kernel without IPv6 has nothing to turn off. */
function disableIpv6(sys: Syscalls, iface: string): void {
  try {
    sys.writeFile(`/proc/sys/net/ipv6/conf/${iface}/disable_ipv6`, '1\n');
  } catch {
    // no IPv6 here
  }
}
