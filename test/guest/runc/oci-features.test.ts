// The runtime's logic for the OCI features the runtime-tools suite checks, against the fake.
import { describe, expect, it } from 'vitest';
import { FakeSyscalls } from '../../../src/guest/sys/fake.ts';
import { finalizeProcess } from '../../../src/guest/runc/process.ts';
import { applyRlimits, resolveRlimits } from '../../../src/guest/runc/rlimits.ts';
import { Runtime } from '../../../src/guest/runc/runtime.ts';
import { runcDefaultSpec, type OciSpec } from '../../../src/guest/runc/spec.ts';

const UNLIMITED = 18446744073709551615;

function bundle(sys: FakeSyscalls, patch: (s: OciSpec) => void = () => {}): string {
  const spec = runcDefaultSpec();
  patch(spec);
  sys.addDir("/b/rootfs");
  sys.addFile('/b/config.json', JSON.stringify(spec));
  return '/b';
}

describe('process.rlimits', () => {
  it('sets each limit by its resource number, unlimited as 2^64-1', () => {
    const sys = new FakeSyscalls();
    applyRlimits(sys, [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 1024 }, { type: 'RLIMIT_CORE', soft: UNLIMITED, hard: UNLIMITED }]);
    expect(sys.rlimits.get(7)).toEqual({ soft: 1024, hard: 1024 });
    expect(sys.rlimits.get(4)).toEqual({ soft: UNLIMITED, hard: UNLIMITED });
  });

  it('sets them before dropping root, so a raised hard limit is allowed', () => {
    const sys = new FakeSyscalls();
    sys.rlimits.set(7, { soft: 1024, hard: 4096 });
    const p = { ...runcDefaultSpec().process!, user: { uid: 0, gid: 0 }, rlimits: [{ type: 'RLIMIT_NOFILE', soft: 8192, hard: 8192 }] };
    finalizeProcess(sys, p, 40);
    const order = sys.calls.map((c) => c.name).filter((n) => n === 'setrlimit' || n === 'setuid');
    expect(order).toEqual(['setrlimit', 'setuid']);
    expect(sys.rlimits.get(7)).toEqual({ soft: 8192, hard: 8192 });
    // once root is gone it is refused, and the error names the type
    sys.euid = 1000;
    expect(() => applyRlimits(sys, [{ type: 'RLIMIT_NOFILE', soft: 9000, hard: 9000 }])).toThrow(/error setting rlimit type RLIMIT_NOFILE: .*EPERM|Operation not permitted/);
  });

  it('rejects a type Linux has no limit for, and duplicates', () => {
    expect(() => resolveRlimits([{ type: 'RLIMIT_TEST', soft: 1, hard: 1 }])).toThrow('wrong rlimit value: RLIMIT_TEST');
    expect(() => resolveRlimits([{ type: 'RLIMIT_NOFILE', soft: 1, hard: 1 }, { type: 'RLIMIT_NOFILE', soft: 2, hard: 2 }])).toThrow(/duplicate/);
  });

  it('fails create for an unknown type before any process or state exists', () => {
    const sys = new FakeSyscalls();
    const b = bundle(sys, (s) => s.process!.rlimits!.push({ type: 'RLIMIT_TEST', soft: 1024, hard: 1024 }));
    const rt = new Runtime(sys, { root: '/run/runc', lastCap: 40 });
    expect(() => rt.create({ id: 'c1', bundle: b })).toThrow('wrong rlimit value: RLIMIT_TEST');
    expect(sys.callsOf('fork')).toEqual([]);
    expect(sys.statOrNull('/run/runc/c1')).toBeNull();
  });
});
