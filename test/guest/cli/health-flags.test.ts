import { describe, expect, it } from 'vitest';
import { parseFlags, UsageError } from '../../../src/guest/util/flags.ts';
import { containerCommands, healthcheckBody } from '../../../src/guest/cli/commands/container.ts';
import { CliError } from '../../../src/guest/cli/commands/context.ts';

const spec = containerCommands['run']!.spec;
const body = (...argv: string[]) => healthcheckBody(parseFlags(spec, [...argv, 'busybox']), 'docker run');
const error = (...argv: string[]): { message: string; code: number } => {
  try {
    body(...argv);
  } catch (e) {
    if (e instanceof CliError) return { message: e.message, code: e.code };
    if (e instanceof UsageError) return { message: e.render(), code: e.exitCode };
    throw e;
  }
  throw new Error('no error');
};

describe('docker run --health-* flags', () => {
  it('make the create body\'s Healthcheck, durations in nanoseconds', () => {
    expect(body('--health-cmd', 'wget -q -O- localhost', '--health-interval', '1s', '--health-timeout=500ms', '--health-retries', '2', '--health-start-period', '1m', '--health-start-interval', '2s')).toEqual({
      Test: ['CMD-SHELL', 'wget -q -O- localhost'], Interval: 1e9, Timeout: 500e6, StartPeriod: 60e9, StartInterval: 2e9, Retries: 2,
    });
    // durations alone change the image's check
    expect(body('--health-interval', '5s')).toEqual({ Interval: 5e9, Timeout: 0, StartPeriod: 0, StartInterval: 0, Retries: 0 });
    expect(body('--no-healthcheck')).toEqual({ Test: ['NONE'] });
    expect(body()).toBeUndefined();
  });

  it('refuse what the official client refuses, with its words and exit code 125', () => {
    expect(error('--no-healthcheck', '--health-cmd', 'true')).toEqual({ message: "docker: --no-healthcheck conflicts with --health-* options\n\nRun 'docker run --help' for more information", code: 125 });
    expect(error('--health-interval', '-1s').message).toContain('--health-interval cannot be negative');
    expect(error('--health-retries', '-1').message).toContain('--health-retries cannot be negative');
    expect(error('--health-timeout', '-1s').message).toContain('--health-timeout cannot be negative');
    expect(error('--health-start-period', '-1s').message).toContain('--health-start-period cannot be negative');
    const bad = error('--health-interval', '5');
    expect(bad.code).toBe(125);
    expect(bad.message).toContain('invalid argument "5" for "--health-interval" flag: time: missing unit in duration "5"');
  });
});
