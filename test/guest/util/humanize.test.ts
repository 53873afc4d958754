import { describe, expect, it } from 'vitest';
import { bytesSize, formatG, humanDuration, humanSize, parseRamSize } from '../../../src/guest/util/humanize.ts';

describe('humanDuration', () => {
  it.each([
    [500, 'Less than a second'],
    [1000, '1 second'],
    [5400, '5 seconds'],
    [59_999, '59 seconds'],
    [60_000, 'About a minute'],
    [119_000, 'About a minute'],
    [120_000, '2 minutes'],
    [59 * 60_000, '59 minutes'],
    [60 * 60_000, 'About an hour'],
    [90 * 60_000, '2 hours'],
    [47 * 3_600_000, '47 hours'],
    [3 * 86_400_000, '3 days'],
    [20 * 86_400_000, '2 weeks'],
    [100 * 86_400_000, '3 months'],
    [800 * 86_400_000, '2 years'],
  ])('%d ms -> %s', (ms, text) => expect(humanDuration(ms)).toBe(text));
});

describe('sizes', () => {
  it('formats like Go %g', () => {
    expect(formatG(141, 3)).toBe('141');
    expect(formatG(4.2, 3)).toBe('4.2');
    expect(formatG(1, 3)).toBe('1');
    expect(formatG(999.6, 3)).toBe('1e+03');
  });
  it('uses decimal units with 3 significant digits', () => {
    expect(humanSize(141_234_567)).toBe('141MB');
    expect(humanSize(4_261_000)).toBe('4.26MB');
    expect(humanSize(1234)).toBe('1.23kB');
    expect(humanSize(0)).toBe('0B');
    expect(humanSize(999)).toBe('999B');
  });
  it('uses binary units for byte counts', () => {
    expect(bytesSize(1536 * 1024)).toBe('1.5MiB');
  });
  it('parses --memory values', () => {
    expect(parseRamSize('16m')).toBe(16 * 1024 * 1024);
    expect(parseRamSize('1g')).toBe(1024 ** 3);
    expect(parseRamSize('4096')).toBe(4096);
    expect(() => parseRamSize('lots')).toThrow(/invalid size/);
  });
});
