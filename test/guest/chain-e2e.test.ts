// The engine chain trace in the real guest, through the control agent as the app uses it: once
// on, a docker run is traced by the CLI, the running dockerd (told by SIGUSR2, no restart), the
// shim and the container's init; once off, nothing more is written. Also prints what a docker
// run costs with tracing on against off (not asserted: guest timings follow the host's load).
import { describe, expect, it } from 'vitest';
import { guestSuite, sh, useGuest, vmSkipReason } from '../helpers/vm.ts';
import { condense, parseTrace } from '../../src/app/inspector/chain.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe.skipIf(vmSkipReason())(guestSuite('engine chain trace in the guest'), () => {
  const g = useGuest();

  it('traces a docker run from the API request to the container’s execve, and stops when off', async () => {
    await sh(g.vm, 'docker pull -q busybox >/dev/null && docker run --rm busybox true');
    const dockerd = (await sh(g.vm, 'cat /var/run/docker.pid')).trim();
    expect(await g.vm.chainTrace('on')).toEqual({ on: true, text: '' });
    await sh(g.vm, 'docker run --rm busybox true');
    // dockerd and a shim write their lines a second after their last activity
    let text = '';
    for (let i = 0; i < 20 && !/ dockerd .*spawn\(/.test(text); i++) {
      await new Promise((r) => setTimeout(r, 500));
      text += (await g.vm.chainTrace('read')).text;
    }
    const roles = new Set(parseTrace(text).map((l) => l.role));
    expect([...roles].sort()).toEqual(['containerd-shim', 'docker', 'dockerd']);
    const runs = condense(parseTrace(text));
    expect(runs.map((r) => r.command)).toEqual(['docker run --rm busybox true']);
    const run = runs[0]!;
    expect(run.exitCode).toBe(0);
    const lines = run.events.map((e) => `${e.actor}: ${e.text}`);
    expect(lines).toContainEqual(expect.stringMatching(/^docker: POST \/containers\/create → 201 Created/));
    expect(lines).toContainEqual(expect.stringMatching(/^dockerd: mount overlay on \/var\/lib\/docker\/\S+, the container’s root filesystem \(\d+ read-only lower layers?, a writable upper dir on top\)/));
    expect(lines).toContainEqual(expect.stringMatching(/^runc: clone\(\S*CLONE_NEWPID\S*\) → pid \d+/));
    expect(lines).toContainEqual(expect.stringMatching(/^container init: pivot_root/));
    expect(lines).toContainEqual(expect.stringMatching(/^container init: execve \S*true$/));
    // the same dockerd as before: switched on by the signal
    expect((await sh(g.vm, 'cat /var/run/docker.pid')).trim()).toBe(dockerd);

    expect(await g.vm.chainTrace('off')).toEqual({ on: false, text: '' });
    await sh(g.vm, 'docker run --rm busybox true; sleep 1.5');
    expect(await g.vm.chainTrace('read')).toEqual({ on: false, text: '' });
    expect(await sh(g.vm, 'ls /var/run/whalebone-chain.trace /var/run/whalebone-trace 2>&1 || true')).toMatch(/No such file/);
  });

  it('costs a docker run little with tracing on (printed)', async () => {
    const time = async () => {
      const o = await sh(g.vm, 'read a _ </proc/uptime; docker run --rm busybox true; read b _ </proc/uptime; echo "$a $b"');
      const [a, b] = o.trim().split(' ').map(Number) as [number, number];
      return (b - a) * 1000;
    };
    const off: number[] = [];
    const on: number[] = [];
    for (let i = 0; i < 3; i++) off.push(await time());
    await g.vm.chainTrace('on');
    for (let i = 0; i < 3; i++) on.push(await time());
    await g.vm.chainTrace('off');
    console.info(`[chain] docker run --rm busybox true in the guest, median of 3: tracing off ${median(off).toFixed(0)} ms, on ${median(on).toFixed(0)} ms`);
    expect(on.length).toBe(3);
  });
});
