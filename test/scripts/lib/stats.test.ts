import { describe, expect, it } from 'vitest';
import { median } from '../../../scripts/lib/stats.ts';

describe('median, as the benchmarks report it', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('leaves out failed samples (NaN) instead of letting them sort anywhere', () => {
    expect(median([NaN, 5, 1, 3])).toBe(3);
    expect(median([NaN])).toBeNaN();
    expect(median([])).toBeNaN();
  });
});
