// The restart timers (restart.ts Restarts) on their own: what a daemon start, an exit, a docker stop
// or a docker rm during the wait does to a container with a restart policy.

import { describe, expect, it } from 'vitest';
import { Restarts } from '../../../src/guest/daemon/restart.ts';
import { newState, type ContainerRecord } from '../../../src/guest/daemon/model.ts';

function container(policy: string, state: Partial<ContainerRecord['State']> = {}): ContainerRecord {
  return {
    Id: 'c1', State: { ...newState(), Status: 'exited', StartedAt: '2026-01-01T00:00:00.000Z', FinishedAt: '2026-01-01T00:00:01.000Z', ...state },
    HostConfig: { RestartPolicy: { Name: policy, MaximumRetryCount: 0 } }, RestartCount: 0,
  } as unknown as ContainerRecord;
}

function setup() {
  const timers: { ms: number; fn: () => void }[] = [];
  const started: string[] = [];
  const saved: string[] = [];
  const live = new Set(['c1']);
  let failStart = '';
  const r = new Restarts({
    setTimer: (ms, fn) => timers.push({ ms, fn }),
    exists: (id) => live.has(id),
    persist: (c) => saved.push(c.State.Status),
    start: (id) => {
      if (failStart) throw new Error(failStart);
      started.push(id);
    },
  });
  const fire = (): void => timers.shift()!.fn();
  return { r, timers, started, saved, live, fire, failWith: (m: string) => (failStart = m) };
}

describe('restart timers', () => {
  it('at daemon start, start always and unless-stopped containers at once, not one stopped by hand', () => {
    const t = setup();
    t.r.atDaemonStart(container('unless-stopped', {}));
    expect(t.timers.map((x) => x.ms)).toEqual([0]);
    t.fire();
    expect(t.started).toEqual(['c1']);
    const stopped = container('unless-stopped');
    stopped.HasBeenManuallyStopped = true;
    t.r.atDaemonStart(stopped);
    t.r.atDaemonStart(container('on-failure', { ExitCode: 1 }));
    expect(t.timers).toEqual([]);
  });

  it('show "restarting" while waiting, count the restart, and back off after quick exits', () => {
    const t = setup();
    const c = container('always');
    t.r.afterExit(c);
    expect(c.State.Status).toBe('restarting');
    expect(t.saved).toEqual(['restarting']);
    expect(t.timers.map((x) => x.ms)).toEqual([100]);
    t.fire();
    expect(c.RestartCount).toBe(1);
    expect(t.started).toEqual(['c1']);
    t.r.afterExit(c);
    expect(t.timers.map((x) => x.ms)).toEqual([200]);
  });

  it('leave a container alone that docker stop or docker rm reached during the wait', () => {
    const t = setup();
    const c = container('always');
    t.r.afterExit(c);
    c.HasBeenManuallyStopped = true;
    t.fire();
    expect(t.started).toEqual([]);
    expect(c.State.Status).toBe('exited');
    const d = container('always');
    t.r.afterExit(d);
    t.live.delete('c1');
    t.fire();
    expect(t.started).toEqual([]);
  });

  it('keep a start that failed as the container error', () => {
    const t = setup();
    const c = container('always');
    t.r.afterExit(c);
    t.failWith('no such file');
    t.fire();
    expect(c.State.Error).toBe('no such file');
    expect(c.State.Restarting).toBe(false);
  });

  it('a user start clears the manual stop, so the policy applies again', () => {
    const t = setup();
    const c = container('always');
    c.HasBeenManuallyStopped = true;
    t.r.afterExit(c);
    expect(t.timers).toEqual([]);
    t.r.clearManualStop(c);
    t.r.afterExit(c);
    expect(t.timers.length).toBe(1);
  });
});
