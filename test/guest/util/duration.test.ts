import { describe, expect, it } from 'vitest';
import { formatGoDuration, parseGoDuration } from '../../../src/guest/util/duration.ts';

describe('Go durations', () => {
  it('parse as time.ParseDuration does, in nanoseconds', () => {
    expect(parseGoDuration('1s')).toBe(1e9);
    expect(parseGoDuration('1m30s')).toBe(90e9);
    expect(parseGoDuration('500ms')).toBe(500e6);
    expect(parseGoDuration('1.5h')).toBe(5400e9);
    expect(parseGoDuration('.5s')).toBe(500e6);
    expect(parseGoDuration('-2s')).toBe(-2e9);
    expect(parseGoDuration('0')).toBe(0);
    expect(parseGoDuration('10us')).toBe(10_000);
  });

  it('refuse bad text with Go\'s messages', () => {
    expect(() => parseGoDuration('5')).toThrow('time: missing unit in duration "5"');
    expect(() => parseGoDuration('5x')).toThrow('time: unknown unit "x" in duration "5x"');
    expect(() => parseGoDuration('abc')).toThrow('time: invalid duration "abc"');
    expect(() => parseGoDuration('')).toThrow('time: invalid duration ""');
    expect(() => parseGoDuration('1s.')).toThrow('time: invalid duration "1s."');
  });

  it('print as Duration.String() does', () => {
    expect(formatGoDuration(30e9)).toBe('30s');
    expect(formatGoDuration(1e9)).toBe('1s');
    expect(formatGoDuration(500e6)).toBe('500ms');
    expect(formatGoDuration(1e6)).toBe('1ms');
    expect(formatGoDuration(90e9)).toBe('1m30s');
    expect(formatGoDuration(3600e9)).toBe('1h0m0s');
    expect(formatGoDuration(1.5e9)).toBe('1.5s');
    expect(formatGoDuration(1500)).toBe('1.5µs');
    expect(formatGoDuration(0)).toBe('0s');
  });
});
