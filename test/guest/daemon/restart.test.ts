import { describe, expect, it } from 'vitest';
import { parsePolicy, policyError, restartDelayMs, shouldRestart, startsWithDaemon } from '../../../src/guest/daemon/restart.ts';

describe('restart policies', () => {
  it('parse and validate as Docker does', () => {
    expect(parsePolicy('on-failure:3')).toEqual({ Name: 'on-failure', MaximumRetryCount: 3 });
    expect(parsePolicy('')).toEqual({ Name: 'no', MaximumRetryCount: 0 });
    expect(() => parsePolicy('on-failure:x')).toThrow('maximum retry count must be an integer');
    expect(policyError({ Name: 'sometimes', MaximumRetryCount: 0 })).toBe("invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'");
    expect(policyError({ Name: 'always', MaximumRetryCount: 2 })).toBe("invalid restart policy: maximum retry count can only be used with 'on-failure'");
    expect(policyError({ Name: 'unless-stopped', MaximumRetryCount: 0 })).toBeNull();
  });

  it('decide on an exit', () => {
    const p = (Name: string, MaximumRetryCount = 0) => ({ Name, MaximumRetryCount });
    expect(shouldRestart(p('no'), 1, 0, false)).toBe(false);
    expect(shouldRestart(p('always'), 0, 9, false)).toBe(true);
    expect(shouldRestart(p('always'), 0, 0, true)).toBe(false);
    expect(shouldRestart(p('unless-stopped'), 0, 0, false)).toBe(true);
    expect(shouldRestart(p('on-failure'), 0, 0, false)).toBe(false);
    expect(shouldRestart(p('on-failure'), 2, 100, false)).toBe(true);
    expect(shouldRestart(p('on-failure', 2), 2, 1, false)).toBe(true);
    expect(shouldRestart(p('on-failure', 2), 2, 2, false)).toBe(false);
  });

  it('decide at daemon start: always even after a docker stop, unless-stopped only when not stopped by hand', () => {
    expect(startsWithDaemon({ Name: 'always', MaximumRetryCount: 0 }, true)).toBe(true);
    expect(startsWithDaemon({ Name: 'unless-stopped', MaximumRetryCount: 0 }, true)).toBe(false);
    expect(startsWithDaemon({ Name: 'unless-stopped', MaximumRetryCount: 0 }, false)).toBe(true);
    expect(startsWithDaemon({ Name: 'on-failure', MaximumRetryCount: 0 }, false)).toBe(false);
  });

  it('back off from 100 ms, doubling, to a minute', () => {
    expect([0, 1, 2, 3].map(restartDelayMs)).toEqual([100, 200, 400, 800]);
    expect(restartDelayMs(20)).toBe(60_000);
  });
});
