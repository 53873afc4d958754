import { describe, expect, it } from 'vitest';
import { FakeSyscalls } from '../../../src/guest/sys/fake.ts';
import {
  HealthMonitor, healthcheckError, mergeHealthcheck, probeCommand, limitOutput,
  type HealthConfig, type HealthStatus, type HealthTarget, type ProbeEnd, type ProbeRunner,
} from '../../../src/guest/daemon/health.ts';
import { Engine } from '../../../src/guest/daemon/engine.ts';
import type { LaunchResult, ShimLauncher, ShimTask } from '../../../src/guest/daemon/shim-launcher.ts';
import { statusText } from '../../../src/guest/daemon/containers.ts';
import { utf8Decode } from '../../../src/guest/util/text.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');

/** A probe runner whose probes the test ends by hand (or at once, with a scripted result). */
class FakeRunner implements ProbeRunner {
  runs: { id: string; cmd: string[]; started(): void; ended(e: ProbeEnd): void; killed: boolean }[] = [];
  /** Results for the next probes, each started and ended at once; empty: left running. */
  script: ProbeEnd[] = [];
  start(id: string, cmd: string[], on: { started(): void; ended(e: ProbeEnd): void }) {
    const run = { id, cmd, ...on, killed: false };
    this.runs.push(run);
    on.started();
    const next = this.script.shift();
    if (next) on.ended(next);
    return { kill: () => { run.killed = true; }, output: () => 'partial' };
  }
}

const pass: ProbeEnd = { kind: 'exit', exitCode: 0, output: 'ok\n' };
const fail: ProbeEnd = { kind: 'exit', exitCode: 1, output: 'down\n' };

function setup(hc: HealthConfig): { sys: FakeSyscalls; runner: FakeRunner; m: HealthMonitor; c: HealthTarget; changes: HealthStatus[] } {
  const sys = new FakeSyscalls();
  sys.clockMs = T0;
  const runner = new FakeRunner();
  const changes: HealthStatus[] = [];
  const m = new HealthMonitor({ now: () => sys.clockMs, setTimer: (ms, fn) => sys.setTimer(ms, fn), clearTimer: (h) => sys.clearTimer(h), runner, changed: (_c, s) => changes.push(s) });
  const c: HealthTarget = { Id: 'c1', Config: { Healthcheck: hc }, State: { Running: true, StartedAt: new Date(T0).toISOString() } };
  return { sys, runner, m, c, changes };
}

describe('health check rules', () => {
  it('run CMD as given, CMD-SHELL under /bin/sh -c (or the image SHELL), and nothing for NONE', () => {
    expect(probeCommand({ Test: ['CMD', 'wget', '-q', 'http://x'] })).toEqual(['wget', '-q', 'http://x']);
    expect(probeCommand({ Test: ['CMD-SHELL', 'test -f /ready'] })).toEqual(['/bin/sh', '-c', 'test -f /ready']);
    expect(probeCommand({ Test: ['CMD-SHELL', 'x'] }, ['/bin/bash', '-c'])).toEqual(['/bin/bash', '-c', 'x']);
    expect(probeCommand({ Test: ['NONE'] })).toBeNull();
    expect(probeCommand({ Test: [] })).toBeNull();
    expect(probeCommand(undefined)).toBeNull();
  });

  it('merge a create request with the image HEALTHCHECK as dockerd does, leaving zero fields out', () => {
    const image: HealthConfig = { Test: ['CMD-SHELL', 'curl -f localhost'], Interval: 5e9, Retries: 2 };
    expect(mergeHealthcheck(undefined, image)).toEqual(image);
    expect(mergeHealthcheck({ Interval: 1e9, Timeout: 0 }, image)).toEqual({ Test: ['CMD-SHELL', 'curl -f localhost'], Interval: 1e9, Retries: 2 });
    expect(mergeHealthcheck({ Test: ['NONE'] }, image)).toEqual({ Test: ['NONE'], Interval: 5e9, Retries: 2 });
    expect(mergeHealthcheck(null, undefined)).toBeUndefined();
  });

  it('refuse what dockerd refuses, in its words', () => {
    expect(healthcheckError({ Interval: 500 })).toBe('Interval in Healthcheck cannot be less than 1ms');
    expect(healthcheckError({ Timeout: 10 })).toBe('Timeout in Healthcheck cannot be less than 1ms');
    expect(healthcheckError({ StartPeriod: 1 })).toBe('StartPeriod in Healthcheck cannot be less than 1ms');
    expect(healthcheckError({ Retries: -1 })).toBe('Retries in Healthcheck cannot be negative');
    expect(healthcheckError({ Test: ['CMD', 'true'], Interval: 1e6 })).toBeNull();
  });

  it('keep 4096 bytes of output and mark the cut', () => {
    const big = new Uint8Array(5000).fill(97);
    const out = limitOutput(big, (b) => utf8Decode(b));
    expect(out).toHaveLength(4099);
    expect(out.endsWith('a...')).toBe(true);
  });
});

describe('the health monitor on the fake clock', () => {
  it('starts at "starting", probes every interval from the end of the last probe, and turns healthy', () => {
    const { sys, runner, m, c, changes } = setup({ Test: ['CMD-SHELL', 'true'], Interval: 1e9 });
    m.started(c);
    expect(c.State.Health).toEqual({ Status: 'starting', FailingStreak: 0, Log: [] });
    sys.advance(999);
    expect(runner.runs).toHaveLength(0);
    sys.advance(1);
    expect(runner.runs).toHaveLength(1);
    expect(runner.runs[0]!.cmd).toEqual(['/bin/sh', '-c', 'true']);
    sys.advance(300);
    runner.runs[0]!.ended(pass);
    expect(c.State.Health!.Status).toBe('healthy');
    expect(changes).toEqual(['healthy']);
    expect(c.State.Health!.Log).toEqual([{ Start: '2026-01-01T00:00:01.000Z', End: '2026-01-01T00:00:01.300Z', ExitCode: 0, Output: 'ok\n' }]);
    // the next one a full interval after that probe ended
    sys.advance(999);
    expect(runner.runs).toHaveLength(1);
    sys.advance(1);
    expect(runner.runs).toHaveLength(2);
  });

  it('turns unhealthy after Retries failures in a row, a pass resets the streak, and only changes are reported', () => {
    const { sys, runner, m, c, changes } = setup({ Test: ['CMD', 'check'], Interval: 1e9, Retries: 2 });
    m.started(c);
    runner.script = [fail, pass, fail, fail, fail];
    sys.advance(1000);
    expect(c.State.Health).toMatchObject({ Status: 'starting', FailingStreak: 1 });
    sys.advance(1000);
    expect(c.State.Health).toMatchObject({ Status: 'healthy', FailingStreak: 0 });
    sys.advance(1000);
    expect(c.State.Health).toMatchObject({ Status: 'healthy', FailingStreak: 1 });
    sys.advance(1000);
    expect(c.State.Health).toMatchObject({ Status: 'unhealthy', FailingStreak: 2 });
    sys.advance(1000);
    expect(c.State.Health).toMatchObject({ Status: 'unhealthy', FailingStreak: 3 });
    expect(changes).toEqual(['healthy', 'unhealthy']);
    expect(c.State.Health!.Log.map((r) => r.ExitCode)).toEqual([1, 0, 1, 1, 1]);
  });

  it('keeps only the last five results', () => {
    const { sys, runner, m, c } = setup({ Test: ['CMD', 'check'], Interval: 1e9 });
    m.started(c);
    runner.script = [fail, fail, fail, fail, fail, pass, pass];
    for (let i = 0; i < 7; i++) sys.advance(1000);
    expect(runner.runs).toHaveLength(7);
    expect(c.State.Health!.Log.map((r) => r.ExitCode)).toEqual([1, 1, 1, 0, 0]);
  });

  it('uses the default 30 s interval and 3 retries when none are given', () => {
    const { sys, runner, m, c } = setup({ Test: ['CMD', 'check'] });
    m.started(c);
    runner.script = [fail, fail, fail];
    sys.advance(29_999);
    expect(runner.runs).toHaveLength(0);
    sys.advance(1);
    expect(c.State.Health).toMatchObject({ Status: 'starting', FailingStreak: 1 });
    sys.advance(30_000);
    sys.advance(30_000);
    expect(c.State.Health).toMatchObject({ Status: 'unhealthy', FailingStreak: 3 });
  });

  it('does not count failures inside the start period while starting, and probes at the start interval there', () => {
    const { sys, runner, m, c } = setup({ Test: ['CMD', 'check'], Interval: 10e9, StartPeriod: 30e9, StartInterval: 2e9, Retries: 1 });
    m.started(c);
    runner.script = [fail, fail, fail];
    sys.advance(2000);
    sys.advance(2000);
    sys.advance(2000);
    expect(runner.runs).toHaveLength(3);
    expect(c.State.Health).toMatchObject({ Status: 'starting', FailingStreak: 0 });
    expect(c.State.Health!.Log).toHaveLength(3);
    // after the start period a failure counts (Retries 1: unhealthy at once)
    sys.clockMs = T0 + 31_000;
    runner.script = [fail];
    sys.advance(2000);
    expect(c.State.Health).toMatchObject({ Status: 'unhealthy', FailingStreak: 1 });
  });

  it('after a pass inside the start period, failures count again', () => {
    const { sys, runner, m, c } = setup({ Test: ['CMD', 'check'], Interval: 1e9, StartPeriod: 60e9, Retries: 1 });
    m.started(c);
    runner.script = [pass, fail];
    // while starting inside the start period: the default start interval, 5 s
    sys.advance(4999);
    expect(runner.runs).toHaveLength(0);
    sys.advance(1);
    expect(c.State.Health!.Status).toBe('healthy');
    sys.advance(1000);
    expect(c.State.Health!.Status).toBe('unhealthy');
  });

  it('waits only until the start period ends when that comes before the next interval', () => {
    const { m, c, sys } = setup({ Test: ['CMD', 'check'], Interval: 30e9, StartPeriod: 10e9 });
    m.started(c);
    sys.clockMs = T0 + 4000;
    expect(m.nextIntervalMs(c)).toBe(6000);
    sys.clockMs = T0 + 11_000;
    expect(m.nextIntervalMs(c)).toBe(30_000);
  });

  it('kills a probe that runs past Timeout and records it as Docker words it', () => {
    const { sys, runner, m, c } = setup({ Test: ['CMD', 'sleep', '9'], Interval: 1e9, Timeout: 500e6, Retries: 1 });
    m.started(c);
    sys.advance(1000);
    expect(runner.runs).toHaveLength(1);
    sys.advance(500);
    expect(runner.runs[0]!.killed).toBe(true);
    expect(c.State.Health!.Status).toBe('unhealthy');
    expect(c.State.Health!.Log[0]).toMatchObject({ ExitCode: -1, Output: 'Health check exceeded timeout (500ms): partial' });
    // its late end changes nothing
    runner.runs[0]!.ended(pass);
    expect(c.State.Health!.Log).toHaveLength(1);
    expect(c.State.Health!.Status).toBe('unhealthy');
  });

  it('kills the probe in flight when the container stops, and its late end records nothing', () => {
    const { sys, runner, m, c, changes } = setup({ Test: ['CMD', 'sleep', '9'], Interval: 1e9, Timeout: 30e9 });
    m.started(c);
    sys.advance(1000);
    expect(runner.runs).toHaveLength(1);
    m.stopped(c);
    expect(runner.runs[0]!.killed).toBe(true);
    runner.runs[0]!.ended({ kind: 'error', message: 'container c1 is not running' });
    sys.advance(60_000);
    expect(runner.runs).toHaveLength(1);
    expect(c.State.Health!.Log).toHaveLength(0);
    expect(changes).toEqual([]);
  });

  it('records an exec that could not start as a failure with the runtime message', () => {
    const { sys, runner, m, c } = setup({ Test: ['CMD', 'nosuch'], Interval: 1e9 });
    m.started(c);
    runner.script = [{ kind: 'error', message: 'OCI runtime exec failed: exec: "nosuch": executable file not found in $PATH: unknown' }];
    sys.advance(1000);
    expect(c.State.Health!.Log[0]).toMatchObject({ ExitCode: -1, Output: expect.stringContaining('executable file not found') });
    expect(c.State.Health!.FailingStreak).toBe(1);
  });

  it('stops probing when the container stops, reports unhealthy then, and restarts at "starting" keeping the log', () => {
    const { sys, runner, m, c } = setup({ Test: ['CMD', 'check'], Interval: 1e9 });
    m.started(c);
    runner.script = [pass];
    sys.advance(1000);
    expect(c.State.Health!.Status).toBe('healthy');
    c.State.Running = false;
    m.stopped(c);
    expect(c.State.Health!.Status).toBe('unhealthy');
    expect(m.watching('c1')).toBe(false);
    sys.advance(10_000);
    expect(runner.runs).toHaveLength(1);
    c.State.Running = true;
    m.started(c);
    expect(c.State.Health).toMatchObject({ Status: 'starting', FailingStreak: 0 });
    expect(c.State.Health!.Log).toHaveLength(1);
  });

  it('a probe still running when the container stops is not recorded', () => {
    const { sys, runner, m, c } = setup({ Test: ['CMD', 'check'], Interval: 1e9 });
    m.started(c);
    sys.advance(1000);
    m.stopped(c);
    runner.runs[0]!.ended(pass);
    expect(c.State.Health!.Log).toHaveLength(0);
    expect(c.State.Health!.Status).toBe('unhealthy');
  });

  it('resumes after a daemon restart with the status it had', () => {
    const { sys, runner, m, c } = setup({ Test: ['CMD', 'check'], Interval: 1e9 });
    c.State.Health = { Status: 'healthy', FailingStreak: 0, Log: [] };
    m.resume(c);
    expect(c.State.Health.Status).toBe('healthy');
    runner.script = [fail];
    sys.advance(1000);
    expect(c.State.Health).toMatchObject({ Status: 'healthy', FailingStreak: 1 });
  });

  it('does nothing for NONE or without a test', () => {
    const { sys, runner, m, c } = setup({ Test: ['NONE'] });
    m.started(c);
    sys.advance(60_000);
    expect(c.State.Health).toBeUndefined();
    expect(runner.runs).toHaveLength(0);
  });
});

// ---- the engine with health checks ----

const ROOT = '/var/lib/docker';
const LAYER = `sha256:${'a'.repeat(64)}`;
const IMAGE_HEX = 'b'.repeat(64);

function addImage(sys: FakeSyscalls, healthcheck?: HealthConfig): void {
  const base = `${ROOT}/image/overlay2`;
  sys.addFile(`${base}/imagedb/content/sha256/${IMAGE_HEX}`, JSON.stringify({ architecture: '386', os: 'linux', config: { Cmd: ['sh'], ...(healthcheck ? { Healthcheck: healthcheck } : {}) }, rootfs: { type: 'layers', diff_ids: [LAYER] } }));
  sys.addFile(`${base}/layerdb/sha256/${'a'.repeat(64)}/cache-id`, 'layer1');
  sys.addFile(`${base}/layerdb/sha256/${'a'.repeat(64)}/size`, '10');
  sys.addDir(`${ROOT}/overlay2/layer1/diff`);
  sys.addFile(`${base}/repositories.json`, JSON.stringify({ Repositories: { web: { 'web:latest': `sha256:${IMAGE_HEX}` } } }));
}

class FakeLauncher implements ShimLauncher {
  launches: ShimTask[] = [];
  private ends = new Map<string, () => void>();
  private live = new Set<number>();
  private nextPid = 500;
  constructor(private sys: FakeSyscalls) {}
  launch(task: ShimTask, beforeRelease: () => void): LaunchResult {
    this.launches.push(task);
    beforeRelease();
    const shimPid = this.nextPid++;
    this.live.add(shimPid);
    return {
      ok: true, shimPid, containerPid: this.nextPid++,
      watch: (onEnd) => this.ends.set(task.id, () => {
        this.live.delete(shimPid);
        onEnd(null);
      }),
      close: () => undefined,
    };
  }
  alive(pid: number): boolean {
    return this.live.has(pid);
  }
  reap(): void {}
  exit(task: ShimTask, code: number): void {
    this.sys.addFile(task.exitFile, JSON.stringify({ ExitCode: code, FinishedAt: new Date(this.sys.clockMs).toISOString(), OOMKilled: false, Error: '' }));
    this.ends.get(task.id)!();
  }
}

function engine(image?: HealthConfig, sys = new FakeSyscalls(), shim = new FakeLauncher(sys), runner = new FakeRunner()) {
  if (sys.lstatOrNull(`${ROOT}/image`) === null) {
    sys.clockMs = T0;
    addImage(sys, image);
  }
  const e = new Engine(sys, { root: ROOT, execRoot: '/run/docker', registry: '/registry', pullMode: 'copy', selfExe: '/usr/bin/whalebone' }, { launcher: shim, now: () => sys.clockMs, probe: runner });
  return { sys, e, shim, runner };
}

describe('dockerd with health checks (engine on the fake)', () => {
  it('runs the check, shows it in ps status, emits health_status events, and keeps it in the record', () => {
    const { sys, e, runner } = engine();
    const seen: string[] = [];
    e.events.subscribe((ev) => seen.push(ev.Action));
    const c = e.create('db', { Image: 'web', Healthcheck: { Test: ['CMD-SHELL', 'pg_isready'], Interval: 1e9, Retries: 1 }, HostConfig: { NetworkMode: 'none' } });
    expect(c.Config.Healthcheck).toEqual({ Test: ['CMD-SHELL', 'pg_isready'], Interval: 1e9, Retries: 1 });
    expect(c.State.Health).toBeUndefined();
    e.start('db');
    expect(statusText(e.get('db').State, sys.clockMs + 5000)).toBe('Up 5 seconds (health: starting)');
    runner.script = [pass];
    sys.advance(1000);
    expect(runner.runs[0]!.id).toBe(c.Id);
    expect(statusText(e.get('db').State, sys.clockMs)).toBe('Up 1 second (healthy)');
    expect(seen).toContain('health_status: healthy');
    runner.script = [fail];
    sys.advance(1000);
    expect(statusText(e.get('db').State, sys.clockMs)).toMatch(/\(unhealthy\)$/);
    expect(seen.filter((a) => a.startsWith('health_status'))).toEqual(['health_status: healthy', 'health_status: unhealthy']);
    const onDisk = JSON.parse(utf8Decode(sys.readFile(`${ROOT}/containers/${c.Id}/config.v2.json`)));
    expect(onDisk.State.Health.Status).toBe('unhealthy');
  });

  it('takes the image HEALTHCHECK, and --no-healthcheck (NONE) turns it off', () => {
    const { sys, e, runner } = engine({ Test: ['CMD', 'check'], Interval: 2e9 });
    const withImage = e.create('aa', { Image: 'web', HostConfig: { NetworkMode: 'none' } });
    expect(withImage.Config.Healthcheck).toEqual({ Test: ['CMD', 'check'], Interval: 2e9 });
    const off = e.create('bb', { Image: 'web', Healthcheck: { Test: ['NONE'] }, HostConfig: { NetworkMode: 'none' } });
    e.start('aa');
    e.start('bb');
    sys.advance(2000);
    expect(runner.runs.map((r) => r.id)).toEqual([withImage.Id]);
    expect(e.get('bb').State.Health).toBeUndefined();
  });

  it('refuses bad durations with dockerd\'s message', () => {
    const { e } = engine();
    expect(() => e.create('x', { Image: 'web', Healthcheck: { Test: ['CMD', 'x'], Interval: 1000 } })).toThrow('Interval in Healthcheck cannot be less than 1ms');
  });

  it('stops probing when the container exits, and after a daemon restart a live container is watched again', () => {
    const sys = new FakeSyscalls();
    const shim = new FakeLauncher(sys);
    const first = engine(undefined, sys, shim);
    const c = first.e.create('db', { Image: 'web', Healthcheck: { Test: ['CMD', 'check'], Interval: 1e9 }, HostConfig: { NetworkMode: 'none' } });
    const other = first.e.create('old', { Image: 'web', Healthcheck: { Test: ['CMD', 'check'], Interval: 1e9 }, HostConfig: { NetworkMode: 'none' } });
    first.e.start('db');
    first.e.start('old');
    first.runner.script = [pass, pass];
    sys.advance(1000);
    expect(first.e.get('db').State.Health!.Status).toBe('healthy');
    shim.exit(shim.launches[1]!, 0);
    expect(first.e.get('old').State.Health!.Status).toBe('unhealthy');
    expect(first.e.health.watching(other.Id)).toBe(false);
    // a new daemon on the same state (the old one's timers are gone with it)
    const second = engine(undefined, sys, shim, new FakeRunner());
    expect(second.e.get('db').State.Health!.Status).toBe('healthy');
    expect(second.e.health.watching(c.Id)).toBe(true);
    expect(second.e.health.watching(other.Id)).toBe(false);
  });
});
