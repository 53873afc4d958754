// Health checks on this host: our dockerd execs the check through the real shim and runc, and
// the official client reads the result (ps status, --filter health=, inspect, events) as it
// reads Docker's; our client gives the same refusals as the official one. Intervals are 1 s;
// states are waited for, timings not asserted. (Checks use shell builtins only: under qemu-user
// busybox sh cannot run its own applets.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerdSkipReason, startDockerd, type NativeDockerd } from '../helpers/native-dockerd.ts';

const skip = dockerdSkipReason();
let d: NativeDockerd;
const docker = (args: string[], official = false) => d.docker(args, official);
const daemonLog = (): string => d.log();

async function waitFor(name: string, want: string): Promise<string> {
  let s = '';
  for (let i = 0; i < 120; i++) {
    s = docker(['inspect', '-f', '{{.State.Health.Status}}', name], true).stdout.trim();
    if (s === want) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  return s;
}

describe.skipIf(skip !== null)(`health checks natively${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    d = await startDockerd('wb-health-');
    expect(docker(['pull', '-q', 'busybox']).code).toBe(0);
  });
  afterAll(() => d?.stop());

  it('turns a passing check healthy and a failing one unhealthy, as the official client sees them', async () => {
    expect(docker(['run', '-d', '--name', 'ok', '--health-cmd', 'test -x /bin/sh', '--health-interval', '1s', 'busybox', 'sleep', '300']).code).toBe(0);
    // the official client's own flags make the same request
    expect(docker(['run', '-d', '--name', 'bad', '--health-cmd', 'echo nope; exit 1', '--health-interval', '1s', '--health-retries', '2', 'busybox', 'sleep', '300'], true).code).toBe(0);
    expect(await waitFor('ok', 'healthy')).toBe('healthy');
    expect(await waitFor('bad', 'unhealthy')).toBe('unhealthy');
    const ps = docker(['ps', '--format', '{{.Names}}|{{.Status}}'], true).stdout;
    expect(ps).toMatch(/^ok\|Up .+ \(healthy\)$/m);
    expect(ps).toMatch(/^bad\|Up .+ \(unhealthy\)$/m);
    expect(docker(['ps', '--filter', 'health=unhealthy', '--format', '{{.Names}}'], true).stdout).toBe('bad\n');
    expect(docker(['ps', '--filter', 'health=none', '--format', '{{.Names}}'], true).stdout).toBe('');
    const bad = docker(['ps', '--filter', 'health=sick'], true);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Unrecognised filter value for health: sick');
    const [c] = JSON.parse(docker(['inspect', 'bad'], true).stdout) as { Config: { Healthcheck: unknown }; State: { Health: { FailingStreak: number; Log: { ExitCode: number; Output: string }[] } } }[];
    expect(c!.Config.Healthcheck).toEqual({ Test: ['CMD-SHELL', 'echo nope; exit 1'], Interval: 1e9, Retries: 2 });
    expect(c!.State.Health.FailingStreak).toBeGreaterThanOrEqual(2);
    expect(c!.State.Health.Log.at(-1)).toMatchObject({ ExitCode: 1, Output: 'nope\n' });
    // the client sends `--until 0s` as whole seconds (as Docker's does), so an event from this
    // very second would be after it: wait into the next one
    await new Promise((r) => setTimeout(r, 1100));
    const events = docker(['events', '--since', '5m', '--until', '0s', '--filter', 'event=health_status', '--format', '{{.Action}} {{.Actor.Attributes.name}}'], true).stdout;
    expect(events, daemonLog()).toContain('health_status: healthy ok\n');
    expect(events, daemonLog()).toContain('health_status: unhealthy bad\n');
  });

  it('reports unhealthy once stopped, and starts over at "starting" when started again', async () => {
    expect(docker(['stop', '-t', '0', 'ok']).code).toBe(0);
    expect(docker(['inspect', '-f', '{{.State.Health.Status}}', 'ok'], true).stdout).toBe('unhealthy\n');
    expect(docker(['start', 'ok']).code).toBe(0);
    const s = docker(['inspect', '-f', '{{.State.Health.Status}}', 'ok'], true).stdout.trim();
    expect(['starting', 'healthy']).toContain(s);
    expect(await waitFor('ok', 'healthy')).toBe('healthy');
  });

  it('keeps the health state across a daemon restart and goes on probing', async () => {
    const streak = (): number => Number(docker(['inspect', '-f', '{{.State.Health.FailingStreak}}', 'bad'], true).stdout.trim());
    await d.restart();
    for (let i = 0; i < 100 && docker(['version']).code !== 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(docker(['inspect', '-f', '{{.State.Health.Status}}', 'bad'], true).stdout).toBe('unhealthy\n');
    const before = streak();
    let after = before;
    for (let i = 0; i < 60 && after <= before; i++) {
      await new Promise((r) => setTimeout(r, 500));
      after = streak();
    }
    expect(after).toBeGreaterThan(before);
    expect(await waitFor('ok', 'healthy')).toBe('healthy');
  });

  it('refuses bad flags as the official client does', () => {
    for (const args of [['--no-healthcheck', '--health-cmd', 'true'], ['--health-interval', '5'], ['--health-retries', '-1', '--health-cmd', 'true']]) {
      const ours = docker(['run', '-d', ...args, 'busybox']);
      const theirs = docker(['run', '-d', ...args, 'busybox'], true);
      expect(ours.code).toBe(125);
      expect(ours.stderr).toBe(theirs.stderr);
    }
    const tiny = docker(['run', '-d', '--health-cmd', 'true', '--health-interval', '100ns', 'busybox']);
    expect(tiny.code).toBe(125);
    expect(tiny.stderr).toContain('Error response from daemon: Interval in Healthcheck cannot be less than 1ms');
  });
});
