import { describe, expect, it } from 'vitest';
import { formatTable, table } from '../../../src/guest/util/tabwriter.ts';

describe('tab writer (Docker table settings)', () => {
  it('pads columns to max(cell + 3, 10) and leaves the last cell alone', () => {
    const out = table([
      ['CONTAINER ID', 'IMAGE', 'NAMES'],
      ['0123456789ab', 'busybox', 'happy_turing'],
    ]);
    expect(out).toBe('CONTAINER ID   IMAGE     NAMES\n0123456789ab   busybox   happy_turing\n');
  });
  it('aligns by code points, not bytes', () => {
    expect(formatTable('é\tx\nabc\ty\n')).toBe('é         x\nabc       y\n');
  });
  it('breaks column blocks at lines without cells', () => {
    expect(formatTable('a\tb\nplain\nlonger-cell-here\tc\n')).toBe('a         b\nplain\nlonger-cell-here   c\n');
  });
});
