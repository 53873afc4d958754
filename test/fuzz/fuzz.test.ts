// The short fuzz pass `npm test` runs: a few hundred cases per parser (seconds in all). The long
// pass is `npm run fuzz` (scripts/fuzz.ts, 10^5 cases per target).
import { describe, expect, it } from 'vitest';
import { TARGETS } from './targets.ts';
import { runTarget } from './run.ts';

describe('fuzzed parsers (short pass)', () => {
  for (const t of TARGETS) {
    it(t.name, () => {
      const r = runTarget(t, 300);
      expect(r.finding).toBeNull();
      // no single input may take long: a parser that backtracks or loops shows here
      expect(r.slowestMs).toBeLessThan(2000);
    });
  }
});
