// The trace switch as a process sees it at start (src/guest/sys/trace.ts), against the Syscalls
// fake: with the engine chain view's switch on a process opens the trace file, and with
// WB_TRACE=off (the VM driver's JIT warm-up) it stays untraced whatever the switch says.
import { afterEach, describe, expect, it } from 'vitest';
import { FakeSyscalls } from '../../../src/guest/sys/fake.ts';
import { TRACE_OFF, TRACE_SWITCH, followSwitchNow, followTraceSwitch, traced, tracer, untrace } from '../../../src/guest/sys/trace.ts';
import { SIGUSR2 } from '../../../src/guest/sys/constants.ts';

const FILE = '/tmp/chain.trace';

function guest(env: string[] = []): FakeSyscalls {
  const sys = new FakeSyscalls();
  sys.addDir('/var/run');
  sys.addDir('/tmp');
  sys.addDir('/sys/fs/cgroup', 0o755);
  sys.addFile(FILE, '');
  sys.addFile(TRACE_SWITCH, `${FILE} chain\n`);
  sys.env.push(...env);
  return sys;
}

describe('the trace switch at a process start', () => {
  let last: FakeSyscalls | null = null;
  afterEach(() => {
    if (last) untrace(last);
    last = null;
  });

  it('traces a process started while the chain view is on', () => {
    const sys = (last = guest());
    traced(sys, 'docker');
    expect(tracer().fd).toBeGreaterThanOrEqual(0);
    expect(sys.callsOf('open')).toContainEqual([FILE, expect.any(Number), 0o644]);
  });

  it('leaves a process started with WB_TRACE=off untraced, now and when it looks at the switch again', () => {
    const sys = (last = guest([`WB_TRACE=${TRACE_OFF}`]));
    traced(sys, 'docker');
    expect(tracer().fd).toBe(-1);
    expect(followSwitchNow(sys, 'docker')).toBe(false);
    expect(tracer().fd).toBe(-1);
    expect(sys.callsOf('open')).toEqual([]);
  });

  it('marks a daemon that SIGUSR2 started tracing, but not one WB_TRACE traces for profiling', () => {
    const marks = (sys: FakeSyscalls, file: string): number => new TextDecoder().decode(sys.readFile(file)).split('\n').filter((l) => l.includes('tracing on')).length;
    const daemon = (last = guest());
    followTraceSwitch(daemon, 'dockerd');
    daemon.raise(SIGUSR2);
    untrace(daemon);
    expect(marks(daemon, FILE)).toBe(1);

    const profiled = (last = guest(['WB_TRACE=/tmp/profile.trace']));
    profiled.addFile('/tmp/profile.trace', '');
    traced(profiled, 'dockerd');
    followTraceSwitch(profiled, 'dockerd');
    profiled.raise(SIGUSR2);
    profiled.raise(SIGUSR2);
    untrace(profiled);
    expect(marks(profiled, '/tmp/profile.trace')).toBe(0);
  });
});
