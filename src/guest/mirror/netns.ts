// Puts this process (the mirror) in a network namespace of its own, joined to the guest by a
// veth pair: guest side MIRROR_GATEWAY, mirror side MIRROR_ADDRESS (see config.ts for why).
import { Rtnl } from '../net/netlink.ts';
import type { Syscalls } from '../sys/syscalls.ts';
import { CLONE_NEWNET, O_CLOEXEC, O_RDONLY } from '../sys/constants.ts';
import { MIRROR_ADDRESS, MIRROR_GATEWAY, MIRROR_PREFIX_LEN, MIRROR_VETH } from './config.ts';

const LO_INDEX = 1;
/** A locally administered MAC, fixed so the guest's neighbour table reads the same every boot. */
const MIRROR_MAC = '02:42:0a:56:00:35';

export function enterMirrorNamespace(sys: Syscalls): void {
  // Opened in the guest's namespace, this socket keeps talking to it after the unshare below.
  const host = Rtnl.open(sys);
  try {
    sys.unshare(CLONE_NEWNET);
    const inside = Rtnl.open(sys);
    try {
      const ns = sys.open('/proc/self/ns/net', O_RDONLY | O_CLOEXEC);
      try {
        // No bridge: the guest routes between containers' networks and this link.
        host.addVethPair(MIRROR_VETH, 0, 'eth0', MIRROR_MAC, ns);
      } finally {
        sys.close(ns);
      }
      host.addAddress(host.linkIndex(MIRROR_VETH), MIRROR_GATEWAY, MIRROR_PREFIX_LEN);
      // Containers' packets to the mirror are routed by the guest (dockerd turns this on too).
      sys.writeFile('/proc/sys/net/ipv4/ip_forward', '1\n');
      inside.linkUp(LO_INDEX);
      const eth0 = inside.linkIndex('eth0');
      inside.linkUp(eth0);
      inside.addAddress(eth0, MIRROR_ADDRESS, MIRROR_PREFIX_LEN);
      inside.addDefaultRoute(MIRROR_GATEWAY, eth0);
    } finally {
      inside.close();
    }
  } finally {
    host.close();
  }
}
