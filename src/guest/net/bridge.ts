// The kernel side of Docker's bridge networks: a bridge per network (docker0, br-<id>) with the
// gateway address, and per container a network namespace held open by a bind mount (the
// "sandbox", /var/run/docker/netns/ID) joined by runc, with a veth pair per network it is on: the
// host end on the bridge, the other end inside (eth0, eth1...) with the container's address and,
// for its first network, the default route. Everything goes through
// rtnetlink from dockerd itself: no `ip` process is started.

import type { Syscalls } from '../sys/syscalls.ts';
import { CLONE_NEWNET, MNT_DETACH, MS_BIND, O_CLOEXEC, O_RDONLY } from '../sys/constants.ts';
import { isErrno } from '../sys/errors.ts';
import { Rtnl } from './netlink.ts';

/** lo is always interface 1 in a new network namespace. */
const LO_INDEX = 1;

export interface Endpoint {
  /** The bridge the host end joins. */
  bridge: string;
  /** Host end of the veth pair, on the bridge. */
  hostVeth: string;
  /** The container's end (eth0, eth1...). */
  ifname: string;
  ip: string;
  prefixLen: number;
  mac: string;
  /** The default route's gateway, or null (a second network, or an internal one). */
  gateway: string | null;
}

export class BridgeDriver {
  private rtnl: Rtnl | null = null;

  constructor(private sys: Syscalls) {}

  private host(): Rtnl {
    this.rtnl ??= Rtnl.open(this.sys);
    return this.rtnl;
  }

  /**
   * ip link add NAME type bridge; ip addr add GW/LEN dev NAME; ip link set NAME up: kept when it is
   * there already (a restarted daemon). Published ports reach the guest's own 127.0.0.1 through
   * the bridge, which takes route_localnet (Docker sets the same without its userland proxy).
   */
  ensureBridge(name: string, gateway: string, prefixLen: number): void {
    const nl = this.host();
    try {
      nl.addBridge(name);
    } catch (e) {
      if (!isErrno(e, 'EEXIST')) throw e;
    }
    try {
      const index = nl.linkIndex(name);
      try {
        nl.addAddress(index, gateway, prefixLen);
      } catch (e) {
        if (!isErrno(e, 'EEXIST')) throw e;
      }
      nl.linkUp(index);
    } catch (e) {
      this.deleteBridge(name);
      throw e;
    }
    sysctl(this.sys, 'net/ipv4/ip_forward', '1');
    sysctl(this.sys, `net/ipv4/conf/${name}/route_localnet`, '1');
    disableIpv6(this.sys, name);
  }

  /** ip link del NAME; gone already is fine. */
  deleteBridge(name: string): void {
    this.deleteLink(name);
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
      this.removeSandbox(path);
      throw e;
    } finally {
      this.sys.close(own);
    }
  }

  /** A namespace with only lo, up (--network none, and every sandbox before its endpoints). */
  createSandbox(path: string): void {
    this.newNamespace(path).close();
  }

  /** Runs fn with an rtnetlink socket inside the sandbox at path. */
  private inSandbox<T>(path: string, fn: (inside: Rtnl) => T): T {
    const own = this.sys.open('/proc/self/ns/net', O_RDONLY | O_CLOEXEC);
    const nsFd = this.sys.open(path, O_RDONLY | O_CLOEXEC);
    let inside: Rtnl;
    try {
      this.sys.setns(nsFd, CLONE_NEWNET);
      try {
        inside = Rtnl.open(this.sys);
      } finally {
        this.sys.setns(own, CLONE_NEWNET);
      }
    } finally {
      this.sys.close(own);
      this.sys.close(nsFd);
    }
    try {
      return fn(inside);
    } finally {
      inside.close();
    }
  }

  /**
   * Adds an interface to the sandbox at path: a veth pair with the host end on the bridge (in
   * hairpin mode, so a container reaches its own published port through the guest's address),
   * the other end inside with the endpoint's address and, for the primary network, the default
   * route. On failure nothing of it is left.
   */
  addEndpoint(path: string, ep: Endpoint): void {
    const nl = this.host();
    const bridgeIndex = nl.linkIndex(ep.bridge);
    const nsFd = this.sys.open(path, O_RDONLY | O_CLOEXEC);
    try {
      nl.addVethPair(ep.hostVeth, bridgeIndex, ep.ifname, ep.mac, nsFd);
    } finally {
      this.sys.close(nsFd);
    }
    try {
      disableIpv6(this.sys, ep.hostVeth);
      sysfs(this.sys, `/sys/class/net/${ep.hostVeth}/brport/hairpin_mode`, '1');
      this.inSandbox(path, (inside) => {
        const index = inside.linkIndex(ep.ifname);
        inside.linkUp(index);
        inside.addAddress(index, ep.ip, ep.prefixLen);
        if (ep.gateway) inside.addDefaultRoute(ep.gateway, index);
      });
    } catch (e) {
      this.removeEndpoint(ep.hostVeth);
      throw e;
    }
  }

  /** Removes an endpoint's veth pair; gone already (with its namespace) is fine. */
  removeEndpoint(hostVeth: string): void {
    this.deleteLink(hostVeth);
  }

  private deleteLink(name: string): void {
    try {
      this.host().deleteLink(name);
    } catch (e) {
      if (!isErrno(e, 'ENODEV')) throw e;
    }
  }

  /** Removes the sandbox's bind mount and file; safe to repeat. */
  removeSandbox(path: string): void {
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

function sysfs(sys: Syscalls, path: string, value: string): void {
  try {
    sys.writeFile(path, `${value}\n`);
  } catch {
    // read-only or absent: the feature it turns on is missing, nothing breaks
  }
}

function sysctl(sys: Syscalls, key: string, value: string): void {
  sysfs(sys, `/proc/sys/${key}`, value);
}

/** net.ipv6.conf.IFACE.disable_ipv6=1 in the current namespace; a kernel without IPv6 has nothing to turn off. */
function disableIpv6(sys: Syscalls, iface: string): void {
  try {
    sys.writeFile(`/proc/sys/net/ipv6/conf/${iface}/disable_ipv6`, '1\n');
  } catch {
    // no IPv6 here
  }
}
