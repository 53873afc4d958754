// End to end in the real guest: a bridge, a veth pair and a network namespace, pinged both ways.
import { describe, expect, it } from 'vitest';
import { guestSuite, sh, useGuest, vmSkipReason } from '../helpers/vm.ts';

describe.skipIf(vmSkipReason())(guestSuite('guest networking'), () => {
  const g = useGuest({ shares: {} });

  it('pings across a veth pair between a bridge and a network namespace, both ways', async () => {
    const out = await sh(
      g.vm,
      [
        'set -e',
        'ip netns add wbtest',
        'ip link add wbbr0 type bridge',
        'ip addr add 10.77.0.1/24 dev wbbr0',
        'ip link set wbbr0 up',
        'ip link add wbveth0 type veth peer name wbveth1',
        'ip link set wbveth0 master wbbr0 up',
        'ip link set wbveth1 netns wbtest',
        'ip -n wbtest addr add 10.77.0.2/24 dev wbveth1',
        'ip -n wbtest link set wbveth1 up',
        'ip -n wbtest link set lo up',
        'ping -c 1 -W 5 10.77.0.2 >/dev/null && echo host-to-ns ok',
        'ip netns exec wbtest ping -c 1 -W 5 10.77.0.1 >/dev/null && echo ns-to-host ok',
        'ip netns del wbtest; ip link del wbbr0',
      ].join('\n'),
      { timeoutMs: 60_000 },
    );
    expect(out).toBe('host-to-ns ok\nns-to-host ok\n');
  });
});
