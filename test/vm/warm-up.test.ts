// The JIT warm-up after a restore (src/vm/warm-up.ts), in the real guest: it starts a moment
// after the boot without holding it up, runs at the lowest priority, ends by itself, and leaves
// nothing behind that a learner could see: no container, image, network namespace or engine
// event. With the engine chain view's switch on it does not start, and it stops when the switch
// turns on: its commands would show there.
import { describe, expect, it } from 'vitest';
import { WARM_UP_AFTER_MS, warmUpCommand, WARM_UP_ROUNDS } from '../../src/vm/warm-up.ts';
import { guestSuite, sh, useGuest, vmSkipReason } from '../helpers/vm.ts';

/** The warm-up's shell, by the renice it starts with. */
const RUNNING = "ps -o args | grep -q '^sh -c [r]enice -n 19' && echo 1 || echo 0";
/** 1 as soon as the warm-up's shell shows within two seconds, else 0 (warmed, it ends within one). */
const APPEARS = `i=0; while [ $i -lt 40 ]; do [ "$(${RUNNING})" = 1 ] && break; i=$((i + 1)); sleep 0.05; done; ${RUNNING}`;

describe.skipIf(vmSkipReason())(guestSuite('JIT warm-up after a restore'), () => {
  const g = useGuest({ warmUp: true });

  it('runs in the background at the lowest priority, ends, and leaves no trace in the engine or the kernel', async () => {
    expect(g.vm.lastBoot?.mode).toBe('snapshot');
    // not at once (the page's own start goes first), then once no exec is in flight
    expect(await sh(g.vm, RUNNING)).toBe('0\n');
    await new Promise((r) => setTimeout(r, WARM_UP_AFTER_MS + 1000));
    const first = await sh(g.vm, `${APPEARS}; sleep 0.3; ps -o nice,args | grep 'sh -c [r]enice -n 19' | awk '{print $1}' | head -1`);
    expect(first).toBe('1\n19\n');
    let left = '1';
    for (let i = 0; i < 120 && left !== '0'; i++) {
      await new Promise((r) => setTimeout(r, 500));
      left = (await sh(g.vm, RUNNING)).trim();
    }
    expect(left, `still running after a minute (${WARM_UP_ROUNDS} rounds)`).toBe('0');
    expect(await sh(g.vm, 'docker ps -aq | wc -l; docker images -q | wc -l; ls /var/run/docker/netns 2>/dev/null | wc -l')).toBe('0\n0\n0\n');
    expect(await sh(g.vm, 'docker events --since 0 --until "$(date +%s)"')).toBe('');
  });

  it('stops when the engine chain view starts tracing', async () => {
    const seen = await sh(g.vm, `${warmUpCommand(1000)} ${APPEARS}; echo /tmp/chain.trace > /var/run/whalebone-trace; sleep 2; ${RUNNING}; rm /var/run/whalebone-trace`);
    expect(seen).toBe('1\n0\n');
  });

  it('does not start while the engine chain view is tracing', async () => {
    const started = await sh(g.vm, `echo /tmp/chain.trace > /var/run/whalebone-trace; ${warmUpCommand()} ${APPEARS}; rm /var/run/whalebone-trace`);
    expect(started).toBe('0\n');
    // and the same command does start it with the switch off (the check above can fail)
    expect(await sh(g.vm, `${warmUpCommand()} ${APPEARS}`)).toBe('1\n');
  });
});
